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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * A build stage whose process goes on with the tests, so that the project's lifecycle (its
 * validate-phase checks, the up-to-date checks of the compiler, Maven's start) runs once rather
 * than once per stage. The script is told with {@value #VARIABLE}; when it takes the offer, it
 * writes the build's result as soon as everything is compiled, with {@code summary.tests_follow}
 * true, and the tests' output and result under the test stage. The build stage then ends and its
 * dependents (SAST) start while the same process runs the tests as the test stage. A script that
 * does not take it writes its result at its end as usual, and the tests run in a stage of their own.
 */
final class BuildWithTests {

    /** The variable that offers the build script to run the tests as well. */
    static final String VARIABLE = "PIPELINEX_TESTS_FOLLOW";
    /** How often the build's result is looked for while the process runs. */
    private static final long POLL_MS = 50;

    private final Workspace ws;
    private final Future<StageRun> process;

    private BuildWithTests(Workspace ws, Future<StageRun> process) {
        this.ws = ws;
        this.process = process;
    }

    /**
     * Starts the process on the executor. The test stage's folder is made afresh first, with an
     * empty log the script appends the tests' output to (a runner hands reports/ to the stage's
     * user before it starts, this log with it). {@code exits} gets the latch of the process's end.
     */
    static BuildWithTests start(Runner runner, StageCommand build, ExecutorService executor,
                                Map<String, CountDownLatch> exits) {
        Workspace ws = build.workspace();
        String test = Stage.TEST.id();
        Workspaces.deleteTree(ws.stageReports(test));
        try {
            Files.createDirectories(ws.stageReports(test));
            Files.createFile(ws.stageLog(test));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the test stage's folder: " + e.getMessage(), e);
        }
        return new BuildWithTests(ws, executor.submit(JobWorker.counted(Stage.BUILD.id(), exits, () -> runner.run(build))));
    }

    /** Whether a build result says its process goes on with the tests. */
    static boolean testsFollow(StageResult result) {
        return result.status() == ResultStatus.PASSED && Boolean.TRUE.equals(result.summary().get("tests_follow"));
    }

    /**
     * The build's result: as soon as the script has written one that says the tests follow, else
     * {@code verdict} of the process once it has ended.
     */
    StageResult awaitBuild(Function<StageRun, StageResult> verdict) throws InterruptedException {
        while (true) {
            boolean ended = process.isDone();
            Optional<StageResult> written = written();
            if (written.isPresent() && testsFollow(written.get())) {
                // The process's exit code is the tests' now.
                return written.get();
            }
            if (ended) {
                return verdict.apply(awaitProcess());
            }
            Thread.sleep(POLL_MS);
        }
    }

    /** The process's end. */
    StageRun awaitProcess() throws InterruptedException {
        return JobWorker.get(process);
    }

    /** Stops the process (the runner kills it) if it still runs. */
    void stop() {
        process.cancel(true);
    }

    /** The build's result.json so far; one being written or unreadable counts as none yet. */
    private Optional<StageResult> written() {
        try {
            return JobFiles.readResult(ws, Stage.BUILD.id());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
