package dev.pipelinex.job;

import java.nio.file.Path;

/**
 * The folder of one job and the names of everything in it. What a job's processes may write
 * ({@link #work()}, {@link #output(String)}, {@link #mavenRepository()}) is apart from what the
 * server owns and serves ({@link #source()} as admitted, {@link #built()}, {@link #reports()},
 * {@link #control()}, metadata.json, state.json): a stage never sees the server's folders
 * writable, and the server copies a stage's files into them only without following links.
 */
public record Workspace(String jobId, Path dir) {

    /** The project as admitted: read-only to every stage; the secret scan and SCA read it. */
    public Path source() {
        return dir.resolve("source");
    }

    /** The job's working copy of the project, made afresh from {@link #source()} for each attempt: what Maven builds and tests. */
    public Path work() {
        return dir.resolve("work");
    }

    /**
     * The server's copy of the project as the build left it (sources, POMs, classes, class paths),
     * taken before any test ran: what SAST reads, so that no test can change what it analyses.
     */
    public Path built() {
        return dir.resolve("built");
    }

    /** Where a stage writes its files ({@code REPORTS_DIR/<stage>}): the stage's alone; ingested into {@link #stageReports} once it ends. */
    public Path output(String stage) {
        return outputs().resolve(stage);
    }

    public Path outputs() {
        return dir.resolve("out");
    }

    /** Files the server gives stages to read (never to write), such as the signal that a build's tests may start. */
    public Path control() {
        return dir.resolve("control");
    }

    public Path pipelines() {
        return dir.resolve("pipelines");
    }

    /** The job's own Maven repository, which its resolve stage fills (removed when the job ends). */
    public Path mavenRepository() {
        return dir.resolve("m2");
    }

    /** The server's reports: every stage's validated result, its log (written by the server), its ingested files. */
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
