package dev.pipelinex.job;

/** A stage's status in state.json. */
public enum StageStatus {
    PENDING, RUNNING, PASSED, FAILED, SKIPPED, CANCELLED;

    public boolean isFinal() {
        return this != PENDING && this != RUNNING;
    }
}
