package dev.pipelinex.access;

import dev.pipelinex.job.JobMetadata;
import java.util.Objects;

/**
 * Who is calling the API and what their roles let them do. {@code submitter} submits jobs and
 * sees its own; {@code viewer} sees every job and submits nothing; {@code admin} does both and
 * may cancel any job.
 */
public record Caller(String name, boolean submitter, boolean viewer, boolean admin) {

    public static final String SUBMITTER = "submitter";
    public static final String VIEWER = "viewer";
    public static final String ADMIN = "admin";

    public Caller {
        Objects.requireNonNull(name, "name");
    }

    public boolean maySubmit() {
        return submitter || admin;
    }

    public boolean seesAll() {
        return viewer || admin;
    }

    /** A job is visible to the submitter who submitted it, and to viewers and admins. */
    public boolean maySee(JobMetadata job) {
        return seesAll() || (submitter && name.equals(job.submittedBy()));
    }

    /** A job may be cancelled by whoever submitted it, and by admins. */
    public boolean mayCancel(JobMetadata job) {
        return admin || (submitter && name.equals(job.submittedBy()));
    }
}
