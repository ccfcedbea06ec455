package dev.pipelinex.job;

import java.nio.file.Path;

/** The folder of one job and the names of everything in it. */
public record Workspace(String jobId, Path dir) {

    public Path source() {
        return dir.resolve("source");
    }

    public Path pipelines() {
        return dir.resolve("pipelines");
    }

    /** The job's own Maven repository, which its resolve stage fills (removed when the job ends). */
    public Path mavenRepository() {
        return dir.resolve("m2");
    }

    public Path reports() {
        return dir.resolve("reports");
    }

    public Path stageReports(String stage) {
        return reports().resolve(stage);
    }

    public Path stageLog(String stage) {
        return stageReports(stage).resolve(stage + ".log");
    }

    public Path resultFile(String stage) {
        return stageReports(stage).resolve("result.json");
    }

    /** The job's own log: the runner's stage markers and what the worker did. */
    public Path pipelineLog() {
        return reports().resolve("pipeline.log");
    }

    public Path metadataFile() {
        return dir.resolve("metadata.json");
    }

    public Path stateFile() {
        return dir.resolve("state.json");
    }
}
