package dev.pipelinex.runner;

import dev.pipelinex.job.Workspace;
import dev.pipelinex.pipeline.Stage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * One stage to run: its script in the job's installed pipeline, the deadline, the log, and
 * variables of this job the script reads (such as {@code PIPELINEX_SECRET_SCAN_MODE} or {@code PIPELINEX_SAST_PRUNING}).
 * A build {@code besideResolve} starts while the resolve stage still runs ({@link Runner#buildsBesideResolve()}):
 * offline, on a Maven repository of its own process with the shared cache behind it, never on
 * the job's repository that resolve is filling.
 */
public record StageCommand(Workspace workspace, String stackId, String stage, Duration timeout, Map<String, String> env,
                           boolean besideResolve) {

    /** The Maven repository of a build beside resolve: in the stage's own {@code /tmp}, gone with it. */
    public static final String PRIVATE_REPOSITORY = "/tmp/pipelinex-m2";

    public StageCommand {
        env = env == null ? Map.of() : Map.copyOf(env);
    }

    public StageCommand(Workspace workspace, String stackId, String stage, Duration timeout, Map<String, String> env) {
        this(workspace, stackId, stage, timeout, env, false);
    }

    public StageCommand(Workspace workspace, String stackId, String stage, Duration timeout) {
        this(workspace, stackId, stage, timeout, Map.of());
    }

    public Path pipelineDir() {
        return workspace.pipelines().resolve(stackId);
    }

    public Path script() {
        return pipelineDir().resolve(stage + ".sh");
    }

    public Path log() {
        return workspace.stageLog(stage);
    }

    /** Whether this is the resolve stage: the one with network, which fills the job's Maven repository. */
    public boolean resolve() {
        return Stage.RESOLVE.id().equals(stage);
    }

    /** Whether the stage runs at a lower CPU priority ({@link Stage#background()}). */
    public boolean background() {
        return Stage.byId(stage).map(Stage::background).orElse(false);
    }
}
