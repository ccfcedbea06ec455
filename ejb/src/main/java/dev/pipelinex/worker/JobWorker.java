package dev.pipelinex.worker;

import dev.pipelinex.job.Cancellation;
import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobLocks;
import dev.pipelinex.job.JobMetadata;
import dev.pipelinex.job.JobState;
import dev.pipelinex.job.JobStatus;
import dev.pipelinex.job.ResultSchema;
import dev.pipelinex.job.ResultStatus;
import dev.pipelinex.job.StageResult;
import dev.pipelinex.job.StageStatus;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.job.Workspaces;
import dev.pipelinex.pipeline.Stage;
import dev.pipelinex.pipeline.StagePlan;
import dev.pipelinex.runner.Runner;
import dev.pipelinex.runner.StageCommand;
import dev.pipelinex.runner.StageRun;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs one job: state RUNNING, the planned stages through the runner (side by side where they
 * do not depend on each other, skipping those whose dependency failed), then the final state. Every attempt starts the stages afresh, so a
 * redelivered job (its node died mid-run) is run again from the start.
 *
 * <p>A cancel may come from any node: while stages run, the worker looks for the workspace's
 * cancel marker (or a CANCELLED state.json) every {@code cancelPoll}, and sooner when
 * {@link #wake} is called on this node. It then stops the stages, has the runner kill what is left
 * of the job, and leaves the CANCELLED state alone: every write of state.json re-reads it under
 * the job's lock ({@link JobLocks}) and gives up when the job has become final meanwhile.
 */
public final class JobWorker {

    private static final Logger LOG = Logger.getLogger(JobWorker.class.getName());

    private final Workspaces workspaces;
    private final Runner runner;
    private final Duration stageTimeout;
    private final Clock clock;
    private final ExecutorService executor;
    private final int parallelism;
    private final Duration cancelPoll;
    private final Overlaps overlaps;
    private final Caps caps;
    /** How often a running job's folder is measured against {@link Caps#maxDiskBytes()}. */
    static final Duration DISK_CHECK = Duration.ofSeconds(5);
    /** How often a running job looks for a cancel written by another node, unless told otherwise. */
    static final Duration CANCEL_POLL = Duration.ofMillis(500);
    /** How long a cancelled job waits for its stage threads to end, the runner's kill included. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(20);
    /** Put into a running job's completion queue to make it look at the cancel marker now. */
    private static final Future<Ended> WAKE = CompletableFuture.completedFuture(null);
    private final ConcurrentMap<String, BlockingQueue<Future<Ended>>> running = new ConcurrentHashMap<>();

    /** The job's folder took more than {@link Caps#maxDiskBytes()}: its stages are stopped and it fails. */
    private static final class OverQuota extends RuntimeException {
        OverQuota(String why) {
            super(why, null, false, false);
        }
    }

    /** The job was cancelled (or otherwise made final) by someone else while this worker ran it. */
    private static final class Cancelled extends RuntimeException {
        Cancelled() {
            super(null, null, false, false);
        }
    }

    /**
     * @param executor    the threads stages run on (the server's managed executor)
     * @param parallelism how many stages of one job may run at the same time
     */
    public JobWorker(Workspaces workspaces, Runner runner, Duration stageTimeout, Clock clock,
                     ExecutorService executor, int parallelism) {
        this(workspaces, runner, stageTimeout, clock, executor, parallelism, CANCEL_POLL);
    }

    /** @param cancelPoll how often a running job looks for a cancel written by another node */
    public JobWorker(Workspaces workspaces, Runner runner, Duration stageTimeout, Clock clock,
                     ExecutorService executor, int parallelism, Duration cancelPoll) {
        this(workspaces, runner, stageTimeout, clock, executor, parallelism, cancelPoll, Overlaps.ALL);
    }

    /**
     * How a job's stages may overlap beyond the graph's order.
     *
     * @param testsInBuild       whether a job with both a build and a test stage may run its tests in the
     *                           build's process ({@link BuildWithTests}); the build script decides
     * @param buildBesideResolve whether the build may start beside resolve, where the runner can
     *                           ({@link Runner#buildsBesideResolve()}); resolve's end decides whether it stands
     */
    public record Overlaps(boolean testsInBuild, boolean buildBesideResolve) {
        public static final Overlaps ALL = new Overlaps(true, true);
    }

    /** @param overlaps how the stages may overlap beyond the graph's order */
    public JobWorker(Workspaces workspaces, Runner runner, Duration stageTimeout, Clock clock,
                     ExecutorService executor, int parallelism, Duration cancelPoll, Overlaps overlaps) {
        this(workspaces, runner, stageTimeout, clock, executor, parallelism, cancelPoll, overlaps, Caps.NONE);
    }

    /**
     * What one job may take.
     *
     * @param maxLogBytes  the most bytes of each stage log ({@link StageCommand#DEFAULT_MAX_LOG_BYTES} when 0)
     * @param maxDiskBytes the most bytes the job's folder may take while it runs (0: no limit); past it
     *                     the job's stages are stopped and the job fails, saying so
     */
    public record Caps(long maxLogBytes, long maxDiskBytes) {
        public static final Caps NONE = new Caps(0, 0);
    }

    /** @param caps what one job may take */
    public JobWorker(Workspaces workspaces, Runner runner, Duration stageTimeout, Clock clock,
                     ExecutorService executor, int parallelism, Duration cancelPoll, Overlaps overlaps, Caps caps) {
        this.caps = caps;
        this.overlaps = overlaps;
        this.cancelPoll = cancelPoll;
        this.workspaces = workspaces;
        this.runner = runner;
        this.stageTimeout = stageTimeout;
        this.clock = clock;
        this.executor = executor;
        this.parallelism = Math.max(1, parallelism);
    }

    /**
     * Runs the job, unless it is unknown or already final. Returns normally when a final state
     * is written; throws only when interrupted, so that the message is delivered again.
     */
    public void run(String jobId, int attempt) throws InterruptedException {
        Optional<Workspace> found = workspaces.find(jobId);
        if (found.isEmpty()) {
            LOG.warning("job " + jobId + " has no workspace; its message is dropped");
            return;
        }
        Workspace ws = found.get();
        JobMetadata metadata = JobFiles.readMetadata(ws);
        JobStatus status = currentStatus(ws, metadata, clock);
        if (status.state().isFinal()) {
            LOG.info("job " + jobId + " is already " + status.state() + "; nothing to do");
            return;
        }
        // A job found RUNNING was cut short on an earlier delivery, which counts even when the
        // broker's delivery count did not survive a crash.
        int attemptNumber = status.state() == JobState.RUNNING ? Math.max(attempt, status.attempt() + 1) : attempt;
        status = new JobStatus(jobId, JobState.QUEUED, status.attempt(), null,
                StagePlan.initialStates(metadata.stages()), null, status.createdAt(), clock.instant())
                .running(attemptNumber, runner.name(), clock.instant());
        try {
            save(ws, status);
        } catch (Cancelled e) {
            LOG.info("job " + jobId + " was cancelled before it started; nothing to do");
            return;
        }
        JobLog.stamped(ws.pipelineLog(), "job " + jobId + " attempt " + attemptNumber + " on runner " + runner.name());
        try {
            status = runStages(ws, metadata, status);
            String failed = status.stages().stream().filter(s -> s.status() == StageStatus.FAILED)
                    .map(s -> "stage " + s.name() + " failed: " + s.message()).findFirst().orElse(null);
            status = status.finished(failed == null ? JobState.SUCCEEDED : JobState.FAILED, failed, clock.instant());
        } catch (Cancelled e) {
            stopped(ws);
            return;
        } catch (InterruptedException e) {
            JobLog.stamped(ws.pipelineLog(), "interrupted; the job will be delivered again");
            throw e;
        } catch (OverQuota e) {
            LOG.warning("job " + jobId + " stopped: " + e.getMessage());
            JobLog.append(ws.pipelineLog(), "[PIPELINE] STOPPED: " + e.getMessage());
            try {
                runner.cancel(ws);
            } catch (RuntimeException ce) {
                LOG.log(Level.WARNING, "runner could not stop what is left of job " + jobId, ce);
            }
            // What the job wrote goes now, not at retention: its stages are gone, and the server keeps its reports.
            try {
                Workspaces.deleteTree(ws.work());
                Workspaces.deleteTree(ws.outputs());
                Workspaces.deleteTree(ws.mavenRepository());
            } catch (RuntimeException de) {
                LOG.log(Level.WARNING, "cannot remove what job " + jobId + " wrote past its quota", de);
            }
            status = endedEarly(ws, status, e.getMessage(), "not run: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "job " + jobId + " failed inside PipelineX", e);
            status = endedEarly(ws, status, "internal error: " + e.getMessage(), "not run: the job ended with an internal error");
        }
        try {
            save(ws, status);
        } catch (Cancelled e) {
            // The cancel won the race with the last stage's end: CANCELLED stays.
            stopped(ws);
            return;
        }
        dev.pipelinex.service.JobCounters.ended(status.state());
        try {
            runner.finish(ws);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "runner clean-up after job " + jobId + " failed", e);
        }
        JobLog.stamped(ws.pipelineLog(), "job " + status.state()
                + (status.error() == null ? "" : " (" + status.error() + ")"));
    }

    /** The job, failed for {@code why}: its running stages FAILED with it, its pending ones SKIPPED. */
    private JobStatus endedEarly(Workspace ws, JobStatus status, String why, String pendingWhy) {
        // The stages as last written, not as they were before the run: keep what did happen.
        JobStatus last = JobFiles.readStatus(ws).orElse(status);
        // No stage stays RUNNING or PENDING in a final job.
        for (var stage : last.stages()) {
            if (stage.status() == StageStatus.RUNNING) {
                last = last.withStage(stage.name(), st -> st.finished(StageStatus.FAILED, why, clock.instant()), clock.instant());
            } else if (stage.status() == StageStatus.PENDING) {
                last = last.withStage(stage.name(), st -> st.finished(StageStatus.SKIPPED, pendingWhy, clock.instant()),
                        clock.instant());
            }
        }
        return last.finished(JobState.FAILED, why, clock.instant());
    }

    /**
     * Fast path of a cancel made on this node: the job's thread looks at its marker now rather
     * than at its next poll. Does nothing for a job this node does not run.
     */
    public void wake(String jobId) {
        BlockingQueue<Future<Ended>> queue = running.get(jobId);
        if (queue != null) {
            queue.offer(WAKE);
        }
    }

    /**
     * Writes the worker's view of the job, unless the job was cancelled (or made final by anyone
     * else) since: then throws {@link Cancelled} and leaves state.json as it is.
     */
    private void save(Workspace ws, JobStatus status) {
        boolean[] refused = {false};
        JobLocks.update(ws, current -> {
            if (Files.exists(Cancellation.marker(ws)) || current.map(c -> c.state().isFinal()).orElse(false)) {
                refused[0] = true;
                return null;
            }
            return status;
        });
        if (refused[0]) {
            throw new Cancelled();
        }
    }

    /** After a cancel: whatever of the job still runs on this node is killed, and the runner freed. */
    private void stopped(Workspace ws) {
        try {
            runner.cancel(ws);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "runner could not stop what is left of job " + ws.jobId(), e);
        }
        try {
            runner.finish(ws);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "runner clean-up after job " + ws.jobId() + " failed", e);
        }
        JobStatus last = JobFiles.readStatus(ws).orElse(null);
        JobLog.stamped(ws.pipelineLog(), "job " + (last == null ? "CANCELLED" : last.state())
                + " while it ran; its stages were stopped");
        LOG.info("job " + ws.jobId() + " stopped: " + (last == null ? "cancelled" : last.state()));
    }

    /** The job's state.json, or the QUEUED state its plan starts with when there is none yet. */
    static JobStatus currentStatus(Workspace ws, JobMetadata metadata, Clock clock) {
        return JobFiles.readStatus(ws).orElseGet(() ->
                JobStatus.queued(ws.jobId(), StagePlan.initialStates(metadata.stages()), clock.instant()));
    }

    /** A stage that has ended, as its task hands it back to the thread that runs the job. */
    private record Ended(String stage, StageResult result) {
    }

    /**
     * Runs the planned stages as a graph: a stage starts once the stage it depends on has
     * ended without failing (or was not planned), at most {@code parallelism} at a time, so that stages that do
     * not need each other run side by side. A stage whose dependency failed is skipped, and so
     * are the stages after it. Only this thread writes state.json and the pipeline log.
     */
    private JobStatus runStages(Workspace ws, JobMetadata metadata, JobStatus status) throws InterruptedException {
        if (metadata.stages().stream().anyMatch(s -> StageCommand.defaultProject(s) == StageCommand.Project.WORK)) {
            // A fresh working copy for every attempt, handed to the stages' user before any of them runs.
            StageFiles.prepare(ws);
            runner.prepareJob(ws);
        }
        return new Graph(ws, metadata, status).run();
    }

    /**
     * One run of a job's stage graph: what waits, runs, passed and failed, and the state written
     * so far. Used by the job's thread only.
     *
     * <p>The build may start beside resolve ({@link Overlaps#buildBesideResolve()}): on a
     * repository of its own with the shared cache behind it; what neither holds it fetches through
     * the repository proxy, as every Maven stage can (into its own repository, gone with it). Resolve's end decides whether it
     * stands: when resolve passed and left the job's repository empty, the build saw what it would
     * have seen after it; otherwise it is stopped, and skipped when resolve failed, or built again
     * when resolve passed, its build folders removed first ({@link BuildFolders}) before any other
     * stage starts. Its end waits for that decision.
     */
    private final class Graph {
        private final Workspace ws;
        private final JobMetadata metadata;
        private JobStatus status;
        private final List<String> waiting;
        private final Set<String> passed = new HashSet<>();
        private final Set<String> blocked = new HashSet<>();
        private final Map<String, Future<Ended>> running = new LinkedHashMap<>();
        private final Map<String, CountDownLatch> exits = new LinkedHashMap<>();
        private final BlockingQueue<Future<Ended>> queue = new LinkedBlockingQueue<>();
        private final CompletionService<Ended> ended = new ExecutorCompletionService<>(executor, queue);
        /** The process of a build that goes on with the tests, once started. */
        private BuildWithTests shared;
        /** Whether the running build started beside resolve, which has not ended yet. */
        private boolean besideResolve;
        /** The end of a build beside resolve that came before resolve's. */
        private Ended held;
        /** When the job's folder was last measured. */
        private long diskChecked = System.nanoTime();

        Graph(Workspace ws, JobMetadata metadata, JobStatus status) {
            this.ws = ws;
            this.metadata = metadata;
            this.status = status;
            this.waiting = new ArrayList<>(metadata.stages());
        }

        JobStatus run() throws InterruptedException {
            JobWorker.this.running.put(ws.jobId(), queue);
            boolean stopped = false;
            try {
                while (!waiting.isEmpty() || !running.isEmpty()) {
                    startReady();
                    if (running.isEmpty()) {
                        for (String id : waiting) {
                            status = skip(ws, status, id, "not started: the stage it depends on never ended");
                        }
                        break;
                    }
                    Ended done = next();
                    if (besideResolve && done.stage().equals(Stage.BUILD.id())) {
                        held = done; // its slot stays taken until resolve's end decides
                    } else {
                        end(done);
                    }
                }
            } catch (Cancelled | OverQuota e) {
                stopped = true;
                throw e;
            } finally {
                JobWorker.this.running.remove(ws.jobId(), queue);
                // Interrupted, failed or cancelled: stop what still runs; the runner kills the stage's processes.
                running.values().forEach(f -> f.cancel(true));
                if (shared != null) {
                    shared.stop();
                }
                if (stopped) {
                    awaitExits(ws, exits);
                }
            }
            return status;
        }

        /** Starts the waiting stages that can start now; skips those whose dependency failed. */
        private void startReady() {
            for (Iterator<String> it = waiting.iterator(); it.hasNext(); ) {
                String id = it.next();
                Optional<String> dependency = Stage.byId(id).flatMap(Stage::dependsOn).filter(metadata.stages()::contains);
                if (dependency.isPresent() && blocked.contains(dependency.get())) {
                    it.remove();
                    blocked.add(id);
                    status = skip(ws, status, id, "skipped because stage " + dependency.get() + " failed");
                } else if (running.size() >= parallelism) {
                    continue;
                } else if (dependency.isEmpty() || passed.contains(dependency.get())) {
                    it.remove();
                    launch(id, false);
                } else if (id.equals(Stage.BUILD.id()) && dependency.get().equals(Stage.RESOLVE.id())
                        && running.containsKey(dependency.get()) && overlaps.buildBesideResolve() && runner.buildsBesideResolve()) {
                    it.remove();
                    besideResolve = true;
                    launch(id, true);
                }
            }
        }

        /** Starts the stage's task: the build with its tests in one process when both are planned. */
        private void launch(String id, boolean beside) {
            status = start(ws, status, id, beside
                    ? " (beside resolve, on a Maven repository of its own with the shared cache and the proxy behind it: it stands if resolve downloads nothing)" : "");
            if (id.equals(Stage.BUILD.id()) && overlaps.testsInBuild() && waiting.contains(Stage.TEST.id())) {
                // One process for both: the build, then its tests; the test stage waits for it.
                shared = BuildWithTests.start(runner, command(ws, metadata, id, Map.of(BuildWithTests.VARIABLE, "true"),
                        stageTimeout.multipliedBy(2), beside), executor, exits);
                BuildWithTests build = shared;
                running.put(id, ended.submit(() -> new Ended(id, gate(ws, metadata,
                        build.awaitBuild(run -> built(ws, verdict(ws, id, run, sharedLate())))))));
                return;
            }
            StageCommand cmd = command(ws, metadata, id, Map.of(), stageTimeout, beside);
            running.put(id, ended.submit(counted(id, exits,
                    () -> new Ended(id, gate(ws, metadata, built(ws, verdict(ws, id, runner.run(cmd))))))));
        }

        /** The next stage to end; throws {@link Cancelled} as soon as a cancel of the job is seen. */
        private Ended next() throws InterruptedException {
            while (true) {
                Future<Ended> f = ended.poll(cancelPoll.toMillis(), TimeUnit.MILLISECONDS);
                if (f == null || f == WAKE) {
                    if (Cancellation.requested(ws)) {
                        throw new Cancelled();
                    }
                    checkDisk();
                    continue;
                }
                if (running.containsValue(f)) {
                    return get(f);
                }
                // The task of a stage that was stopped, ending late: nothing to record.
            }
        }

        /** Every {@link #DISK_CHECK}, the job's folder against its quota; throws {@link OverQuota} past it. */
        private void checkDisk() {
            long limit = caps.maxDiskBytes();
            // Every DISK_CHECK; a worker told to poll faster than usual (tests) measures ten polls apart.
            long every = Math.min(DISK_CHECK.toNanos(), cancelPoll.toNanos() * 10);
            if (limit <= 0 || System.nanoTime() - diskChecked < every) {
                return;
            }
            long used = dev.pipelinex.files.TreeSize.disk(ws.dir(), limit);
            diskChecked = System.nanoTime();
            if (used > limit) {
                throw new OverQuota("the job's files took more than its disk quota of " + (limit >> 20)
                        + " MiB (pipelinex.job.max-disk-bytes=" + limit + "); its stages were stopped");
            }
        }

        /** Records a stage's end and starts what it lets start in the same process. */
        private void end(Ended done) {
            running.remove(done.stage());
            StageResult result = done.result();
            StageStatus to = result.status().toStageStatus();
            (to == StageStatus.FAILED ? blocked : passed).add(done.stage());
            JobLog.append(ws.stageLog(done.stage()), "[PIPELINE] END " + done.stage() + " " + result.status());
            JobLog.append(ws.pipelineLog(), "[PIPELINE] END " + done.stage() + " " + result.status()
                    + (result.message() == null ? "" : " — " + result.message()));
            status = status.withStage(done.stage(), s -> s.finished(to, result.message(), clock.instant()), clock.instant());
            save(ws, status);
            dev.pipelinex.service.JobCounters.stage(done.stage(), result.durationMs());
            if (shared != null && done.stage().equals(Stage.BUILD.id()) && BuildWithTests.testsFollow(result)
                    && waiting.remove(Stage.TEST.id())) {
                // The build's process goes on with the tests: the test stage starts now, without a process of its own.
                String test = Stage.TEST.id();
                status = status.withStage(test, s -> s.started(clock.instant()), clock.instant());
                save(ws, status);
                // The test stage's log starts with its START line, written where the process's output was split.
                JobLog.append(ws.pipelineLog(), "[PIPELINE] START " + test + " (in the build's process)");
                BuildWithTests build = shared;
                running.put(test, ended.submit(() -> new Ended(test, gate(ws, metadata,
                        verdict(ws, test, build.awaitProcess(), sharedLate())))));
            }
            if (besideResolve && done.stage().equals(Stage.RESOLVE.id())) {
                besideResolve = false;
                decideBuild(to != StageStatus.FAILED);
            }
        }

        /** Resolve has ended: the build started beside it stands, or is stopped (and built again when resolve passed). */
        private void decideBuild(boolean resolvePassed) {
            Ended build = held;
            held = null;
            long added = resolvePassed ? filesIn(ws.mavenRepository()) : -1;
            if (added == 0) {
                JobLog.append(ws.pipelineLog(), "[PIPELINE] resolve downloaded nothing: the build started beside it stands");
                if (build != null) {
                    end(build);
                }
                return;
            }
            stopBuild();
            String id = Stage.BUILD.id();
            if (!resolvePassed) {
                JobLog.append(ws.pipelineLog(), "[PIPELINE] the build started beside resolve was stopped: resolve failed");
                blocked.add(id);
                status = skip(ws, status, id, "skipped because stage resolve failed");
                return;
            }
            // What the stopped build left goes before any stage starts (SCA writes in target/ too).
            int folders = BuildFolders.remove(ws.work());
            String why = "resolve added " + (added < 0 ? "files" : added + " files") + " to the job's Maven repository: the build"
                    + " started beside it was stopped, its " + folders + " target folder(s) removed, and it starts again";
            JobLog.append(ws.stageLog(id), "[PIPELINE] STOPPED " + id + ": " + why);
            JobLog.append(ws.pipelineLog(), "[PIPELINE] " + why);
            waiting.add(0, id);
        }

        /** Stops the build started beside resolve and waits until its processes are gone. */
        private void stopBuild() {
            String id = Stage.BUILD.id();
            Future<Ended> task = running.remove(id);
            if (task != null) {
                task.cancel(true);
            }
            if (shared != null) {
                shared.stop();
                shared = null;
            }
            CountDownLatch exit = exits.remove(id);
            try {
                if (exit != null && !exit.await(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("the build started beside resolve did not stop within "
                            + STOP_WAIT.toSeconds() + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the build started beside resolve was stopped", e);
            }
        }
    }

    /**
     * {@code task}, with a latch put in {@code exits} under {@code id} that it counts down when
     * it ends, however it ends: a stopped stage's thread is awaited by it.
     */
    static <T> java.util.concurrent.Callable<T> counted(String id, Map<String, CountDownLatch> exits,
                                                        java.util.concurrent.Callable<T> task) {
        CountDownLatch exit = new CountDownLatch(1);
        exits.put(id, exit);
        return () -> {
            try {
                return task.call();
            } finally {
                exit.countDown();
            }
        };
    }

    /** How many regular files are under {@code dir} (none when it does not exist); -1 when it cannot be read. */
    static long filesIn(java.nio.file.Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        try (var files = Files.walk(dir)) {
            return files.filter(f -> Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)).count();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return -1;
        }
    }

    /** Waits until the threads of the stopped stages have ended, so their processes are gone. */
    private static void awaitExits(Workspace ws, Map<String, CountDownLatch> exits) {
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        for (Map.Entry<String, CountDownLatch> e : exits.entrySet()) {
            try {
                if (!e.getValue().await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.warning("stage " + e.getKey() + " of cancelled job " + ws.jobId() + " did not stop within "
                            + STOP_WAIT.toSeconds() + " s");
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Starts the stage's record: its state, a fresh folder, the START lines. A stage started again
     * while it is still RUNNING (a build stopped beside resolve) keeps its log, the rest of its folder goes.
     *
     * @param how what the pipeline log adds to the stage's START line
     */
    private JobStatus start(Workspace ws, JobStatus status, String id, String how) {
        boolean again = status.stage(id).status() == StageStatus.RUNNING;
        status = status.withStage(id, s -> s.started(clock.instant()), clock.instant());
        save(ws, status);
        if (again && Files.isDirectory(ws.stageReports(id))) {
            try (var files = Files.list(ws.stageReports(id))) {
                files.filter(f -> !f.equals(ws.stageLog(id))).forEach(Workspaces::deleteTree);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot clear the folder of stage " + id + ": " + e.getMessage(), e);
            }
        } else {
            Workspaces.deleteTree(ws.stageReports(id));
        }
        StageFiles.freshOutput(ws, id);
        JobLog.append(ws.stageLog(id), "[PIPELINE] START " + id);
        JobLog.append(ws.pipelineLog(), "[PIPELINE] START " + id + how);
        return status;
    }

    private JobStatus skip(Workspace ws, JobStatus status, String id, String why) {
        Workspaces.deleteTree(ws.stageReports(id));
        status = status.withStage(id, s -> s.finished(StageStatus.SKIPPED, why, clock.instant()), clock.instant());
        save(ws, status);
        JobFiles.writeResult(ws, new StageResult(id, ResultStatus.SKIPPED, 0, why, Map.of()));
        return status;
    }

    /** The stage's command: the job's variables, {@code extra}, the deadline, and whether it is a build beside resolve. */
    private StageCommand command(Workspace ws, JobMetadata metadata, String id, Map<String, String> extra, Duration timeout,
                                 boolean besideResolve) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PIPELINEX_SECRET_SCAN_MODE", metadata.pipeline().secretScanMode());
        env.put("PIPELINEX_SAST_PRUNING", String.valueOf(metadata.pipeline().sastPruning()));
        // The oldest JDK of the runner that is at least the Java release the job asked for.
        javaHome(metadata).ifPresent(home -> env.put("JAVA_HOME", home));
        env.putAll(extra);
        // SAST reads the server's copy of what the build compiled; without a build it compiles a copy of its own.
        StageCommand.Project project = id.equals(Stage.SAST.id()) && metadata.stages().contains(Stage.BUILD.id())
                ? StageCommand.Project.BUILT : StageCommand.defaultProject(id);
        return new StageCommand(ws, metadata.stackId(), id, timeout, env, besideResolve, project, null, null, caps.maxLogBytes());
    }

    /** The result with the job's quality gate applied (written back when the gate changes it). */
    private static StageResult gate(Workspace ws, JobMetadata metadata, StageResult result) {
        Optional<StageResult> gated = QualityGate.apply(result, metadata.pipeline().failOn());
        return gated.isPresent() ? overwrite(ws, gated.get()) : result;
    }

    private Optional<String> javaHome(JobMetadata metadata) {
        try {
            return runner.javaHomes().forRelease(Integer.parseInt(metadata.versions().java().split("\\.")[0]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The task's value; its interruption or runtime failure thrown as it was. */
    static <T> T get(Future<T> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InterruptedException ie) {
                throw ie;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** The stage's result: its own result.json, unless the process's end contradicts it. */
    private StageResult verdict(Workspace ws, String stage, StageRun run) {
        return verdict(ws, stage, run, "the stage ran past its deadline of " + stageTimeout.toSeconds()
                + " s and was killed (pipelinex.stage.timeout-seconds)");
    }

    /** What a result says when the build's process, with the tests in it, ran past its deadline. */
    private String sharedLate() {
        return "the build and its tests, one process, ran past their deadline of " + stageTimeout.multipliedBy(2).toSeconds()
                + " s (twice pipelinex.stage.timeout-seconds) and were killed";
    }

    /**
     * @param late what the result says when the process ran past its deadline
     *
     * <p>The stage's processes are gone: its files are ingested into its reports, and its
     * result.json is believed only once it validates ({@link ResultSchema}).
     */
    private StageResult verdict(Workspace ws, String stage, StageRun run, String late) {
        StageFiles.ingest(ws, stage);
        if (run.timedOut()) {
            return overwrite(ws, new StageResult(stage, ResultStatus.ERROR, run.durationMs(), late, Map.of()));
        }
        java.nio.file.Path file = ws.resultFile(stage);
        if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return overwrite(ws, new StageResult(stage, ResultStatus.ERROR, run.durationMs(),
                    "the stage script exited with code " + run.exitCode() + " without writing result.json; see "
                            + stage + ".log", Map.of()));
        }
        StageResult result;
        try {
            if (Files.size(file) > ResultSchema.MAX_BYTES) {
                throw new ResultSchema.InvalidResult("result.json of stage " + stage + " is larger than "
                        + ResultSchema.MAX_BYTES + " bytes");
            }
            result = ResultSchema.validate(stage, Files.readAllBytes(file));
        } catch (ResultSchema.InvalidResult e) {
            return overwrite(ws, new StageResult(stage, ResultStatus.ERROR, run.durationMs(), e.getMessage(), Map.of()));
        } catch (java.io.IOException e) {
            return overwrite(ws, new StageResult(stage, ResultStatus.ERROR, run.durationMs(),
                    "the stage wrote an unreadable result.json: " + e.getMessage(), Map.of()));
        }
        if (run.exitCode() != 0 && result.status() == ResultStatus.PASSED) {
            return overwrite(ws, new StageResult(stage, ResultStatus.ERROR, result.durationMs(),
                    "the stage script reported PASSED but exited with code " + run.exitCode(), result.summary()));
        }
        // What is served is the result as validated (messages on one line, cut to length).
        return overwrite(ws, result);
    }

    /** After a build that passed in a process of its own, now ended: SAST's copy of what it compiled. */
    private static StageResult built(Workspace ws, StageResult result) {
        if (result.stage().equals(Stage.BUILD.id()) && result.status() == ResultStatus.PASSED && !BuildWithTests.testsFollow(result)) {
            StageFiles.snapshot(ws);
        }
        return result;
    }

    private static StageResult overwrite(Workspace ws, StageResult result) {
        JobFiles.writeResult(ws, result);
        return result;
    }
}
