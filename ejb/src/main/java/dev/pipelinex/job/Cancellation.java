package dev.pipelinex.job;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Cancelling a job: a {@code cancel} marker file in the workspace, then state.json CANCELLED
 * (stages that were RUNNING become CANCELLED, those still PENDING SKIPPED), both under the job's
 * lock. The worker of the job, on whichever node, sees the marker or the state within about a
 * second, stops the runner and never writes over the CANCELLED state.
 */
public final class Cancellation {

    public static final String MARKER = "cancel";
    public static final String NOT_RUN = "not run: the job was cancelled";
    public static final String STOPPED = "stopped: the job was cancelled";

    private Cancellation() {
    }

    public static Path marker(Workspace ws) {
        return ws.dir().resolve(MARKER);
    }

    /** True when a cancel was asked for: the marker exists or state.json says CANCELLED. */
    public static boolean requested(Workspace ws) {
        if (Files.exists(marker(ws))) {
            return true;
        }
        try {
            return JobFiles.readStatus(ws).map(s -> s.state() == JobState.CANCELLED).orElse(false);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Cancels a QUEUED or RUNNING job and returns its CANCELLED state; a job already final is
     * refused with {@link Refusal#JOB_ALREADY_FINAL}.
     */
    public static JobStatus cancel(Workspace ws, Clock clock) {
        Optional<JobStatus> after = JobLocks.update(ws, current -> {
            JobStatus status = current.orElseThrow(() -> new RequestRefusedException(Refusal.JOB_NOT_FOUND,
                    "job " + ws.jobId() + " has no state yet"));
            if (status.state().isFinal()) {
                throw new RequestRefusedException(Refusal.JOB_ALREADY_FINAL, "job " + ws.jobId() + " is already "
                        + status.state() + "; only a QUEUED or RUNNING job can be cancelled");
            }
            Instant now = clock.instant();
            JobFiles.write(marker(ws), new Marker(now, status.state()));
            return cancelled(status, now);
        });
        return after.orElseThrow();
    }

    /** The state a cancel leaves: CANCELLED, no stage RUNNING or PENDING. */
    public static JobStatus cancelled(JobStatus status, Instant now) {
        for (StageState s : status.stages()) {
            if (s.status() == StageStatus.RUNNING) {
                status = status.withStage(s.name(), st -> st.finished(StageStatus.CANCELLED, STOPPED, now), now);
            } else if (s.status() == StageStatus.PENDING) {
                status = status.withStage(s.name(), st -> st.finished(StageStatus.SKIPPED, NOT_RUN, now), now);
            }
        }
        return status.finished(JobState.CANCELLED, "cancelled on request while " + status.state(), now);
    }

    /** What the marker file records. */
    public record Marker(Instant requestedAt, JobState wasState) {
    }
}
