package dev.pipelinex.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobRequest;
import dev.pipelinex.job.JobState;
import dev.pipelinex.job.JobStatus;
import dev.pipelinex.job.ResultStatus;
import dev.pipelinex.job.StageStatus;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.job.Workspaces;
import dev.pipelinex.runner.StageCommand;
import dev.pipelinex.runner.StageOutput;
import dev.pipelinex.runner.StageRun;
import dev.pipelinex.worker.JobWorkerTest.Behaviour;
import dev.pipelinex.worker.JobWorkerTest.FakeRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A build stage whose process goes on with the tests ({@link BuildWithTests}), through the worker. */
class BuildWithTestsTest {

    private static final List<String> ALL = List.of("resolve", "build", "test", "sast", "sca", "secrets");
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path root;

    private Workspaces workspaces;
    private FakeRunner runner;
    private final ExecutorService executor = Executors.newCachedThreadPool();

    @BeforeEach
    void setUp() {
        workspaces = new Workspaces(root);
        runner = new FakeRunner();
    }

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
    }

    private JobWorker worker(boolean testsInBuild) {
        return new JobWorker(workspaces, runner, TIMEOUT, Clock.systemUTC(), executor, 2, Duration.ofMillis(100),
                new JobWorker.Overlaps(testsInBuild, true));
    }

    private Workspace job(List<String> stages) {
        return JobWorkerTest.newJob(workspaces, stages, JobRequest.PipelineOptions.ALL);
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A result.json as a script writes it, in the stage's output folder. */
    static void result(Workspace ws, String stage, String status, String summary) {
        Path tmp = ws.output(stage).resolve(".result.json.tmp");
        write(tmp, "{\"schema\": 1, \"stage\": \"" + stage + "\", \"status\": \"" + status + "\", \"duration_ms\": 100, \"message\": \""
                + stage + " " + status + "\", \"summary\": " + summary + "}\n");
        try {
            Files.move(tmp, ws.output(stage).resolve("result.json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the test stage has begun: its log has the server's START line and the job's state says so. */
    static boolean testStarted(Workspace ws) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try {
                if (Files.readString(ws.stageLog("test")).contains("[PIPELINE] START test")
                        && JobFiles.readStatus(ws).map(s -> s.stage("test").startedAt() != null).orElse(false)) {
                    return true;
                }
            } catch (IOException | RuntimeException e) {
                // not there yet
            }
            Thread.sleep(10);
        }
        return false;
    }

    /**
     * The build script taking the offer: the build's result with tests_follow, then (once the
     * test stage has started and {@code before} is open) the tests' output and result.
     */
    private static Behaviour buildThenTests(CountDownLatch before, String testStatus, int exit) {
        return c -> {
            Workspace ws = c.workspace();
            try (Out out = output(c)) {
                print(out, "compiling");
                compiled(c, out);
                if (!testStarted(ws)) {
                    return new StageRun(3, false, 100);
                }
                if (!before.await(10, TimeUnit.SECONDS)) {
                    return new StageRun(4, false, 100);
                }
                print(out, "running tests");
            }
            result(ws, "test", testStatus, "{\"tests\": {\"passed\": 3, \"failed\": " + (exit == 0 ? 0 : 1) + ", \"skipped\": 0}}");
            return new StageRun(exit, false, 100);
        };
    }

    /** The runner's writer of the stage's output, as a real runner has it ({@link StageOutput}). */
    record Out(StageOutput stream) implements AutoCloseable {
        @Override
        public void close() {
            try {
                stream.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static Out output(StageCommand c) {
        try {
            return new Out(new StageOutput(c));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void print(Out out, String line) {
        try {
            out.stream().write((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What the Maven extension does once everything is compiled: its line, then a wait until the
     * server lets the tests start (a build whose tests started before would fail here).
     */
    static void compiled(StageCommand c, Out out) throws InterruptedException {
        print(out, BuildWithTests.MARKER);
        Path go = c.workspace().control().resolve(StageFiles.TESTS_MAY_START);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(go)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the server never let the tests start");
            }
            Thread.sleep(5);
        }
        if (!Files.isDirectory(c.workspace().built())) {
            throw new IllegalStateException("the tests were let go before SAST's copy was taken");
        }
    }

    /** The build script taking the offer, whose process then ends as {@code end} says, with no test result. */
    private static Behaviour buildThenEnd(StageRun end) {
        return c -> {
            try (Out out = output(c)) {
                compiled(c, out);
            }
            testStarted(c.workspace());
            return end;
        };
    }

    @Test
    void theTestsRunInTheBuildsProcessWhileSastRuns() throws Exception {
        Workspace ws = job(ALL);
        CountDownLatch sastStarted = new CountDownLatch(1);
        runner.stages.put("build", buildThenTests(sastStarted, "PASSED", 0));
        runner.stages.put("sast", c -> {
            sastStarted.countDown();
            return JobWorkerTest.exit(c, 0, "PASSED", "sast passed");
        });
        worker(true).run(ws.jobId(), 1);

        JobStatus s = JobFiles.readStatus(ws).orElseThrow();
        assertEquals(JobState.SUCCEEDED, s.state(), "SAST ran while the tests ran: " + s.error());
        assertFalse(runner.stageNames().contains("test"), "no process of its own for the test stage: " + runner.stageNames());
        StageCommand build = runner.calls.stream().filter(c -> c.stage().equals("build")).findFirst().orElseThrow();
        assertEquals("true", build.env().get(BuildWithTests.VARIABLE), "the build script is offered the tests");
        assertEquals(TIMEOUT.multipliedBy(2), build.timeout(), "the one process has the deadline of both stages");
        assertEquals(StageStatus.PASSED, s.stage("build").status());
        assertEquals(StageStatus.PASSED, s.stage("test").status());
        assertEquals("test PASSED", s.stage("test").message(), "the test stage's result is the one the script wrote");
        assertEquals(List.of("build", "test"), build.writes(), "the one process writes the output folders of both stages");
        assertTrue(Files.isRegularFile(ws.built().resolve("pom.xml")), "SAST's copy of the project was taken");
        assertFalse(s.stage("test").startedAt().isBefore(s.stage("build").finishedAt()),
                "the test stage starts when the build ends");
        String testLog = Files.readString(ws.stageLog("test"));
        assertTrue(testLog.startsWith("[PIPELINE] START test\nrunning tests\n"), testLog);
        assertTrue(testLog.endsWith("[PIPELINE] END test PASSED\n"), testLog);
        String buildLog = Files.readString(ws.stageLog("build"));
        assertTrue(buildLog.contains("compiling\n[PIPELINE] END build PASSED"), buildLog);
        assertFalse(buildLog.contains("running tests"), buildLog);
    }

    @Test
    void failingTestsFailTheTestStageOnly() throws Exception {
        Workspace ws = job(List.of("resolve", "build", "test"));
        runner.stages.put("build", buildThenTests(new CountDownLatch(0), "FAILED", 1));
        worker(true).run(ws.jobId(), 1);

        JobStatus s = JobFiles.readStatus(ws).orElseThrow();
        assertEquals(JobState.FAILED, s.state());
        assertEquals(StageStatus.PASSED, s.stage("build").status(), "the exit code is the tests' once the build passed");
        assertEquals(StageStatus.FAILED, s.stage("test").status());
        assertEquals("stage test failed: test FAILED", s.error());
    }

    @Test
    void aBuildThatFailsSkipsTheTestsAsBefore() throws Exception {
        Workspace ws = job(List.of("resolve", "build", "test"));
        runner.stages.put("build", c -> JobWorkerTest.exit(c, 1, "FAILED", "the Maven build failed"));
        worker(true).run(ws.jobId(), 1);

        JobStatus s = JobFiles.readStatus(ws).orElseThrow();
        assertEquals(StageStatus.FAILED, s.stage("build").status());
        assertEquals(StageStatus.SKIPPED, s.stage("test").status());
        assertEquals(List.of("resolve", "build"), runner.stageNames());
        assertEquals(ResultStatus.SKIPPED, JobFiles.readResult(ws, "test").orElseThrow().status());
    }

    @Test
    void aScriptThatDeclinesLeavesTheTestsToTheirOwnStage() throws Exception {
        Workspace ws = job(List.of("resolve", "build", "test"));
        worker(true).run(ws.jobId(), 1);

        assertEquals(List.of("resolve", "build", "test"), runner.stageNames());
        JobStatus s = JobFiles.readStatus(ws).orElseThrow();
        assertEquals(JobState.SUCCEEDED, s.state());
        StageCommand test = runner.calls.get(2);
        assertEquals(TIMEOUT, test.timeout());
        assertNull(test.env().get(BuildWithTests.VARIABLE));
    }

    @Test
    void aProcessThatEndsWithoutTheTestsResultIsAnError() throws Exception {
        Workspace ws = job(List.of("resolve", "build", "test"));
        runner.stages.put("build", buildThenEnd(new StageRun(137, false, 100)));
        worker(true).run(ws.jobId(), 1);

        JobStatus s = JobFiles.readStatus(ws).orElseThrow();
        assertEquals(StageStatus.PASSED, s.stage("build").status());
        assertEquals(StageStatus.FAILED, s.stage("test").status());
        assertTrue(s.stage("test").message().contains("exited with code 137 without writing result.json"), s.stage("test").message());
    }

    @Test
    void aDeadlineOfTheOneProcessIsTheTestStages() throws Exception {
        Workspace ws = job(List.of("resolve", "build", "test"));
        runner.stages.put("build", buildThenEnd(new StageRun(-1, true, 100)));
        worker(true).run(ws.jobId(), 1);

        JobStatus s = JobFiles.readStatus(ws).orElseThrow();
        assertEquals(StageStatus.FAILED, s.stage("test").status());
        assertTrue(s.stage("test").message().contains("ran past their deadline of 40 s"), s.stage("test").message());
    }

    @Test
    void theOfferCanBeSwitchedOff() throws Exception {
        Workspace ws = job(List.of("resolve", "build", "test"));
        worker(false).run(ws.jobId(), 1);

        assertEquals(List.of("resolve", "build", "test"), runner.stageNames());
        runner.calls.forEach(c -> assertNull(c.env().get(BuildWithTests.VARIABLE), c.stage()));
    }

    @Test
    void withoutATestStageTheBuildIsNotOfferedTheTests() throws Exception {
        Workspace ws = job(List.of("resolve", "build", "sast"));
        worker(true).run(ws.jobId(), 1);

        runner.calls.forEach(c -> assertNull(c.env().get(BuildWithTests.VARIABLE), c.stage()));
        assertEquals(TIMEOUT, runner.calls.get(1).timeout());
    }

    @Test
    void aCancelStopsTheOneProcessWhileItRunsTheTests() throws Exception {
        Workspace ws = job(List.of("resolve", "build", "test"));
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        runner.stages.put("build", c -> {
            try (Out out = output(c)) {
                compiled(c, out);
            }
            try {
                never.await();
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return new StageRun(0, false, 100);
        });
        JobWorker worker = worker(true);
        java.util.concurrent.Future<?> run = executor.submit(() -> {
            worker.run(ws.jobId(), 1);
            return null;
        });
        assertTrue(testStarted(ws), "the test stage should start");
        Files.createDirectories(dev.pipelinex.job.Cancellation.marker(ws).getParent());
        Files.writeString(dev.pipelinex.job.Cancellation.marker(ws), "");
        run.get(10, TimeUnit.SECONDS);
        assertTrue(interrupted.await(5, TimeUnit.SECONDS), "the process should be stopped");
    }
}
