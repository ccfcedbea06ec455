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
import dev.pipelinex.runner.StageRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cancels reaching the worker: before the job starts, while a stage runs, and racing its last write. */
class JobWorkerCancelTest {

    private static final List<String> ALL = List.of("resolve", "build", "test", "sast", "sca", "secrets");

    @TempDir
    Path root;

    private final ExecutorService executor = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
    }

    /** A fake runner whose cancel() is recorded, as the real ones kill what is left of the job there. */
    static final class CancellableRunner extends JobWorkerTest.FakeRunner {
        final Set<String> cancelled = ConcurrentHashMap.newKeySet();
        final Set<String> finished = ConcurrentHashMap.newKeySet();

        @Override
        public void cancel(Workspace workspace) {
            cancelled.add(workspace.jobId());
        }

        @Override
        public void finish(Workspace workspace) {
            finished.add(workspace.jobId());
        }
    }

    private Workspace job(Workspaces workspaces) {
        return JobWorkerTest.newJob(workspaces, ALL, JobRequest.PipelineOptions.ALL);
    }

    private static JobStatus status(Workspace ws) {
        return JobFiles.readStatus(ws).orElseThrow();
    }

    @Test
    void cancelledQueuedJobNeverRuns() throws Exception {
        Workspaces workspaces = new Workspaces(root);
        CancellableRunner runner = new CancellableRunner();
        JobWorker worker = new JobWorker(workspaces, runner, Duration.ofMinutes(1), Clock.systemUTC(), executor, 2);
        Workspace ws = job(workspaces);
        JobStatus cancelled = Cancellation.cancel(ws, Clock.systemUTC());

        worker.run(ws.jobId(), 1);

        assertTrue(runner.calls.isEmpty(), "no stage of a cancelled queued job runs: " + runner.stageNames());
        assertEquals(cancelled, status(ws), "state.json is left as the cancel wrote it");
        assertEquals(0, status(ws).attempt(), "it was never attempted");
    }

    /**
     * A stage that blocks until it is interrupted, as LocalRunner does while its process runs;
     * {@code started} opens when it blocks, {@code stopped} when the interrupt reached it.
     */
    private static JobWorkerTest.Behaviour blocking(CountDownLatch started, CountDownLatch stopped) {
        return cmd -> {
            started.countDown();
            try {
                Thread.sleep(60_000);
                return new StageRun(0, false, 60_000);
            } catch (InterruptedException e) {
                stopped.countDown();
                throw e;
            }
        };
    }

    private void cancelWhileTestRuns(boolean wake, Duration poll) throws Exception {
        Workspaces workspaces = new Workspaces(root);
        CancellableRunner runner = new CancellableRunner();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        runner.stages.put("test", blocking(started, stopped));
        // One stage at a time: the stages after test are still waiting when the cancel comes.
        JobWorker worker = new JobWorker(workspaces, runner, Duration.ofMinutes(5), Clock.systemUTC(), executor, 1, poll);
        Workspace ws = job(workspaces);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                worker.run(ws.jobId(), 1);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        thread.start();
        assertTrue(started.await(20, TimeUnit.SECONDS), "the test stage should start");

        long asked = System.nanoTime();
        // As another node would: only the workspace changes.
        Cancellation.cancel(ws, Clock.systemUTC());
        if (wake) {
            worker.wake(ws.jobId());
        }
        thread.join(10_000);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);

        assertFalse(thread.isAlive(), "the worker should return soon after the cancel");
        assertEquals(null, failure.get(), "the worker returns normally, so its message is acknowledged");
        assertTrue(took < 5000, "stopped within seconds, took " + took + " ms");
        assertTrue(stopped.await(1, TimeUnit.SECONDS), "the running stage was interrupted (the runner kills it)");
        assertTrue(runner.cancelled.contains(ws.jobId()), "the runner was told to kill what is left of the job");
        assertTrue(runner.finished.contains(ws.jobId()), "the runner was freed for the job");
        JobStatus s = status(ws);
        assertEquals(JobState.CANCELLED, s.state(), "the job stays CANCELLED: " + s);
        assertEquals(StageStatus.CANCELLED, s.stage("test").status(), "the running stage is CANCELLED");
        assertEquals(StageStatus.PASSED, s.stage("build").status(), "a stage that ended keeps its status");
        assertEquals(StageStatus.SKIPPED, s.stage("sast").status(), "a stage after it never runs");
        assertFalse(runner.stageNames().contains("sast"), "sast never started: " + runner.stageNames());
        assertTrue(Files.readString(ws.pipelineLog()).contains("CANCELLED while it ran"), "the job log says so");
    }

    @Test
    void cancelWrittenByAnotherNodeIsSeenByPolling() throws Exception {
        cancelWhileTestRuns(false, Duration.ofMillis(200));
    }

    @Test
    void cancelOnThisNodeWakesTheWorkerAtOnce() throws Exception {
        // The poll alone would take a minute: only the wake can stop it in time.
        cancelWhileTestRuns(true, Duration.ofMinutes(1));
    }

    @Test
    void cancelRacingTheLastStagesEndIsNotOverwritten() throws Exception {
        Workspaces workspaces = new Workspaces(root);
        CancellableRunner runner = new CancellableRunner();
        JobWorker worker = new JobWorker(workspaces, runner, Duration.ofMinutes(1), Clock.systemUTC(), executor, 1,
                Duration.ofMinutes(1));
        Workspace ws = job(workspaces);
        // The last stage ends normally just after the cancel came in: the worker's write must lose.
        runner.stages.put("secrets", cmd -> {
            Cancellation.cancel(cmd.workspace(), Clock.systemUTC());
            return JobWorkerTest.exit(cmd, 0, "PASSED", "secrets passed");
        });

        worker.run(ws.jobId(), 1);

        JobStatus s = status(ws);
        assertEquals(JobState.CANCELLED, s.state(), "the cancel wins over a later SUCCEEDED: " + s);
        assertEquals(StageStatus.CANCELLED, s.stage("secrets").status(), "the stage was running when cancelled");
        assertEquals(StageStatus.PASSED, s.stage("sca").status());
        assertTrue(runner.cancelled.contains(ws.jobId()));
    }

    @Test
    void finalStateWrittenBeforeTheCancelStands() throws Exception {
        Workspaces workspaces = new Workspaces(root);
        CancellableRunner runner = new CancellableRunner();
        JobWorker worker = new JobWorker(workspaces, runner, Duration.ofMinutes(1), Clock.systemUTC(), executor, 2);
        Workspace ws = job(workspaces);
        worker.run(ws.jobId(), 1);
        assertEquals(JobState.SUCCEEDED, status(ws).state());
        try {
            Cancellation.cancel(ws, Clock.systemUTC());
        } catch (dev.pipelinex.job.RequestRefusedException e) {
            assertEquals(dev.pipelinex.job.Refusal.JOB_ALREADY_FINAL, e.refusal());
        }
        assertEquals(JobState.SUCCEEDED, status(ws).state(), "a cancel after the end changes nothing");
        assertTrue(runner.cancelled.isEmpty(), "nothing to stop");
    }
}
