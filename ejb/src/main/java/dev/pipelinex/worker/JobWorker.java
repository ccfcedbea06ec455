package dev.pipelinex.worker;

import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobMetadata;
import dev.pipelinex.job.JobState;
import dev.pipelinex.job.JobStatus;
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
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs one job: state RUNNING, the planned stages through the runner (side by side where they
 * do not depend on each other, skipping those whose dependency failed), then the final state. Every attempt starts the stages afresh, so a
 * redelivered job (its node died mid-run) is run again from the start.
 */
public final class JobWorker {

    private static final Logger LOG = Logger.getLogger(JobWorker.class.getName());

    private final Workspaces workspaces;
    private final Runner runner;
    private final Duration stageTimeout;
    private final Clock clock;
    private final ExecutorService executor;
    private final int parallelism;

    /**
     * @param executor    the threads stages run on (the server's managed executor)
     * @param parallelism how many stages of one job may run at the same time
     */
    public JobWorker(Workspaces workspaces, Runner runner, Duration stageTimeout, Clock clock,
                     ExecutorService executor, int parallelism) {
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
        JobFiles.writeStatus(ws, status);
        JobLog.stamped(ws.pipelineLog(), "job " + jobId + " attempt " + attemptNumber + " on runner " + runner.name());
        try {
            status = runStages(ws, metadata, status);
            String failed = status.stages().stream().filter(s -> s.status() == StageStatus.FAILED)
                    .map(s -> "stage " + s.name() + " failed: " + s.message()).findFirst().orElse(null);
            status = status.finished(failed == null ? JobState.SUCCEEDED : JobState.FAILED, failed, clock.instant());
        } catch (InterruptedException e) {
            JobLog.stamped(ws.pipelineLog(), "interrupted; the job will be delivered again");
            throw e;
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "job " + jobId + " failed inside PipelineX", e);
            // The stages as last written, not as they were before the run: keep what did happen.
            JobStatus last = JobFiles.readStatus(ws).orElse(status);
            String why = "internal error: " + e.getMessage();
            // No stage stays RUNNING or PENDING in a final job.
            for (var stage : last.stages()) {
                if (stage.status() == StageStatus.RUNNING) {
                    last = last.withStage(stage.name(), st -> st.finished(StageStatus.FAILED, why, clock.instant()), clock.instant());
                } else if (stage.status() == StageStatus.PENDING) {
                    last = last.withStage(stage.name(), st -> st.finished(StageStatus.SKIPPED,
                            "not run: the job ended with an internal error", clock.instant()), clock.instant());
                }
            }
            status = last.finished(JobState.FAILED, why, clock.instant());
        }
        JobFiles.writeStatus(ws, status);
        dev.pipelinex.service.JobCounters.ended(status.state());
        try {
            runner.finish(ws);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "runner clean-up after job " + jobId + " failed", e);
        }
        JobLog.stamped(ws.pipelineLog(), "job " + status.state()
                + (status.error() == null ? "" : " (" + status.error() + ")"));
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
        List<String> waiting = new ArrayList<>(metadata.stages());
        Set<String> passed = new HashSet<>();
        Set<String> blocked = new HashSet<>();
        Map<String, Future<Ended>> running = new LinkedHashMap<>();
        CompletionService<Ended> ended = new ExecutorCompletionService<>(executor);
        try {
            while (!waiting.isEmpty() || !running.isEmpty()) {
                for (Iterator<String> it = waiting.iterator(); it.hasNext(); ) {
                    String id = it.next();
                    Optional<String> dependency = Stage.byId(id).flatMap(Stage::dependsOn)
                            .filter(metadata.stages()::contains);
                    if (dependency.isPresent() && blocked.contains(dependency.get())) {
                        it.remove();
                        blocked.add(id);
                        status = skip(ws, status, id, "skipped because stage " + dependency.get() + " failed");
                    } else if ((dependency.isEmpty() || passed.contains(dependency.get())) && running.size() < parallelism) {
                        it.remove();
                        status = start(ws, status, id);
                        running.put(id, ended.submit(() -> new Ended(id, runStage(ws, metadata, id))));
                    }
                }
                if (running.isEmpty()) {
                    for (String id : waiting) {
                        status = skip(ws, status, id, "not started: the stage it depends on never ended");
                    }
                    break;
                }
                Ended done = take(ended);
                running.remove(done.stage());
                StageResult result = done.result();
                StageStatus to = result.status().toStageStatus();
                (to == StageStatus.FAILED ? blocked : passed).add(done.stage());
                JobLog.append(ws.stageLog(done.stage()), "[PIPELINE] END " + done.stage() + " " + result.status());
                JobLog.append(ws.pipelineLog(), "[PIPELINE] END " + done.stage() + " " + result.status()
                        + (result.message() == null ? "" : " — " + result.message()));
                status = status.withStage(done.stage(), s -> s.finished(to, result.message(), clock.instant()), clock.instant());
                JobFiles.writeStatus(ws, status);
                dev.pipelinex.service.JobCounters.stage(done.stage(), result.durationMs());
            }
        } finally {
            // Interrupted or failed: stop what still runs; the runner kills the stage's processes.
            running.values().forEach(f -> f.cancel(true));
        }
        return status;
    }

    private JobStatus start(Workspace ws, JobStatus status, String id) {
        status = status.withStage(id, s -> s.started(clock.instant()), clock.instant());
        JobFiles.writeStatus(ws, status);
        Workspaces.deleteTree(ws.stageReports(id));
        JobLog.append(ws.stageLog(id), "[PIPELINE] START " + id);
        JobLog.append(ws.pipelineLog(), "[PIPELINE] START " + id);
        return status;
    }

    private JobStatus skip(Workspace ws, JobStatus status, String id, String why) {
        Workspaces.deleteTree(ws.stageReports(id));
        status = status.withStage(id, s -> s.finished(StageStatus.SKIPPED, why, clock.instant()), clock.instant());
        JobFiles.writeStatus(ws, status);
        JobFiles.writeResult(ws, new StageResult(id, ResultStatus.SKIPPED, 0, why, Map.of()));
        return status;
    }

    /** Runs one stage on a thread of the executor and returns its result, the quality gate applied. */
    private StageResult runStage(Workspace ws, JobMetadata metadata, String id) throws InterruptedException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PIPELINEX_SECRET_SCAN_MODE", metadata.pipeline().secretScanMode());
        env.put("PIPELINEX_SAST_PRUNING", String.valueOf(metadata.pipeline().sastPruning()));
        // The oldest JDK of the runner that is at least the Java release the job asked for.
        javaHome(metadata).ifPresent(home -> env.put("JAVA_HOME", home));
        StageRun run = runner.run(new StageCommand(ws, metadata.stackId(), id, stageTimeout, env));
        StageResult result = verdict(ws, id, run);
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

    private static Ended take(CompletionService<Ended> ended) throws InterruptedException {
        try {
            return ended.take().get();
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
        if (run.timedOut()) {
            return overwrite(ws, new StageResult(stage, ResultStatus.ERROR, run.durationMs(),
                    "the stage ran past its deadline of " + stageTimeout.toSeconds()
                            + " s and was killed (pipelinex.stage.timeout-seconds)", Map.of()));
        }
        Optional<StageResult> written;
        try {
            written = JobFiles.readResult(ws, stage);
        } catch (RuntimeException e) {
            return overwrite(ws, new StageResult(stage, ResultStatus.ERROR, run.durationMs(),
                    "the stage wrote an unreadable result.json: " + e.getMessage(), Map.of()));
        }
        if (written.isEmpty()) {
            return overwrite(ws, new StageResult(stage, ResultStatus.ERROR, run.durationMs(),
                    "the stage script exited with code " + run.exitCode() + " without writing result.json; see "
                            + stage + ".log", Map.of()));
        }
        StageResult result = written.get();
        if (run.exitCode() != 0 && result.status() == ResultStatus.PASSED) {
            return overwrite(ws, new StageResult(stage, ResultStatus.ERROR, result.durationMs(),
                    "the stage script reported PASSED but exited with code " + run.exitCode(), result.summary()));
        }
        return result;
    }

    private static StageResult overwrite(Workspace ws, StageResult result) {
        JobFiles.writeResult(ws, result);
        return result;
    }
}
