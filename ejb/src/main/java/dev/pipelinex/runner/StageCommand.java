package dev.pipelinex.runner;

import dev.pipelinex.job.Workspace;
import dev.pipelinex.pipeline.Stage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One stage to run: its script in the job's installed pipeline, the deadline, the log, and
 * variables of this job the script reads (such as {@code PIPELINEX_SECRET_SCAN_MODE} or {@code PIPELINEX_SAST_PRUNING}).
 * A build {@code besideResolve} starts while the resolve stage still runs ({@link Runner#buildsBesideResolve()}):
 * on a Maven repository of its own process with the shared cache (and the proxy) behind it, never on
 * the job's repository that resolve is filling.
 *
 * <p>What the stage may touch: the project it sees ({@link #project()}), writable only for the
 * Maven stages' working copy, and the output folders of {@link #writes()}, nothing else of the
 * job. Its output stream is the server's to write into its log, at most {@link #maxLogBytes()}
 * of it; a {@link #split()} sends what follows a line of the build's to another stage's log.
 */
public record StageCommand(Workspace workspace, String stackId, String stage, Duration timeout, Map<String, String> env,
                           boolean besideResolve, Project project, List<String> writes, Split split,
                           long maxLogBytes) {

    /** Most bytes of a stage's log when nothing else is said ({@code pipelinex.stage.max-log-bytes}). */
    public static final long DEFAULT_MAX_LOG_BYTES = 64L << 20;

    /** The Maven repository of a build beside resolve: in the stage's own {@code /tmp}, gone with it. */
    public static final String PRIVATE_REPOSITORY = "/tmp/pipelinex-m2";

    /** Which copy of the project a stage sees as {@code APP_DIR}. */
    public enum Project {
        /** The job's working copy, writable: the Maven stages (resolve, build, test). */
        WORK(true),
        /** The project as admitted, read-only: the secret scan, SCA. */
        SOURCE(false),
        /** The server's copy of what the build left, read-only: SAST. */
        BUILT(false);

        private final boolean writable;

        Project(boolean writable) {
            this.writable = writable;
        }

        public boolean writable() {
            return writable;
        }

        public Path in(Workspace ws) {
            return switch (this) {
                case WORK -> ws.work();
                case SOURCE -> ws.source();
                case BUILT -> ws.built();
            };
        }
    }

    /**
     * A build whose process goes on as another stage: once the line {@code marker} is printed,
     * the rest of the output is {@code stage}'s log, and {@code reached} is called (once).
     */
    public record Split(String marker, String stage, Runnable reached) {
    }

    public StageCommand {
        env = env == null ? Map.of() : Map.copyOf(env);
        project = project == null ? defaultProject(stage) : project;
        writes = writes == null || writes.isEmpty() ? List.of(stage) : List.copyOf(writes);
        maxLogBytes = maxLogBytes > 0 ? maxLogBytes : DEFAULT_MAX_LOG_BYTES;
    }

    public StageCommand(Workspace workspace, String stackId, String stage, Duration timeout, Map<String, String> env,
                        boolean besideResolve) {
        this(workspace, stackId, stage, timeout, env, besideResolve, null, null, null, 0);
    }

    public StageCommand(Workspace workspace, String stackId, String stage, Duration timeout, Map<String, String> env) {
        this(workspace, stackId, stage, timeout, env, false);
    }

    public StageCommand(Workspace workspace, String stackId, String stage, Duration timeout) {
        this(workspace, stackId, stage, timeout, Map.of());
    }

    /** The copy of the project a stage sees when nothing else is said: the Maven stages build in the work copy, the scanners read the source. */
    public static Project defaultProject(String stage) {
        return Stage.byId(stage).map(s -> switch (s) {
            case RESOLVE, BUILD, TEST -> Project.WORK;
            case SAST, SCA, SECRETS -> Project.SOURCE;
        }).orElse(Project.SOURCE);
    }

    public Path pipelineDir() {
        return workspace.pipelines().resolve(stackId);
    }

    public Path script() {
        return pipelineDir().resolve(stage + ".sh");
    }

    /** The stage's log: the server's file, written from the process's output. */
    public Path log() {
        return workspace.stageLog(stage);
    }

    /** The project folder on this machine that the stage sees as {@code APP_DIR}. */
    public Path appDir() {
        return project.in(workspace);
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
