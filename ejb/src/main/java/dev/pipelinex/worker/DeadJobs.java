package dev.pipelinex.worker;

import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobLocks;
import dev.pipelinex.job.JobMetadata;
import dev.pipelinex.job.JobState;
import dev.pipelinex.job.JobStatus;
import dev.pipelinex.job.StageState;
import dev.pipelinex.job.StageStatus;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.job.Workspaces;
import java.time.Clock;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The end of a job whose message reached the dead-letter queue: every delivery ended without a
 * final state (the node died or the worker was interrupted each time). The job is marked FAILED
 * with the reason, and stages still PENDING or RUNNING are CANCELLED, so no job stays RUNNING.
 */
public final class DeadJobs {

    private static final Logger LOG = Logger.getLogger(DeadJobs.class.getName());

    private final Workspaces workspaces;
    private final Clock clock;

    public DeadJobs(Workspaces workspaces, Clock clock) {
        this.workspaces = workspaces;
        this.clock = clock;
    }

    /** Marks the job FAILED unless it is unknown or already final; returns whether it did. */
    public boolean fail(String jobId) {
        Optional<Workspace> found = workspaces.find(jobId);
        if (found.isEmpty()) {
            LOG.warning("dead-letter message for unknown job " + jobId + " dropped");
            return false;
        }
        Workspace ws = found.get();
        JobMetadata metadata = JobFiles.readMetadata(ws);
        String[] why = {null};
        // Under the job's lock: a cancel or a late final state of the worker is never overwritten.
        JobLocks.update(ws, current -> {
            JobStatus status = current.orElseGet(() -> JobWorker.currentStatus(ws, metadata, clock));
            if (status.state().isFinal()) {
                return null;
            }
            for (StageState s : status.stages()) {
                if (!s.status().isFinal()) {
                    status = status.withStage(s.name(), st -> st.finished(StageStatus.CANCELLED,
                            "the job was given up", clock.instant()), clock.instant());
                }
            }
            why[0] = "the job's message was delivered " + (status.attempt() > 0 ? status.attempt() + " times" : "repeatedly")
                    + " without the job finishing (its node stopped or was interrupted each time); it was moved to the "
                    + "dead-letter queue PipelineJobsDLQ";
            return status.finished(JobState.FAILED, why[0], clock.instant());
        });
        if (why[0] == null) {
            return false;
        }
        dev.pipelinex.service.JobCounters.ended(JobState.FAILED);
        JobLog.stamped(ws.pipelineLog(), "job FAILED (" + why[0] + ")");
        return true;
    }
}
