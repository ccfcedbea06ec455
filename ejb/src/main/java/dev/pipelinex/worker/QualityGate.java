package dev.pipelinex.worker;

import dev.pipelinex.job.JobRequest;
import dev.pipelinex.job.ResultStatus;
import dev.pipelinex.job.StageResult;
import java.util.Map;
import java.util.Optional;

/**
 * The job's quality gate ({@code pipeline.fail_on}: a severity): a scanner stage that passed
 * but reported open findings at or above that severity fails. Without a gate, findings are
 * reported and the stage passes.
 */
final class QualityGate {

    private QualityGate() {
    }

    /** The failed result, when {@code result} breaches the gate; empty otherwise. */
    static Optional<StageResult> apply(StageResult result, String failOn) {
        if (failOn == null || result.status() != ResultStatus.PASSED
                || !(result.summary().get("findings") instanceof Map<?, ?> findings)) {
            return Optional.empty();
        }
        int limit = JobRequest.PipelineOptions.SEVERITIES.indexOf(failOn);
        if (limit < 0) {
            return Optional.empty();
        }
        long breaching = 0;
        for (String severity : JobRequest.PipelineOptions.SEVERITIES.subList(0, limit + 1)) {
            if (findings.get(severity) instanceof Number n) {
                breaching += n.longValue();
            }
        }
        if (breaching == 0) {
            return Optional.empty();
        }
        String why = breaching + (breaching == 1 ? " finding" : " findings") + " at or above " + failOn
                + " (quality gate pipeline.fail_on)";
        String message = result.message() == null || result.message().isBlank() ? why : result.message() + "; " + why;
        return Optional.of(new StageResult(result.stage(), ResultStatus.FAILED, result.durationMs(), message,
                result.summary()));
    }
}
