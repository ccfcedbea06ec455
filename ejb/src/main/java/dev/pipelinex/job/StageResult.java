package dev.pipelinex.job;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;

/**
 * A stage's result.json, written by the stage script:
 * {@code summary} holds {@code tests{passed, failed, skipped}} or {@code findings{critical, …}}.
 * Its schema is {@link ResultSchema}, which the server checks a stage's result against.
 */
@JsonPropertyOrder({"schema", "stage", "status", "duration_ms", "message", "summary"})
public record StageResult(String stage, ResultStatus status, long durationMs, String message,
                          Map<String, Object> summary) {

    public StageResult {
        summary = summary == null ? Map.of() : Map.copyOf(summary);
    }

    /** The version of the result's schema, written first in every result.json. */
    @JsonProperty("schema")
    public int schema() {
        return ResultSchema.VERSION;
    }
}
