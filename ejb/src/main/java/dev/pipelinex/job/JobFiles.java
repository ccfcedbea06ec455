package dev.pipelinex.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The one reader and writer of a job's JSON files (metadata.json, state.json, result.json).
 * Writes are atomic: a temporary file in the same folder, fsync, rename over the old one, so a
 * reader sees the old content or the new, never half of either.
 */
public final class JobFiles {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .serializationInclusion(JsonInclude.Include.ALWAYS)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(32).maxStringLength(1 << 20).build());
    }

    private JobFiles() {
    }

    /** The mapper every JSON file and response of PipelineX goes through (snake_case, ISO-8601 times). */
    public static ObjectMapper json() {
        return JSON;
    }

    public static void writeMetadata(Workspace ws, JobMetadata metadata) {
        write(ws.metadataFile(), metadata);
    }

    public static JobMetadata readMetadata(Workspace ws) {
        return read(ws.metadataFile(), JobMetadata.class)
                .orElseThrow(() -> new IllegalStateException("job " + ws.jobId() + " has no metadata.json"));
    }

    public static void writeStatus(Workspace ws, JobStatus status) {
        write(ws.stateFile(), status);
    }

    public static Optional<JobStatus> readStatus(Workspace ws) {
        return read(ws.stateFile(), JobStatus.class);
    }

    public static void writeResult(Workspace ws, StageResult result) {
        write(ws.resultFile(result.stage()), result);
    }

    public static Optional<StageResult> readResult(Workspace ws, String stage) {
        return read(ws.resultFile(stage), StageResult.class);
    }

    public static <T> Optional<T> read(Path file, Class<T> type) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), type));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public static void write(Path file, Object value) {
        try {
            byte[] bytes = JSON.writeValueAsBytes(value);
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    ch.write(java.nio.ByteBuffer.wrap(bytes));
                    ch.force(true);
                }
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
