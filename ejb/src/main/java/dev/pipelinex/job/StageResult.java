package dev.pipelinex.job;

import java.util.Map;

/**
 * A stage's result.json, written by the stage script:
 * {@code summary} holds {@code tests{passed, failed, skipped}} or {@code findings{critical, …}}.
 */
public record StageResult(String stage, ResultStatus status, long durationMs, String message,
                          Map<String, Object> summary) {

    public StageResult {
        summary = summary == null ? Map.of() : Map.copyOf(summary);
    }
}
