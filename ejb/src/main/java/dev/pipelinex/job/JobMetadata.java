package dev.pipelinex.job;

import java.time.Instant;
import java.util.List;

/**
 * The content of metadata.json: written once at admission, never changed.
 * {@code stages} is the plan, in order; stages the client switched off are not in it.
 * {@code submittedBy} is the account that submitted the job (null for jobs from before accounts).
 */
public record JobMetadata(String jobId, Instant createdAt, JobSource source,
                          JobRequest.Stack stack, JobRequest.Versions versions,
                          JobRequest.PipelineOptions pipeline, String stackId,
                          Admission admission, List<String> stages, String submittedBy) {

    public JobMetadata {
        stages = List.copyOf(stages);
    }

    /** A job with no recorded submitter. */
    public JobMetadata(String jobId, Instant createdAt, JobSource source, JobRequest.Stack stack,
                       JobRequest.Versions versions, JobRequest.PipelineOptions pipeline, String stackId,
                       Admission admission, List<String> stages) {
        this(jobId, createdAt, source, stack, versions, pipeline, stackId, admission, stages, null);
    }

    /** The admission verdict as recorded: outcome and the warnings a person should read. */
    public record Admission(String outcome, List<String> warnings) {
        public Admission {
            warnings = List.copyOf(warnings);
        }
    }
}
