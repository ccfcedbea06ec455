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
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs one job: state RUNNING, each planned stage through the runner (skipping those whose
 * dependency failed), then the final state. Every attempt starts the stages afresh, so a
 * redelivered job (its node died mid-run) is run again from the start.
 */
public final class JobWorker {

    private static final Logger LOG = Logger.getLogger(JobWorker.class.getName());

    private final Workspaces workspaces;
    private final Runner runner;
    private final Duration stageTimeout;
    private final Clock clock;

    public JobWorker(Workspaces workspaces, Runner runner, Duration stageTimeout, Clock clock) {
        this.workspaces = workspaces;
        this.runner = runner;
        this.stageTimeout = stageTimeout;
        this.clock = clock;
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
            status = last.finished(JobState.FAILED, "internal error: " + e.getMessage(), clock.instant());
        }
        JobFiles.writeStatus(ws, status);
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

    private JobStatus runStages(Workspace ws, JobMetadata metadata, JobStatus status) throws InterruptedException {
        Set<String> blocked = new HashSet<>();
        for (String id : metadata.stages()) {
            Optional<String> dependency = Stage.byId(id).flatMap(Stage::dependsOn);
            if (dependency.isPresent() && blocked.contains(dependency.get())) {
                blocked.add(id);
                String why = "skipped because stage " + dependency.get() + " failed";
                Workspaces.deleteTree(ws.stageReports(id));
                status = status.withStage(id, s -> s.finished(StageStatus.SKIPPED, why, clock.instant()), clock.instant());
                JobFiles.writeStatus(ws, status);
                JobFiles.writeResult(ws, new StageResult(id, ResultStatus.SKIPPED, 0, why, Map.of()));
                continue;
            }
            status = status.withStage(id, s -> s.started(clock.instant()), clock.instant());
            JobFiles.writeStatus(ws, status);
            Workspaces.deleteTree(ws.stageReports(id));
            JobLog.append(ws.stageLog(id), "[PIPELINE] START " + id);
            JobLog.append(ws.pipelineLog(), "[PIPELINE] START " + id);

            StageRun run = runner.run(new StageCommand(ws, metadata.stackId(), id, stageTimeout));
            StageResult result = verdict(ws, id, run);
            StageStatus to = result.status().toStageStatus();
            if (to == StageStatus.FAILED) {
                blocked.add(id);
            }
            JobLog.append(ws.stageLog(id), "[PIPELINE] END " + id + " " + result.status());
            JobLog.append(ws.pipelineLog(), "[PIPELINE] END " + id + " " + result.status()
                    + (result.message() == null ? "" : " — " + result.message()));
            status = status.withStage(id, s -> s.finished(to, result.message(), clock.instant()), clock.instant());
            JobFiles.writeStatus(ws, status);
        }
        return status;
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
