package dev.pipelinex.runner;

import dev.pipelinex.job.Workspace;
import java.nio.file.Path;
import java.time.Duration;

/** One stage to run: its script in the job's installed pipeline, the deadline and the log. */
public record StageCommand(Workspace workspace, String stackId, String stage, Duration timeout) {

    public Path pipelineDir() {
        return workspace.pipelines().resolve(stackId);
    }

    public Path script() {
        return pipelineDir().resolve(stage + ".sh");
    }

    public Path log() {
        return workspace.stageLog(stage);
    }
}
