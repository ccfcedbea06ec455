package dev.pipelinex.service;

import dev.pipelinex.job.Cancellation;
import dev.pipelinex.job.JobMetadata;
import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.worker.JobWorker;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.logging.Logger;

/**
 * Cancels a QUEUED or RUNNING job: the state and marker go to the shared workspace (so the
 * worker on any node sees them), and this node's worker is woken at once in case it runs the job.
 */
@ApplicationScoped
public class JobCancellation {

    private static final Logger LOG = Logger.getLogger(JobCancellation.class.getName());

    @Inject
    private JobQueries queries;

    @Inject
    private JobWorker worker;

    public JobQueries.JobView cancel(String jobId) {
        Workspace ws = queries.workspace(jobId);
        JobMetadata metadata = JobFiles.readMetadata(ws);
        var status = Cancellation.cancel(ws, Clock.systemUTC());
        worker.wake(jobId);
        JobCounters.ended(status.state());
        LOG.info("job " + jobId + " cancelled (" + status.error() + ")");
        return new JobQueries.JobView(metadata, status);
    }
}
