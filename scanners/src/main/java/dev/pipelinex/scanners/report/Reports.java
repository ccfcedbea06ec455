package dev.pipelinex.scanners.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A scanner stage's {@code result.json}, in the format every stage writes:
 * {@code {schema: 1, stage, status, duration_ms, message, summary{findings{critical, high, medium, low, info}, suppressed}}}.
 * The counts are of open findings; suppressed ones are counted apart.
 */
public final class Reports {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Reports() {
    }

    public static Map<Severity, Integer> countOpen(List<Finding> findings) {
        Map<Severity, Integer> counts = new EnumMap<>(Severity.class);
        for (Severity s : Severity.values()) {
            counts.put(s, 0);
        }
        findings.stream().filter(f -> !f.suppressed()).forEach(f -> counts.merge(f.severity(), 1, Integer::sum));
        return counts;
    }

    /** The summary object: findings by severity, the suppressed count, and any extra fields. */
    public static ObjectNode summary(List<Finding> findings, Map<String, Object> extra) {
        ObjectNode summary = JSON.createObjectNode();
        ObjectNode counts = summary.putObject("findings");
        countOpen(findings).forEach((s, n) -> counts.put(s.id(), n));
        summary.put("suppressed", findings.stream().filter(Finding::suppressed).count());
        if (extra != null) {
            extra.forEach((k, v) -> summary.set(k, JSON.valueToTree(v)));
        }
        return summary;
    }

    /** A one-line message such as "3 findings (1 high, 2 low), 1 suppressed". */
    public static String message(String what, List<Finding> findings) {
        Map<Severity, Integer> counts = countOpen(findings);
        int open = counts.values().stream().mapToInt(Integer::intValue).sum();
        long suppressed = findings.stream().filter(Finding::suppressed).count();
        StringBuilder sb = new StringBuilder();
        sb.append(what).append(": ").append(open == 0 ? "no" : String.valueOf(open))
                .append(open == 1 ? " finding" : " findings");
        if (open > 0) {
            StringBuilder parts = new StringBuilder();
            counts.forEach((s, n) -> {
                if (n > 0) {
                    parts.append(parts.length() == 0 ? "" : ", ").append(n).append(' ').append(s.id());
                }
            });
            sb.append(" (").append(parts).append(')');
        }
        if (suppressed > 0) {
            sb.append(", ").append(suppressed).append(" suppressed");
        }
        return sb.toString();
    }

    /** Writes {@code <dir>/result.json}; {@code startedMs} is when the stage began (epoch ms, 0 when unknown). */
    public static void writeResult(Path dir, String stage, String status, long startedMs, String message,
                                   ObjectNode summary) throws IOException {
        ObjectNode result = JSON.createObjectNode();
        result.put("schema", 1); // the server checks every result against this version of its schema
        result.put("stage", stage);
        result.put("status", status);
        result.put("duration_ms", startedMs > 0 ? Math.max(0, System.currentTimeMillis() - startedMs) : 0);
        result.put("message", message);
        result.set("summary", summary == null ? JSON.createObjectNode() : summary);
        writeAtomically(dir.resolve("result.json"), JSON.writeValueAsBytes(result));
    }

    public static void writeJson(Path file, Object value) throws IOException {
        writeAtomically(file, JSON.writeValueAsBytes(value));
    }

    /** Writes through a temporary file in the same folder, synced, then renamed over the target. */
    public static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(bytes));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static ObjectMapper json() {
        return JSON;
    }
}
