package dev.pipelinex.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobMetadata;
import dev.pipelinex.job.JobRequest;
import dev.pipelinex.job.JobSource;
import dev.pipelinex.job.JobState;
import dev.pipelinex.job.JobStatus;
import dev.pipelinex.job.ResultStatus;
import dev.pipelinex.job.StageResult;
import dev.pipelinex.job.StageState;
import dev.pipelinex.job.StageStatus;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.job.Workspaces;
import dev.pipelinex.pipeline.StagePlan;
import dev.pipelinex.runner.Runner;
import dev.pipelinex.runner.StageCommand;
import dev.pipelinex.runner.StageRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobWorkerTest {

    private static final List<String> ALL = List.of("resolve", "build", "test", "sast", "sca", "secrets");
    private static final Instant CREATED = Instant.parse("2025-05-01T08:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(7);

    /** A clock that moves one second forward each time it is read. */
    static final class SteppingClock extends Clock {
        private Instant now = CREATED.plusSeconds(60);

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            now = now.plusSeconds(1);
            return now;
        }
    }

    /** What a fake stage does when run. */
    interface Behaviour {
        StageRun run(StageCommand cmd) throws InterruptedException;
    }

    /** A runner that records its calls and does, per stage, what the test tells it to; default: pass. */
    static class FakeRunner implements Runner {
        final Map<String, Behaviour> stages = new HashMap<>();
        final List<StageCommand> calls = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public StageRun run(StageCommand cmd) throws InterruptedException {
            calls.add(cmd);
            return stages.getOrDefault(cmd.stage(), c -> exit(c, 0, "PASSED", cmd.stage() + " passed")).run(cmd);
        }

        List<String> stageNames() {
            synchronized (calls) {
                return calls.stream().map(StageCommand::stage).toList();
            }
        }
    }

    /** Writes result.json the way lib/stage.sh does, under REPORTS_DIR/STAGE (the stage's output folder), and ends with an exit code. */
    static StageRun exit(StageCommand cmd, int code, String status, String message) {
        writeResultLikeAScript(cmd, status, message);
        return new StageRun(code, false, 250);
    }

    static void writeResultLikeAScript(StageCommand cmd, String status, String message) {
        Path dir = cmd.workspace().output(cmd.stage());
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("result.json"), "{\"schema\": 1, \"stage\": \"" + cmd.stage() + "\", \"status\": \"" + status
                    + "\", \"duration_ms\": 250, \"message\": \"" + message + "\", \"summary\": {\"tests\": {\"passed\": 4,"
                    + " \"failed\": 0, \"skipped\": 0}}}\n");
            Files.writeString(cmd.log(), "output of " + cmd.stage() + "\n", java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TempDir
    Path root;

    private Workspaces workspaces;
    private FakeRunner runner;
    private JobWorker worker;
    private final java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newCachedThreadPool();

    @BeforeEach
    void setUp() {
        workspaces = new Workspaces(root);
        runner = new FakeRunner();
        // One stage at a time keeps the order of the calls fixed; the parallel tests make their own.
        worker = new JobWorker(workspaces, runner, TIMEOUT, new SteppingClock(), executor, 1);
    }

    @org.junit.jupiter.api.AfterEach
    void tearDown() {
        executor.shutdownNow();
    }

    private Workspace job(List<String> stages) {
        return job(stages, JobRequest.PipelineOptions.ALL);
    }

    private Workspace job(List<String> stages, JobRequest.PipelineOptions options) {
        return newJob(workspaces, stages, options);
    }

    /** A queued job of the spring-boot-maven stack with these stages planned, created {@link #CREATED}. */
    static Workspace newJob(Workspaces workspaces, List<String> stages, JobRequest.PipelineOptions options) {
        Workspace ws = workspaces.create();
        try {
            Files.writeString(ws.source().resolve("pom.xml"), "<project/>\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JobFiles.writeMetadata(ws, new JobMetadata(ws.jobId(), CREATED, JobSource.upload("p.zip"),
                new JobRequest.Stack("java", "spring-boot", "maven"), new JobRequest.Versions("17", "3.9"),
                options, "spring-boot-maven", new JobMetadata.Admission("ACCEPTED", List.of()), stages));
        JobFiles.writeStatus(ws, JobStatus.queued(ws.jobId(), StagePlan.initialStates(stages), CREATED));
        return ws;
    }

    private static JobStatus status(Workspace ws) {
        return JobFiles.readStatus(ws).orElseThrow(() -> new AssertionError("state.json should exist"));
    }

    private static StageResult result(Workspace ws, String stage) {
        return JobFiles.readResult(ws, stage).orElseThrow(() -> new AssertionError(stage + "/result.json should exist"));
    }

    @Test
    void allStagesPassingSucceedsTheJob() throws Exception {
        Workspace ws = job(ALL);
        worker.run(ws.jobId(), 1);

        assertEquals(ALL, runner.stageNames(), "every planned stage should run once, in order");
        StageCommand first = runner.calls.get(0);
        assertEquals("spring-boot-maven", first.stackId(), "the runner should get the job's stack id");
        assertEquals(TIMEOUT, first.timeout(), "the runner should get the stage timeout");
        assertEquals(ws.dir(), first.workspace().dir(), "the runner should get the job's workspace");

        JobStatus s = status(ws);
        assertEquals(JobState.SUCCEEDED, s.state(), "a job whose stages all pass should SUCCEED");
        assertNull(s.error(), "a succeeded job has no error");
        assertEquals(1, s.attempt(), "the attempt should be recorded");
        assertEquals("fake", s.runner(), "the runner's name should be recorded");
        assertEquals(CREATED, s.createdAt(), "createdAt should be kept from the queued state");
        for (StageState st : s.stages()) {
            assertEquals(StageStatus.PASSED, st.status(), "stage " + st.name() + " should be PASSED");
            assertEquals(st.name() + " passed", st.message(), "stage " + st.name() + " should carry the script's message");
            assertNotNull(st.startedAt(), "stage " + st.name() + " should have started_at");
            assertNotNull(st.finishedAt(), "stage " + st.name() + " should have finished_at");
            assertEquals(st.finishedAt().toEpochMilli() - st.startedAt().toEpochMilli(), st.durationMs(),
                    "stage " + st.name() + " duration_ms should be finished_at - started_at");
            assertTrue(st.durationMs() > 0, "the stepping clock should give stage " + st.name() + " a duration");
        }
        String buildLog = Files.readString(ws.stageLog("build"));
        assertTrue(buildLog.startsWith("[PIPELINE] START build\n"), "the stage log should start with START: " + buildLog);
        assertTrue(buildLog.contains("output of build\n[PIPELINE] END build PASSED"),
                "the stage log should hold the stage output then END: " + buildLog);
        String pipelineLog = Files.readString(ws.pipelineLog());
        assertTrue(pipelineLog.contains("attempt 1 on runner fake"), "the pipeline log should record the attempt: " + pipelineLog);
        assertTrue(pipelineLog.contains("job SUCCEEDED"), "the pipeline log should record the end: " + pipelineLog);
    }

    @Test
    void failedBuildSkipsTestAndSastButScaAndSecretsStillRun() throws Exception {
        Workspace ws = job(ALL);
        runner.stages.put("build", c -> exit(c, 1, "FAILED", "the Maven build failed"));
        worker.run(ws.jobId(), 1);

        assertEquals(List.of("resolve", "build", "sca", "secrets"), runner.stageNames(),
                "SCA needs only the resolved dependencies and secrets nothing: both still run");
        JobStatus s = status(ws);
        assertEquals(JobState.FAILED, s.state(), "a failed build should fail the job");
        assertEquals("stage build failed: the Maven build failed", s.error(), "the job error should name the stage and why");
        assertEquals(StageStatus.FAILED, s.stage("build").status(), "build should be FAILED");
        for (String dependent : List.of("test", "sast")) {
            StageState st = s.stage(dependent);
            assertEquals(StageStatus.SKIPPED, st.status(), dependent + " should be SKIPPED");
            assertEquals("skipped because stage build failed", st.message(), dependent + " should say why it was skipped");
            StageResult r = result(ws, dependent);
            assertEquals(ResultStatus.SKIPPED, r.status(), dependent + "/result.json should say SKIPPED");
            assertEquals("skipped because stage build failed", r.message(), dependent + "/result.json should say why");
        }
        assertEquals(StageStatus.PASSED, s.stage("secrets").status(), "secrets does not depend on build and should run");
        assertEquals(StageStatus.PASSED, s.stage("sca").status(), "sca does not depend on build and should run");
    }

    @Test
    void stageThatTimesOutFailsWithADeadlineMessageAndAnErrorResult() throws Exception {
        Workspace ws = job(ALL);
        runner.stages.put("test", c -> {
            writeResultLikeAScript(c, "PASSED", "half way");
            return new StageRun(-1, true, 7000);
        });
        worker.run(ws.jobId(), 1);

        JobStatus s = status(ws);
        StageState test = s.stage("test");
        assertEquals(StageStatus.FAILED, test.status(), "a timed-out stage should be FAILED even if it wrote PASSED");
        assertTrue(test.message().contains("deadline of 7 s"), "the stage should say it passed its deadline: " + test.message());
        StageResult r = result(ws, "test");
        assertEquals(ResultStatus.ERROR, r.status(), "a timed-out stage's result.json should be ERROR");
        assertEquals(test.message(), r.message(), "result.json and state.json should give the same reason");
        assertEquals(7000, r.durationMs(), "the result should carry the run's duration");
        assertEquals(JobState.FAILED, s.state(), "a timed-out stage should fail the job");
        assertEquals(ALL, runner.stageNames(), "stages that do not depend on test should still run");
    }

    @Test
    void stageWithoutResultJsonFails() throws Exception {
        Workspace ws = job(List.of("build", "test"));
        runner.stages.put("build", c -> new StageRun(0, false, 10));
        worker.run(ws.jobId(), 1);

        JobStatus s = status(ws);
        assertEquals(StageStatus.FAILED, s.stage("build").status(), "a stage that wrote no result.json should be FAILED");
        assertTrue(s.stage("build").message().contains("exited with code 0 without writing result.json"),
                "the stage should say it wrote no result: " + s.stage("build").message());
        assertEquals(ResultStatus.ERROR, result(ws, "build").status(), "the worker should write an ERROR result.json");
        assertEquals(StageStatus.SKIPPED, s.stage("test").status(), "test should be skipped after build failed");
        assertEquals(JobState.FAILED, s.state(), "the job should fail");
    }

    @Test
    void passedResultWithNonZeroExitFails() throws Exception {
        Workspace ws = job(List.of("build"));
        runner.stages.put("build", c -> exit(c, 2, "PASSED", "all good"));
        worker.run(ws.jobId(), 1);

        StageState build = status(ws).stage("build");
        assertEquals(StageStatus.FAILED, build.status(), "PASSED with exit code 2 should be FAILED");
        assertTrue(build.message().contains("reported PASSED but exited with code 2"), "the stage should say why: "
                + build.message());
        StageResult r = result(ws, "build");
        assertEquals(ResultStatus.ERROR, r.status(), "result.json should be rewritten as ERROR");
        assertEquals(Map.of("tests", Map.of("passed", 4, "failed", 0, "skipped", 0)), r.summary(),
                "the script's summary should be kept");
        assertEquals(JobState.FAILED, status(ws).state(), "the job should fail");
    }

    @Test
    void failedResultWithNonZeroExitKeepsTheScriptsMessage() throws Exception {
        Workspace ws = job(List.of("test"));
        runner.stages.put("test", c -> exit(c, 1, "FAILED", "1 of 5 tests failed"));
        worker.run(ws.jobId(), 1);
        assertEquals(ResultStatus.FAILED, result(ws, "test").status(), "a FAILED result.json should be kept as written");
        assertEquals("1 of 5 tests failed", status(ws).stage("test").message(), "the script's message should be kept");
    }

    @Test
    void unreadableResultJsonFails() throws Exception {
        Workspace ws = job(List.of("build"));
        runner.stages.put("build", c -> {
            try {
                Files.createDirectories(c.workspace().output("build"));
                Files.writeString(c.workspace().output("build").resolve("result.json"), "{\"stage\": \"build\", \"status\": \"PAS");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new StageRun(0, false, 1);
        });
        worker.run(ws.jobId(), 1);
        assertEquals(StageStatus.FAILED, status(ws).stage("build").status(), "an unreadable result.json should fail the stage");
        assertTrue(status(ws).stage("build").message().contains("unreadable result.json"),
                "the stage should say why: " + status(ws).stage("build").message());
        assertEquals(ResultStatus.ERROR, result(ws, "build").status(), "the unreadable result.json should be replaced by ERROR");
    }

    @Test
    void stageThatReportsSkippedDoesNotFailTheJob() throws Exception {
        Workspace ws = job(List.of("build", "sast"));
        runner.stages.put("sast", c -> exit(c, 0, "SKIPPED", "not available"));
        worker.run(ws.jobId(), 1);
        assertEquals(StageStatus.SKIPPED, status(ws).stage("sast").status(), "a stage that reports SKIPPED is SKIPPED");
        assertEquals(JobState.SUCCEEDED, status(ws).state(), "a skipped stage should not fail the job");
    }

    @Test
    void switchedOffStagesDoNotRunAndDoNotBlockTheirDependents() throws Exception {
        Workspace ws = job(List.of("test", "secrets"));
        worker.run(ws.jobId(), 1);
        assertEquals(List.of("test", "secrets"), runner.stageNames(),
                "only planned stages run; test runs although build is switched off");
        JobStatus s = status(ws);
        for (String off : List.of("build", "sast", "sca")) {
            assertEquals(StageStatus.SKIPPED, s.stage(off).status(), off + " should stay SKIPPED");
            assertEquals("switched off in the job's metadata", s.stage(off).message(), off + " should say it is off");
        }
        assertEquals(JobState.SUCCEEDED, s.state(), "the job should succeed");
    }

    @Test
    void alreadyFinalJobIsLeftAlone() throws Exception {
        Workspace ws = job(ALL);
        JobFiles.writeStatus(ws, status(ws).running(1, "local", CREATED).finished(JobState.SUCCEEDED, null, CREATED));
        byte[] before = Files.readAllBytes(ws.stateFile());
        worker.run(ws.jobId(), 2);
        assertEquals(List.of(), runner.stageNames(), "a final job should not run again");
        assertArrayEquals(before, Files.readAllBytes(ws.stateFile()), "a final job's state.json should not change");
        assertFalse(Files.exists(ws.pipelineLog()), "nothing should be logged for a final job");
    }

    @Test
    void failedAndCancelledJobsAreLeftAlone() throws Exception {
        for (JobState fin : List.of(JobState.FAILED, JobState.CANCELLED)) {
            Workspace ws = job(ALL);
            JobFiles.writeStatus(ws, status(ws).finished(fin, "earlier", CREATED));
            worker.run(ws.jobId(), 2);
            assertEquals(fin, status(ws).state(), "a " + fin + " job should stay " + fin);
        }
        assertEquals(List.of(), runner.stageNames(), "final jobs should not run again");
    }

    @Test
    void unknownJobIdDoesNothing() throws Exception {
        job(ALL);
        List<String> before = listing();
        worker.run(UUID.randomUUID().toString(), 1);
        worker.run("../x", 1);
        worker.run("not-a-job", 1);
        assertEquals(List.of(), runner.stageNames(), "an unknown job should not run anything");
        assertEquals(before, listing(), "an unknown job should not change the workspace root");
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.map(Path::toString).sorted().toList();
        }
    }

    @Test
    void jobWithoutStateJsonStartsFromItsMetadata() throws Exception {
        Workspace ws = job(List.of("build"));
        Files.delete(ws.stateFile());
        worker.run(ws.jobId(), 1);
        assertEquals(JobState.SUCCEEDED, status(ws).state(), "a job without state.json should run from its metadata");
        assertEquals(StageStatus.SKIPPED, status(ws).stage("test").status(), "unplanned stages should be SKIPPED");
    }

    @Test
    void redeliveredRunningJobRerunsFromTheStartWithTheNewAttempt() throws Exception {
        Workspace ws = job(ALL);
        Instant t = CREATED.plusSeconds(1);
        JobStatus earlier = status(ws).running(1, "fake", t)
                .withStage("build", st -> st.started(t), t)
                .withStage("build", st -> st.finished(StageStatus.PASSED, "built in attempt 1", t.plusSeconds(5)), t)
                .withStage("test", st -> st.started(t.plusSeconds(6)), t.plusSeconds(6));
        JobFiles.writeStatus(ws, earlier);
        Files.createDirectories(ws.stageReports("test"));
        Files.writeString(ws.stageLog("test"), "log of attempt 1\n");
        Files.writeString(ws.stageReports("test").resolve("leftover.xml"), "<old/>");

        List<JobStatus> seenByRunner = new ArrayList<>();
        runner.stages.put("build", c -> {
            seenByRunner.add(JobFiles.readStatus(c.workspace()).orElseThrow());
            return exit(c, 0, "PASSED", "built in attempt 2");
        });
        worker.run(ws.jobId(), 2);

        assertEquals(ALL, runner.stageNames(), "a redelivered job should run every stage again, from the first");
        JobStatus during = seenByRunner.get(0);
        assertEquals(JobState.RUNNING, during.state(), "while stages run the job should be RUNNING");
        assertEquals(2, during.attempt(), "the new attempt number should be recorded before stages run");
        assertEquals(StageStatus.RUNNING, during.stage("build").status(), "build should be RUNNING while it runs");
        assertEquals(StageStatus.PENDING, during.stage("test").status(), "test should be reset to PENDING");
        JobStatus s = status(ws);
        assertEquals(JobState.SUCCEEDED, s.state(), "the rerun should succeed");
        assertEquals(2, s.attempt(), "the final state should carry attempt 2");
        assertEquals(CREATED, s.createdAt(), "createdAt should survive the redelivery");
        assertEquals("built in attempt 2", s.stage("build").message(), "build's entry should come from attempt 2");
        String testLog = Files.readString(ws.stageLog("test"));
        assertFalse(testLog.contains("attempt 1"), "the test log of attempt 1 should be replaced: " + testLog);
        assertFalse(Files.exists(ws.stageReports("test").resolve("leftover.xml")),
                "reports of attempt 1 should be cleared before the stage runs again");
        assertTrue(Files.readString(ws.pipelineLog()).contains("attempt 2"), "the pipeline log should record attempt 2");
    }

    @Test
    void runnerFailureInsidePipelinexFailsTheJob() throws Exception {
        Workspace ws = job(List.of("build", "secrets"));
        runner.stages.put("build", c -> {
            throw new UncheckedIOException(new IOException("cannot start bash"));
        });
        worker.run(ws.jobId(), 1);
        JobStatus s = status(ws);
        assertEquals(JobState.FAILED, s.state(), "an exception in the runner should fail the job");
        assertTrue(s.error().startsWith("internal error: ") && s.error().contains("cannot start bash"),
                "the job error should say it is internal and why: " + s.error());
        assertEquals(StageStatus.FAILED, s.stage("build").status(), "the stage that broke is FAILED, not RUNNING");
        assertTrue(s.stages().stream().noneMatch(st -> st.status() == StageStatus.RUNNING || st.status() == StageStatus.PENDING),
                "no stage of a final job is RUNNING or PENDING: " + s.stages());
    }

    @Test
    void interruptionIsPassedOnAndLeavesTheJobRunningForRedelivery() throws Exception {
        Workspace ws = job(ALL);
        runner.stages.put("test", c -> {
            throw new InterruptedException("shutting down");
        });
        assertThrows(InterruptedException.class, () -> worker.run(ws.jobId(), 1),
                "an interrupted stage should interrupt the run so the message is delivered again");
        assertEquals(JobState.RUNNING, status(ws).state(), "an interrupted job should not be final");
        assertTrue(Files.readString(ws.pipelineLog()).contains("interrupted"), "the pipeline log should say it was interrupted");
    }

    @Test
    void aJobFoundRunningCountsAsANewAttemptEvenWhenTheBrokerCountSaysOne() throws Exception {
        // After a crash the broker may deliver again with a delivery count of 1.
        Workspace ws = job(ALL);
        JobFiles.writeStatus(ws, status(ws).running(2, "fake", CREATED.plusSeconds(1)));
        worker.run(ws.jobId(), 1);
        assertEquals(3, status(ws).attempt(), "the attempt after attempt 2 is 3, whatever the broker counted");
        assertEquals(JobState.SUCCEEDED, status(ws).state(), "the job should run to its end");
    }

    @Test
    void stagesThatDoNotNeedEachOtherRunSideBySide() throws Exception {
        worker = new JobWorker(workspaces, runner, TIMEOUT, new SteppingClock(), executor, 2);
        Workspace ws = job(List.of("resolve", "secrets"));
        java.util.concurrent.CountDownLatch both = new java.util.concurrent.CountDownLatch(2);
        Behaviour meet = c -> {
            both.countDown();
            // Each stage waits for the other to have started: this ends only if they overlap.
            if (!both.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                return exit(c, 1, "FAILED", c.stage() + " ran alone");
            }
            return exit(c, 0, "PASSED", c.stage() + " passed");
        };
        runner.stages.put("resolve", meet);
        runner.stages.put("secrets", meet);
        worker.run(ws.jobId(), 1);

        JobStatus s = status(ws);
        assertEquals(JobState.SUCCEEDED, s.state(), "both stages should have met while running: " + s.error());
    }

    @Test
    void aStageNeverStartsBeforeItsDependencyEndsAndParallelismIsCapped() throws Exception {
        worker = new JobWorker(workspaces, runner, TIMEOUT, new SteppingClock(), executor, 2);
        Workspace ws = job(ALL);
        java.util.concurrent.atomic.AtomicInteger now = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        java.util.Set<String> ended = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<String, String> needs = Map.of("build", "resolve", "test", "build", "sast", "build", "sca", "resolve");
        for (String stage : ALL) {
            runner.stages.put(stage, c -> {
                most.accumulateAndGet(now.incrementAndGet(), Math::max);
                String dependency = needs.get(c.stage());
                if (dependency != null && !ended.contains(dependency)) {
                    violations.add(c.stage() + " started before " + dependency + " ended");
                }
                Thread.sleep(30);
                now.decrementAndGet();
                StageRun run = exit(c, 0, "PASSED", "ok");
                ended.add(c.stage());
                return run;
            });
        }
        worker.run(ws.jobId(), 1);

        assertEquals(List.of(), violations);
        assertEquals(2, most.get(), "two stages at most, and two did overlap");
        assertEquals(JobState.SUCCEEDED, status(ws).state());
        assertEquals(6, runner.stageNames().size());
    }

    @Test
    void findingsAtOrAboveTheGateFailTheStageAndTheJob() throws Exception {
        Workspace ws = job(List.of("sca", "secrets"), new JobRequest.PipelineOptions(true, true, true, true, true, "high", "files"));
        runner.stages.put("sca", c -> findings(c, 0, 1, 3));
        runner.stages.put("secrets", c -> findings(c, 0, 0, 2));
        worker.run(ws.jobId(), 1);

        JobStatus s = status(ws);
        assertEquals(JobState.FAILED, s.state());
        assertEquals(StageStatus.FAILED, s.stage("sca").status());
        assertEquals(StageStatus.PASSED, s.stage("secrets").status(), "medium findings are below a high gate");
        StageResult sca = result(ws, "sca");
        assertEquals(ResultStatus.FAILED, sca.status());
        assertTrue(sca.message().contains("1 finding at or above high (quality gate pipeline.fail_on)"), sca.message());
    }

    @Test
    void withoutAGateFindingsAreReportedAndTheJobSucceeds() throws Exception {
        Workspace ws = job(List.of("sca"));
        runner.stages.put("sca", c -> findings(c, 2, 1, 3));
        worker.run(ws.jobId(), 1);
        assertEquals(JobState.SUCCEEDED, status(ws).state());
        assertEquals(ResultStatus.PASSED, result(ws, "sca").status());
    }

    @Test
    void theSecretScanModeReachesTheStageScript() throws Exception {
        Workspace ws = job(List.of("secrets"), new JobRequest.PipelineOptions(true, true, true, true, true, null, "git"));
        worker.run(ws.jobId(), 1);
        assertEquals("git", runner.calls.get(0).env().get("PIPELINEX_SECRET_SCAN_MODE"));
    }

    @Test
    void sastPruningReachesTheStageScript() throws Exception {
        Workspace on = job(List.of("sast"));
        worker.run(on.jobId(), 1);
        assertEquals("true", runner.calls.get(0).env().get("PIPELINEX_SAST_PRUNING"));
        Workspace off = job(List.of("sast"), new JobRequest.PipelineOptions(true, true, true, true, true, null, "files", false));
        worker.run(off.jobId(), 1);
        assertEquals("false", runner.calls.get(1).env().get("PIPELINEX_SAST_PRUNING"));
    }

    /** A scanner stage's result with open findings by severity. */
    private static StageRun findings(StageCommand cmd, int critical, int high, int medium) {
        Path dir = cmd.workspace().output(cmd.stage());
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("result.json"), "{\"schema\": 1, \"stage\": \"" + cmd.stage() + "\", \"status\": \"PASSED\","
                    + " \"duration_ms\": 5, \"message\": \"" + cmd.stage() + ": some findings\", \"summary\": {\"findings\":"
                    + " {\"critical\": " + critical + ", \"high\": " + high + ", \"medium\": " + medium
                    + ", \"low\": 0, \"info\": 0}, \"suppressed\": 0}}\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new StageRun(0, false, 5);
    }

    @Test
    void aJobPastItsDiskQuotaIsStoppedAndFailsSayingWhy() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
        runner.stages.put("build", cmd -> {
            try {
                Files.createDirectories(cmd.workspace().work());
                Files.write(cmd.workspace().work().resolve("filler"), new byte[2 << 20]);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            }
            return exit(cmd, 0, "PASSED", "never");
        });
        JobWorker capped = new JobWorker(workspaces, runner, TIMEOUT, new SteppingClock(), executor, 2, Duration.ofMillis(20),
                new JobWorker.Overlaps(false, false), new JobWorker.Caps(0, 1 << 20));
        Workspace ws = job(List.of("build", "test"));
        long started = System.nanoTime();
        capped.run(ws.jobId(), 1);

        assertTrue(System.nanoTime() - started < Duration.ofSeconds(20).toNanos(), "the job is stopped, not left to its stage's end");
        assertTrue(interrupted.get(), "the running stage is stopped");
        JobStatus s = status(ws);
        assertEquals(JobState.FAILED, s.state());
        assertTrue(s.error().contains("disk quota of 1 MiB (pipelinex.job.max-disk-bytes=1048576)"), s.error());
        StageState build = s.stages().stream().filter(st -> st.name().equals("build")).findFirst().orElseThrow();
        assertEquals(StageStatus.FAILED, build.status());
        assertTrue(build.message().contains("disk quota"), build.message());
        StageState test = s.stages().stream().filter(st -> st.name().equals("test")).findFirst().orElseThrow();
        assertEquals(StageStatus.SKIPPED, test.status());
        assertTrue(test.message().startsWith("not run: "), test.message());
        assertFalse(Files.exists(ws.work()), "what the job wrote is removed at once");
        assertTrue(Files.readString(ws.pipelineLog()).contains("[PIPELINE] STOPPED: the job's files took more than its disk quota"));
    }

    @Test
    void aJobUnderItsDiskQuotaRunsAsUsual() throws Exception {
        JobWorker capped = new JobWorker(workspaces, runner, TIMEOUT, new SteppingClock(), executor, 1, Duration.ofMillis(20),
                new JobWorker.Overlaps(false, false), new JobWorker.Caps(0, 64 << 20));
        Workspace ws = job(ALL);
        capped.run(ws.jobId(), 1);
        assertEquals(JobState.SUCCEEDED, status(ws).state());
    }
}
