package dev.pipelinex.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobMetadata;
import dev.pipelinex.job.JobRequest;
import dev.pipelinex.job.JobSource;
import dev.pipelinex.job.JobState;
import dev.pipelinex.job.JobStatus;
import dev.pipelinex.job.StageStatus;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.job.Workspaces;
import dev.pipelinex.pipeline.StagePlan;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeadJobsTest {

    static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");
    static final List<String> PLAN = List.of("resolve", "build", "test");

    @TempDir
    Path root;

    Workspace job(Workspaces workspaces, JobStatus status) {
        Workspace ws = workspaces.create();
        JobFiles.writeMetadata(ws, new JobMetadata(ws.jobId(), NOW, JobSource.upload("p.zip"),
                new JobRequest.Stack("java", "spring-boot", "maven"), new JobRequest.Versions("17", "3.9"),
                JobRequest.PipelineOptions.ALL, "spring-boot-maven", new JobMetadata.Admission("ACCEPTED", List.of()),
                PLAN));
        // The status as given, under this workspace's job id.
        JobFiles.writeStatus(ws, new JobStatus(ws.jobId(), status.state(), status.attempt(), status.runner(),
                status.stages(), status.error(), status.createdAt(), status.updatedAt()));
        return ws;
    }

    @Test
    void aRunningJobWhoseMessageIsDeadEndsFailedWithItsUnfinishedStagesCancelled() {
        Workspaces workspaces = new Workspaces(root);
        JobStatus running = JobStatus.queued("x", StagePlan.initialStates(PLAN), NOW).running(3, "docker", NOW)
                .withStage("resolve", s -> s.started(NOW).finished(StageStatus.PASSED, "ok", NOW), NOW)
                .withStage("build", s -> s.started(NOW), NOW);
        Workspace ws = job(workspaces, running);

        assertTrue(new DeadJobs(workspaces, Clock.fixed(NOW, ZoneOffset.UTC)).fail(ws.jobId()), "the job is marked");
        JobStatus after = JobFiles.readStatus(ws).orElseThrow();
        assertEquals(JobState.FAILED, after.state(), "a dead job ends FAILED");
        assertTrue(after.error().contains("delivered 3 times") && after.error().contains("PipelineJobsDLQ"),
                "the error says why: " + after.error());
        assertEquals(StageStatus.PASSED, after.stage("resolve").status(), "a finished stage keeps its status");
        assertEquals(StageStatus.CANCELLED, after.stage("build").status(), "a running stage is cancelled");
        assertEquals(StageStatus.CANCELLED, after.stage("test").status(), "a pending stage is cancelled");
    }

    @Test
    void aFinishedJobIsLeftAsItIs() {
        Workspaces workspaces = new Workspaces(root);
        JobStatus done = JobStatus.queued("x", StagePlan.initialStates(PLAN), NOW).running(1, "local", NOW)
                .finished(JobState.SUCCEEDED, null, NOW);
        Workspace ws = job(workspaces, done);
        assertFalse(new DeadJobs(workspaces, Clock.systemUTC()).fail(ws.jobId()), "nothing to do for a final job");
        assertEquals(JobState.SUCCEEDED, JobFiles.readStatus(ws).orElseThrow().state(), "its state is unchanged");
    }

    @Test
    void aCancelledJobStaysCancelled() {
        Workspaces workspaces = new Workspaces(root);
        Workspace ws = job(workspaces, JobStatus.queued("x", StagePlan.initialStates(PLAN), NOW).running(2, "local", NOW));
        JobStatus cancelled = dev.pipelinex.job.Cancellation.cancel(ws, Clock.fixed(NOW, ZoneOffset.UTC));
        assertFalse(new DeadJobs(workspaces, Clock.systemUTC()).fail(ws.jobId()), "nothing to do for a cancelled job");
        assertEquals(cancelled, JobFiles.readStatus(ws).orElseThrow(), "the cancel is not overwritten");
    }

    @Test
    void anUnknownJobIsIgnored() {
        assertFalse(new DeadJobs(new Workspaces(root), Clock.systemUTC()).fail("00000000-0000-4000-8000-000000000000"),
                "an unknown job is not marked");
    }
}
