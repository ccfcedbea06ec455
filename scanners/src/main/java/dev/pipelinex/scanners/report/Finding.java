package dev.pipelinex.scanners.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One finding of a scanner. {@code path} is relative to the repository root with {@code /}
 * separators (null when the finding has no file, such as a dependency known only by its
 * coordinates); lines start at 1, 0 when unknown. {@code fingerprint} stays the same when
 * unrelated lines move, so that a baseline can name the finding. A finding with a
 * {@code suppression} (a justification) is reported as suppressed, not as open.
 */
public record Finding(String ruleId, Severity severity, String message, String path, int startLine,
                      int endLine, String fingerprint, String suppression, Map<String, Object> properties) {

    public Finding {
        properties = properties == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(properties));
    }

    public boolean suppressed() {
        return suppression != null;
    }

    public Finding suppressedBecause(String justification) {
        return new Finding(ruleId, severity, message, path, startLine, endLine, fingerprint, justification, properties);
    }
}
