package dev.pipelinex.pipeline;

import dev.pipelinex.job.Workspace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Copies a stack's stage scripts into a job's {@code pipelines/<stack-id>/}, so the job carries
 * the exact scripts it ran with. The scripts ship inside this jar under
 * {@code pipelines/<pipeline>/}; stacks that differ only in what they admit share one pipeline
 * ({@code java-maven}). Each pipeline folder has a {@code MANIFEST} listing its files (a test
 * keeps it true).
 */
public final class PipelineInstaller {

    public static final String MANIFEST = "MANIFEST";
    private final ClassLoader loader;

    public PipelineInstaller() {
        this(PipelineInstaller.class.getClassLoader());
    }

    PipelineInstaller(ClassLoader loader) {
        this.loader = loader;
    }

    /** Installs the scripts of {@code pipeline} as the job's {@code stackId} pipeline; returns their folder. */
    public Path install(String pipeline, String stackId, Workspace ws) {
        Path target = ws.pipelines().resolve(stackId);
        try {
            Files.createDirectories(target);
            for (String file : manifest(pipeline)) {
                Path dest = target.resolve(file).normalize();
                if (!dest.startsWith(target)) {
                    throw new IllegalStateException("manifest of " + pipeline + " names " + file);
                }
                Files.createDirectories(dest.getParent());
                try (InputStream in = resource(pipeline + "/" + file)) {
                    Files.copy(in, dest, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.setPosixFilePermissions(dest, PosixFilePermissions.fromString(
                        file.endsWith(".sh") ? "rwxr-xr-x" : "rw-r--r--"));
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install the " + pipeline + " pipeline: " + e.getMessage(), e);
        }
    }

    List<String> manifest(String pipeline) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(resource(pipeline + "/" + MANIFEST),
                StandardCharsets.UTF_8))) {
            return r.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        }
    }

    private InputStream resource(String path) throws IOException {
        InputStream in = loader.getResourceAsStream("pipelines/" + path);
        if (in == null) {
            throw new IOException("pipelines/" + path + " is not packaged");
        }
        return in;
    }
}
