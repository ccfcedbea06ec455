package dev.pipelinex.job;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Where a job's source came from: an uploaded ZIP or a cloned repository. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobSource(String type, String filename, String url, String commit) {

    public static JobSource upload(String filename) {
        return new JobSource("upload", filename, null, null);
    }

    public static JobSource git(String url, String commit) {
        return new JobSource("github", null, url, commit);
    }
}
