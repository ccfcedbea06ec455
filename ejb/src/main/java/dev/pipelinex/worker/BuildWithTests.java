package dev.pipelinex.worker;

import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.ResultStatus;
import dev.pipelinex.job.StageResult;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.job.Workspaces;
import dev.pipelinex.pipeline.Stage;
import dev.pipelinex.runner.Runner;
import dev.pipelinex.runner.StageCommand;
import dev.pipelinex.runner.StageRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A build stage whose process goes on with the tests, so that the project's lifecycle (its
 * validate-phase checks, the up-to-date checks of the compiler, Maven's start) runs once rather
 * than once per stage. The script is told with {@value #VARIABLE}; when it takes the offer, a
 * Maven extension prints {@value #MARKER} once everything is compiled and then waits, before any
 * test runs, until the server lets it go on ({@link StageFiles#TESTS_MAY_START}). The server
 * sees that line in the process's output ({@link StageCommand.Split}), takes SAST's copy of what
 * was compiled, writes the build's result itself (with {@code summary.tests_follow} true) and lets
 * the tests start; the rest of the output is the test stage's log. A script that does not take
 * the offer writes its result at its end as usual, and the tests run in a stage of their own.
 */
final class BuildWithTests {

    /** The variable that offers the build script to run the tests as well. */
    static final String VARIABLE = "PIPELINEX_TESTS_FOLLOW";
    /** The line the Maven extension prints once everything is compiled (its {@code CompiledSignal.LINE}). */
    static final String MARKER = "[PIPELINEX] compiled; the tests follow";
    /** How long SAST's copy may take before the build is failed (a copy that hangs on a file the build swapped in). */
    static final long SNAPSHOT_WAIT_S = 120;

    private final Workspace ws;
    private final Future<StageRun> process;
    private final CountDownLatch compiled;
    private final ExecutorService executor;
    private final long started = System.nanoTime();

    private BuildWithTests(Workspace ws, Future<StageRun> process, CountDownLatch compiled, ExecutorService executor) {
        this.ws = ws;
        this.process = process;
        this.compiled = compiled;
        this.executor = executor;
    }

    /**
     * Starts the process on the executor, writing the build's and the test stage's output
     * folders. {@code exits} gets the latch of the process's end.
     */
    static BuildWithTests start(Runner runner, StageCommand build, ExecutorService executor,
                                Map<String, CountDownLatch> exits) {
        Workspace ws = build.workspace();
        String test = Stage.TEST.id();
        Workspaces.deleteTree(ws.stageReports(test));
        StageFiles.freshOutput(ws, test);
        try {
            Files.deleteIfExists(ws.control().resolve(StageFiles.TESTS_MAY_START));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reset the tests' start signal: " + e.getMessage(), e);
        }
        CountDownLatch compiled = new CountDownLatch(1);
        StageCommand both = new StageCommand(ws, build.stackId(), build.stage(), build.timeout(), build.env(),
                build.besideResolve(), StageCommand.Project.WORK, List.of(build.stage(), test),
                new StageCommand.Split(MARKER, test, compiled::countDown), build.maxLogBytes());
        return new BuildWithTests(ws, executor.submit(JobWorker.counted(Stage.BUILD.id(), exits, () -> runner.run(both))), compiled,
                executor);
    }

    /** Whether a build result says its process goes on with the tests. */
    static boolean testsFollow(StageResult result) {
        return result.status() == ResultStatus.PASSED && Boolean.TRUE.equals(result.summary().get("tests_follow"));
    }

    /**
     * The build's result: as soon as the process says everything is compiled (SAST's copy taken,
     * the tests let go on), else {@code verdict} of the process once it has ended.
     */
    StageResult awaitBuild(Function<StageRun, StageResult> verdict) throws InterruptedException {
        while (true) {
            boolean ended = process.isDone();
            if (compiled.await(ended ? 0 : 50, TimeUnit.MILLISECONDS)) {
                return compiled();
            }
            if (ended) {
                return verdict.apply(awaitProcess());
            }
        }
    }

    /** Everything is compiled and the build waits: SAST's copy, the build's result, then the tests may start. */
    private StageResult compiled() throws InterruptedException {
        // On the stages' executor (the server's managed threads), so that a copy that hangs holds one of those, not a JVM-wide pool's.
        Future<?> copy = executor.submit(() -> StageFiles.snapshot(ws));
        try {
            copy.get(SNAPSHOT_WAIT_S, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            stop();
            String why = e instanceof java.util.concurrent.TimeoutException
                    ? "SAST's copy of the compiled project took longer than " + SNAPSHOT_WAIT_S + " s"
                    : e.getCause().getMessage();
            StageResult failed = new StageResult(Stage.BUILD.id(), ResultStatus.ERROR, elapsed(), why, Map.of());
            JobFiles.writeResult(ws, failed);
            return failed;
        }
        StageResult result = new StageResult(Stage.BUILD.id(), ResultStatus.PASSED, elapsed(),
                "the project compiled (main and test sources); its tests run next in the same Maven run",
                Map.of("tests_follow", true));
        JobFiles.writeResult(ws, result);
        StageFiles.letTestsStart(ws);
        return result;
    }

    private long elapsed() {
        return (System.nanoTime() - started) / 1_000_000;
    }

    /** The process's end. */
    StageRun awaitProcess() throws InterruptedException {
        return JobWorker.get(process);
    }

    /** Stops the process (the runner kills it) if it still runs. */
    void stop() {
        process.cancel(true);
    }
}
