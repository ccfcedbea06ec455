package dev.pipelinex.job;

import java.time.Instant;

/** One stage's entry in state.json. */
public record StageState(String name, StageStatus status, String message,
                         Instant startedAt, Instant finishedAt, Long durationMs) {

    public static StageState pending(String name) {
        return new StageState(name, StageStatus.PENDING, null, null, null, null);
    }

    public static StageState skipped(String name, String message) {
        return new StageState(name, StageStatus.SKIPPED, message, null, null, null);
    }

    public StageState started(Instant at) {
        return new StageState(name, StageStatus.RUNNING, null, at, null, null);
    }

    public StageState finished(StageStatus to, String why, Instant at) {
        Long took = startedAt == null ? null : at.toEpochMilli() - startedAt.toEpochMilli();
        return new StageState(name, to, why, startedAt, startedAt == null ? null : at, took);
    }
}
