package dev.pipelinex.scanners.secrets;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pipelinex.scanners.report.Reports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The fingerprints a project has accepted, in {@code .pipelinex/secrets-baseline.json}:
 * {@code {"fingerprints": [{"fingerprint": "…", "reason": "…"}, "…"]}} (an entry may be the
 * fingerprint alone). Findings it names are reported as suppressed, not dropped.
 */
public record Baseline(Map<String, String> reasons) {

    public static final String PATH = ".pipelinex/secrets-baseline.json";
    public static final Baseline NONE = new Baseline(Map.of());

    public Baseline {
        reasons = Map.copyOf(reasons);
    }

    /** The baseline read from the file, or why it could not be used (then nothing is suppressed). */
    public record Loaded(Baseline baseline, Optional<String> problem) {
    }

    /** Reads the project's baseline: none when there is no file; a malformed file is ignored with the reason why. */
    public static Loaded load(Path projectRoot) {
        Path file = projectRoot.resolve(PATH);
        if (!Files.isRegularFile(file)) {
            return new Loaded(NONE, Optional.empty());
        }
        try {
            return new Loaded(parse(Reports.json().readTree(file.toFile())), Optional.empty());
        } catch (JacksonException e) {
            return ignored("it is not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            return ignored("it cannot be read (" + e.getMessage() + ")");
        } catch (IllegalArgumentException e) {
            return ignored(e.getMessage());
        }
    }

    private static Loaded ignored(String why) {
        return new Loaded(NONE, Optional.of("the baseline " + PATH + " was ignored: " + why));
    }

    static Baseline parse(JsonNode root) {
        if (root == null || !root.isObject() || !root.path("fingerprints").isArray()) {
            throw new IllegalArgumentException("it must be an object with a \"fingerprints\" array");
        }
        Map<String, String> reasons = new LinkedHashMap<>();
        int i = 0;
        for (JsonNode entry : root.get("fingerprints")) {
            String fingerprint;
            String reason = "";
            if (entry.isTextual()) {
                fingerprint = entry.asText();
            } else if (entry.isObject() && entry.path("fingerprint").isTextual()) {
                fingerprint = entry.get("fingerprint").asText();
                if (entry.has("reason") && !entry.get("reason").isNull()) {
                    if (!entry.get("reason").isTextual()) {
                        throw new IllegalArgumentException("fingerprints[" + i + "].reason must be a string");
                    }
                    reason = entry.get("reason").asText().trim();
                }
            } else {
                throw new IllegalArgumentException("fingerprints[" + i + "] must be a string or an object with a \"fingerprint\" string");
            }
            if (fingerprint.isBlank()) {
                throw new IllegalArgumentException("fingerprints[" + i + "] is empty");
            }
            reasons.put(fingerprint.trim(), reason);
            i++;
        }
        return new Baseline(reasons);
    }

    /** The suppression justification for a fingerprint, empty when the baseline does not name it. */
    public Optional<String> justification(String fingerprint) {
        String reason = reasons.get(fingerprint);
        if (reason == null) {
            return Optional.empty();
        }
        return Optional.of(reason.isEmpty() ? "in the baseline" : "in the baseline: " + reason);
    }
}
