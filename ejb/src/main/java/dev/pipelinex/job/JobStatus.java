package dev.pipelinex.job;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The content of state.json: the single source of truth about a job while and after it runs.
 * Values are immutable; every change returns a new status stamped with {@code updatedAt}.
 */
public record JobStatus(String jobId, JobState state, int attempt, String runner,
                        List<StageState> stages, String error, Instant createdAt, Instant updatedAt) {

    public JobStatus {
        stages = List.copyOf(stages);
    }

    public static JobStatus queued(String jobId, List<StageState> stages, Instant now) {
        return new JobStatus(jobId, JobState.QUEUED, 0, null, stages, null, now, now);
    }

    public JobStatus running(int attemptNumber, String runnerName, Instant now) {
        return new JobStatus(jobId, JobState.RUNNING, attemptNumber, runnerName, stages, null, createdAt, now);
    }

    public JobStatus finished(JobState to, String why, Instant now) {
        return new JobStatus(jobId, to, attempt, runner, stages, why, createdAt, now);
    }

    public JobStatus withStage(String name, UnaryOperator<StageState> change, Instant now) {
        List<StageState> next = new ArrayList<>(stages.size());
        for (StageState s : stages) {
            next.add(s.name().equals(name) ? change.apply(s) : s);
        }
        return new JobStatus(jobId, state, attempt, runner, next, error, createdAt, now);
    }

    public StageState stage(String name) {
        return stages.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no stage " + name + " in job " + jobId));
    }
}
