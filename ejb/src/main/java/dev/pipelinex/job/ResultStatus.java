package dev.pipelinex.job;

/** A stage's verdict in its result.json: ERROR means the tool itself could not do its work. */
public enum ResultStatus {
    PASSED, FAILED, ERROR, SKIPPED;

    public StageStatus toStageStatus() {
        return switch (this) {
            case PASSED -> StageStatus.PASSED;
            case FAILED, ERROR -> StageStatus.FAILED;
            case SKIPPED -> StageStatus.SKIPPED;
        };
    }
}
