package dev.pipelinex.job;

/**
 * Every kind of refusal the API can answer with. The slug is part of the problem type URI and
 * stays stable across versions; clients may switch on it.
 */
public enum Refusal {
    MALFORMED_REQUEST(400, "malformed-request", "The request is malformed"),
    INVALID_METADATA(400, "invalid-metadata", "The job metadata is invalid"),
    INVALID_ARCHIVE(400, "invalid-archive", "The project archive cannot be used"),
    INVALID_REPOSITORY_URL(400, "invalid-repository-url", "The repository URL is not allowed"),
    TOO_LARGE(413, "too-large", "The project is too large"),
    REQUEST_TOO_LARGE(413, "request-too-large", "The request is too large"),
    HEADER_TOO_LARGE(431, "header-too-large", "A request header is too large"),
    ADMISSION_REFUSED(422, "admission-refused", "The project does not meet the stack's contract"),
    UNSUPPORTED_STACK(422, "unsupported-stack", "The stack or versions are not served here"),
    NO_STAGE(422, "no-stage", "The job would run no stage"),
    CLONE_FAILED(422, "clone-failed", "The repository could not be cloned"),
    FORBIDDEN(403, "forbidden", "Your account's roles do not allow this"),
    JOB_NOT_FOUND(404, "job-not-found", "No such job"),
    REPORT_NOT_FOUND(404, "report-not-found", "No such report"),
    JOB_ALREADY_FINAL(409, "job-already-final", "The job has already ended"),
    QUEUE_FULL(429, "queue-full", "Too many jobs are waiting"),
    ACCOUNT_QUEUE_FULL(429, "account-queue-full", "Too many of this account's jobs are waiting"),
    TOO_MANY_STREAMS(429, "too-many-streams", "Too many event streams are open"),
    SIGN_IN_THROTTLED(429, "sign-in-throttled", "Too many failed sign-ins"),
    QUEUE_UNAVAILABLE(503, "queue-unavailable", "The job queue is unavailable"),
    STORAGE_LOW(503, "storage-low", "The workspace disk is nearly full");

    private final int status;
    private final String slug;
    private final String title;

    Refusal(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }
}
