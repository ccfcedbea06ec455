package dev.pipelinex.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.job.Cancellation;
import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobRequest;
import dev.pipelinex.job.JobState;
import dev.pipelinex.job.JobStatus;
import dev.pipelinex.job.StageStatus;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.job.Workspaces;
import dev.pipelinex.runner.StageCommand;
import dev.pipelinex.runner.StageRun;
import dev.pipelinex.worker.JobWorkerTest.Behaviour;
import dev.pipelinex.worker.JobWorkerTest.FakeRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build started beside the resolve stage, through the worker: it stands, or is stopped and built again. */
class BuildBesideResolveTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path root;

    private Workspaces workspaces;
    private FakeRunner runner;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    /** Opened when the build beside resolve has started: resolve goes on only then. */
    private final CountDownLatch buildStarted = new CountDownLatch(1);
    /** Set when a build beside resolve was interrupted (the runner's stop). */
    private final AtomicBoolean stopped = new AtomicBoolean();

    /** A runner whose jobs have repositories of their own. */
    private static final class BesideRunner extends FakeRunner {
        @Override
        public boolean buildsBesideResolve() {
            return true;
        }
    }

    @BeforeEach
    void setUp() {
        workspaces = new Workspaces(root);
        runner = new BesideRunner();
    }

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
    }

    private JobWorker worker(JobWorker.Overlaps overlaps) {
        return new JobWorker(workspaces, runner, TIMEOUT, Clock.systemUTC(), executor, 2, Duration.ofMillis(100), overlaps);
    }

    private Workspace job(List<String> stages) {
        return JobWorkerTest.newJob(workspaces, stages, JobRequest.PipelineOptions.ALL);
    }

    /** Resolve, once the build has started beside it: adds {@code downloads} files to the job's repository and ends. */
    private Behaviour resolve(int downloads, int exit, String status) {
        return c -> {
            if (!buildStarted.await(10, TimeUnit.SECONDS)) {
                return JobWorkerTest.exit(c, 9, "ERROR", "the build never started beside resolve");
            }
            for (int i = 0; i < downloads; i++) {
                BuildWithTestsTest.write(c.workspace().mavenRepository().resolve("g/a/" + i + "/a-" + i + ".jar"), "jar");
            }
            return JobWorkerTest.exit(c, exit, status, "resolve " + status);
        };
    }

    /**
     * A build that, beside resolve, writes into the build folders of a project of two modules and
     * runs until it is stopped; after resolve, passes if it finds none of what the first left.
     */
    private Behaviour buildStoppedBesideResolve() {
        return c -> {
            Path source = c.workspace().work();
            if (!c.besideResolve()) {
                boolean left = Files.exists(source.resolve("target")) || Files.exists(source.resolve("web/target"));
                return JobWorkerTest.exit(c, left ? 1 : 0, left ? "FAILED" : "PASSED",
                        left ? "half-written classes of the stopped build" : "built after resolve");
            }
            BuildWithTestsTest.write(source.resolve("pom.xml"), "<project/>");
            BuildWithTestsTest.write(source.resolve("web/pom.xml"), "<project/>");
            BuildWithTestsTest.write(source.resolve("src/main/java/com/example/target/Kept.java"), "package com.example.target;");
            BuildWithTestsTest.write(source.resolve("target/classes/Half.class"), "half");
            BuildWithTestsTest.write(source.resolve("web/target/classes/Half.class"), "half");
            buildStarted.countDown();
            return untilStopped(c, stopped);
        };
    }

    /** Runs until the worker stops the stage (interrupts its thread); {@code stopped} is set then. */
    private static StageRun untilStopped(StageCommand c, AtomicBoolean stopped) throws InterruptedException {
        try {
            Thread.sleep(30_000);
            return JobWorkerTest.exit(c, 0, "PASSED", "never stopped");
        } catch (InterruptedException e) {
            stopped.set(true);
            throw e;
        }
    }

    private List<StageCommand> builds() {
        synchronized (runner.calls) {
            return runner.calls.stream().filter(c -> c.stage().equals("build")).toList();
        }
    }

    @Test
    void aBuildBesideAResolveThatDownloadsNothingStands() throws Exception {
        Workspace ws = job(List.of("resolve", "build", "sast"));
        runner.stages.put("resolve", resolve(0, 0, "PASSED"));
        runner.stages.put("build", c -> {
            buildStarted.countDown();
            return JobWorkerTest.exit(c, 0, "PASSED", "built beside resolve");
        });
        worker(JobWorker.Overlaps.ALL).run(ws.jobId(), 1);

        JobStatus s = JobFiles.readStatus(ws).orElseThrow();
        assertEquals(JobState.SUCCEEDED, s.state(), s.error());
        assertEquals(1, builds().size(), "built once: " + runner.stageNames());
        assertTrue(builds().get(0).besideResolve(), "the build ran beside resolve");
        assertTrue(s.stage("build").startedAt().isBefore(s.stage("resolve").finishedAt()), "it started before resolve ended");
        assertEquals("built beside resolve", s.stage("build").message());
        assertEquals(StageStatus.PASSED, s.stage("sast").status());
        String log = Files.readString(ws.pipelineLog());
        assertTrue(log.contains("[PIPELINE] START build (beside resolve"), log);
        assertTrue(log.contains("resolve downloaded nothing: the build started beside it stands"), log);
        assertTrue(log.indexOf("END resolve") < log.indexOf("END build"), "the build's end waits for resolve's: " + log);
    }

    @Test
    void aResolveThatDownloadsStopsTheBuildWhichRunsAgainWithoutWhatItLeft() throws Exception {
        Workspace ws = job(List.of("resolve", "build", "sast", "sca"));
        runner.stages.put("resolve", resolve(2, 0, "PASSED"));
        runner.stages.put("build", buildStoppedBesideResolve());
        worker(JobWorker.Overlaps.ALL).run(ws.jobId(), 1);

        JobStatus s = JobFiles.readStatus(ws).orElseThrow();
        assertEquals(JobState.SUCCEEDED, s.state(), s.error());
        assertTrue(stopped.get(), "the build beside resolve was stopped");
        List<StageCommand> builds = builds();
        assertEquals(2, builds.size(), () -> "" + runner.stageNames());
        assertTrue(builds.get(0).besideResolve());
        assertFalse(builds.get(1).besideResolve(), "built again on the job's repository");
        assertEquals("built after resolve", s.stage("build").message(), "the stopped build's target folders were removed first");
        assertTrue(Files.exists(ws.work().resolve("src/main/java/com/example/target/Kept.java")),
                "a folder named target without a POM beside it is the project's own");
        assertFalse(s.stage("build").startedAt().isBefore(s.stage("resolve").finishedAt()), "the build that counts began after resolve");
        assertEquals(StageStatus.PASSED, s.stage("sast").status());
        assertTrue(Files.readString(ws.pipelineLog()).contains(
                "resolve added 2 files to the job's Maven repository: the build started beside it was stopped,"
                        + " its 2 target folder(s) removed, and it starts again"));
    }

    @Test
    void aFailedResolveStopsTheBuildAndSkipsWhatNeedsIt() throws Exception {
        Workspace ws = job(List.of("resolve", "build", "test", "sast", "secrets"));
        runner.stages.put("resolve", resolve(0, 1, "FAILED"));
        runner.stages.put("build", buildStoppedBesideResolve());
        worker(new JobWorker.Overlaps(false, true)).run(ws.jobId(), 1);

        JobStatus s = JobFiles.readStatus(ws).orElseThrow();
        assertEquals(JobState.FAILED, s.state());
        assertEquals("stage resolve failed: resolve FAILED", s.error());
        assertTrue(stopped.get(), "the build beside resolve was stopped");
        assertEquals(1, builds().size(), () -> "" + runner.stageNames());
        for (String stage : List.of("build", "test", "sast")) {
            assertEquals(StageStatus.SKIPPED, s.stage(stage).status(), stage);
        }
        assertEquals("skipped because stage resolve failed", s.stage("build").message());
        assertEquals(StageStatus.PASSED, s.stage("secrets").status());
    }

    @Test
    void aBuildThatFailsBeforeResolveEndsWaitsForItsVerdict() throws Exception {
        Workspace ws = job(List.of("resolve", "build", "test"));
        CountDownLatch buildEnded = new CountDownLatch(1);
        runner.stages.put("resolve", c -> {
            buildEnded.await(10, TimeUnit.SECONDS);
            Thread.sleep(300); // the worker has the build's end by now, and holds it
            return JobWorkerTest.exit(c, 0, "PASSED", "resolve PASSED");
        });
        runner.stages.put("build", c -> {
            try {
                return JobWorkerTest.exit(c, 1, "FAILED", "the Maven build failed");
            } finally {
                buildEnded.countDown();
            }
        });
        worker(new JobWorker.Overlaps(false, true)).run(ws.jobId(), 1);

        JobStatus s = JobFiles.readStatus(ws).orElseThrow();
        assertEquals(JobState.FAILED, s.state());
        assertEquals(StageStatus.FAILED, s.stage("build").status(), "resolve downloaded nothing: the build's failure stands");
        assertEquals(StageStatus.SKIPPED, s.stage("test").status());
        assertEquals(1, builds().size(), () -> "" + runner.stageNames());
        assertFalse(s.stage("build").finishedAt().isBefore(s.stage("resolve").finishedAt()), "decided at resolve's end");
    }

    @Test
    void aBuildThatFailedForWantOfADownloadRunsAgain() throws Exception {
        Workspace ws = job(List.of("resolve", "build"));
        runner.stages.put("resolve", resolve(1, 0, "PASSED"));
        runner.stages.put("build", c -> {
            if (c.besideResolve()) {
                buildStarted.countDown();
                BuildWithTestsTest.write(c.workspace().output("build").resolve("stale.txt"), "left by the stopped build");
                return JobWorkerTest.exit(c, 1, "FAILED", "cannot access the artifact in offline mode");
            }
            return JobWorkerTest.exit(c, 0, "PASSED", "built after resolve");
        });
        worker(JobWorker.Overlaps.ALL).run(ws.jobId(), 1);

        JobStatus s = JobFiles.readStatus(ws).orElseThrow();
        assertEquals(JobState.SUCCEEDED, s.state(), s.error());
        assertEquals(2, builds().size(), () -> "" + runner.stageNames());
        assertEquals("built after resolve", JobFiles.readResult(ws, "build").orElseThrow().message());
        String log = Files.readString(ws.stageLog("build"));
        assertTrue(log.startsWith("[PIPELINE] START build\noutput of build\n[PIPELINE] STOPPED build: resolve added 1 files"
                + " to the job's Maven repository"), "the stopped build's log stays, and says why it stopped: " + log);
        assertTrue(log.endsWith("[PIPELINE] START build\noutput of build\n[PIPELINE] END build PASSED\n"), log);
        assertFalse(Files.exists(ws.stageReports("build").resolve("stale.txt")), "the rest of the stage's folder went");
        assertFalse(Files.exists(ws.output("build").resolve("stale.txt")), "the stopped build's output folder went too");
    }

    @Test
    void theTestsInTheBuildsProcessBesideResolve() throws Exception {
        Workspace ws = job(List.of("resolve", "build", "test", "sast"));
        runner.stages.put("resolve", resolve(0, 0, "PASSED"));
        runner.stages.put("build", c -> {
            buildStarted.countDown();
            Workspace w = c.workspace();
            try (BuildWithTestsTest.Out out = BuildWithTestsTest.output(c)) {
                BuildWithTestsTest.compiled(c, out);
            }
            if (!BuildWithTestsTest.testStarted(w)) {
                return new StageRun(3, false, 100);
            }
            BuildWithTestsTest.result(w, "test", "PASSED", "{\"tests\": {\"passed\": 3, \"failed\": 0, \"skipped\": 0}}");
            return new StageRun(0, false, 100);
        });
        worker(JobWorker.Overlaps.ALL).run(ws.jobId(), 1);

        JobStatus s = JobFiles.readStatus(ws).orElseThrow();
        assertEquals(JobState.SUCCEEDED, s.state(), s.error());
        assertEquals(List.of("build", "resolve", "sast"), runner.stageNames().stream().sorted().toList(), "one process for build and test");
        assertEquals("true", builds().get(0).env().get(BuildWithTests.VARIABLE));
        assertTrue(builds().get(0).besideResolve());
        assertFalse(s.stage("test").startedAt().isBefore(s.stage("resolve").finishedAt()), "the tests count once resolve has decided");
        assertEquals(StageStatus.PASSED, s.stage("test").status());
    }

    @Test
    void theBuildAndItsTestsStoppedBesideResolveRunAgainInOneProcess() throws Exception {
        Workspace ws = job(List.of("resolve", "build", "test"));
        runner.stages.put("resolve", resolve(1, 0, "PASSED"));
        runner.stages.put("build", c -> {
            if (c.besideResolve()) {
                return buildStoppedBesideResolve().run(c);
            }
            try (BuildWithTestsTest.Out out = BuildWithTestsTest.output(c)) {
                BuildWithTestsTest.compiled(c, out);
            }
            BuildWithTestsTest.testStarted(c.workspace());
            BuildWithTestsTest.result(c.workspace(), "test", "PASSED", "{\"tests\": {\"passed\": 3, \"failed\": 0, \"skipped\": 0}}");
            return new StageRun(0, false, 100);
        });
        worker(JobWorker.Overlaps.ALL).run(ws.jobId(), 1);

        JobStatus s = JobFiles.readStatus(ws).orElseThrow();
        assertEquals(JobState.SUCCEEDED, s.state(), s.error());
        assertTrue(stopped.get());
        List<StageCommand> builds = builds();
        assertEquals(2, builds.size(), () -> "" + runner.stageNames());
        assertEquals("true", builds.get(1).env().get(BuildWithTests.VARIABLE), "the tests follow in the second build too");
        assertFalse(runner.stageNames().contains("test"));
        assertEquals(StageStatus.PASSED, s.stage("test").status());
    }

    @Test
    void switchedOffTheBuildWaitsForResolve() throws Exception {
        Workspace ws = job(List.of("resolve", "build"));
        worker(new JobWorker.Overlaps(true, false)).run(ws.jobId(), 1);

        JobStatus s = JobFiles.readStatus(ws).orElseThrow();
        assertEquals(JobState.SUCCEEDED, s.state(), s.error());
        assertFalse(builds().get(0).besideResolve());
        assertFalse(s.stage("build").startedAt().isBefore(s.stage("resolve").finishedAt()));
    }

    @Test
    void aCancelStopsResolveAndTheBuildBesideIt() throws Exception {
        Workspace ws = job(List.of("resolve", "build"));
        AtomicBoolean resolveStopped = new AtomicBoolean();
        runner.stages.put("resolve", c -> {
            buildStarted.await(10, TimeUnit.SECONDS);
            Cancellation.cancel(c.workspace(), Clock.systemUTC());
            return untilStopped(c, resolveStopped);
        });
        runner.stages.put("build", buildStoppedBesideResolve());
        worker(JobWorker.Overlaps.ALL).run(ws.jobId(), 1);

        assertTrue(stopped.get() && resolveStopped.get(), "both stages were stopped");
        assertEquals(1, builds().size());
        JobStatus s = JobFiles.readStatus(ws).orElseThrow();
        assertEquals(JobState.CANCELLED, s.state());
        assertEquals(StageStatus.CANCELLED, s.stage("build").status(), "the build was running: " + s);
    }
}
