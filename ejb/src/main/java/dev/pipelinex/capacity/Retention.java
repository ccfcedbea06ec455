package dev.pipelinex.capacity;

import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobLocks;
import dev.pipelinex.job.JobStatus;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.job.Workspaces;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Removes the workspaces of finished jobs (SUCCEEDED, FAILED, CANCELLED) that ended longer
 * than {@code maxAge} ago, by the {@code updated_at} of their final state. A QUEUED or RUNNING
 * job, or one without a readable state, is never touched. Several nodes may run it at once:
 * a workspace another node removed first is simply gone.
 */
public final class Retention {

    private static final Logger LOG = Logger.getLogger(Retention.class.getName());

    private final Workspaces workspaces;
    private final Duration maxAge;
    private final Clock clock;

    public Retention(Workspaces workspaces, Duration maxAge, Clock clock) {
        this.workspaces = workspaces;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** Removes the old finished jobs; returns how many. */
    public int purge() {
        Instant before = clock.instant().minus(maxAge);
        int removed = 0;
        for (Workspace ws : workspaces.all()) {
            Optional<JobStatus> status;
            try {
                status = JobFiles.readStatus(ws);
            } catch (RuntimeException e) {
                continue;
            }
            if (status.isPresent() && status.get().state().isFinal() && status.get().updatedAt() != null
                    && status.get().updatedAt().isBefore(before)) {
                try {
                    workspaces.delete(ws);
                    JobLocks.forget(ws.jobId());
                    removed++;
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "cannot remove the workspace of finished job " + ws.jobId(), e);
                }
            }
        }
        if (removed > 0) {
            LOG.info("removed the workspaces of " + removed + " jobs that ended more than " + maxAge + " ago");
        }
        return removed;
    }
}
