package dev.pipelinex.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.pipeline.StagePlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CancellationTest {

    private static final Instant NOW = Instant.parse("2025-06-01T10:00:00Z");
    private static final List<String> PLAN = List.of("resolve", "build", "test");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path root;

    private Workspace job(JobStatus status) {
        Workspace ws = new Workspaces(root).create();
        JobFiles.writeStatus(ws, new JobStatus(ws.jobId(), status.state(), status.attempt(), status.runner(),
                status.stages(), status.error(), status.createdAt(), status.updatedAt()));
        return ws;
    }

    private static JobStatus queued() {
        return JobStatus.queued("x", StagePlan.initialStates(PLAN), NOW.minusSeconds(60));
    }

    @Test
    void queuedJobBecomesCancelledWithItsPlannedStagesSkipped() {
        Workspace ws = job(queued());
        assertFalse(Cancellation.requested(ws), "nothing asked yet");

        JobStatus after = Cancellation.cancel(ws, clock);

        assertEquals(JobState.CANCELLED, after.state());
        assertEquals(after, JobFiles.readStatus(ws).orElseThrow(), "state.json holds the answer");
        assertTrue(after.error().contains("QUEUED"), "the error says when it was cancelled: " + after.error());
        for (String s : PLAN) {
            assertEquals(StageStatus.SKIPPED, after.stage(s).status(), s + " never runs");
            assertEquals(Cancellation.NOT_RUN, after.stage(s).message());
        }
        assertEquals(StageStatus.SKIPPED, after.stage("sast").status(), "a switched-off stage stays SKIPPED");
        assertTrue(Files.isRegularFile(Cancellation.marker(ws)), "the marker is written for the worker");
        assertTrue(Cancellation.requested(ws));
    }

    @Test
    void runningJobHasItsRunningStageCancelledAndFinishedOnesKept() {
        JobStatus running = queued().running(1, "local", NOW)
                .withStage("resolve", s -> s.started(NOW).finished(StageStatus.PASSED, "ok", NOW), NOW)
                .withStage("build", s -> s.started(NOW.minusSeconds(5)), NOW);
        Workspace ws = job(running);

        JobStatus after = Cancellation.cancel(ws, clock);

        assertEquals(JobState.CANCELLED, after.state());
        assertEquals(1, after.attempt(), "the attempt is kept");
        assertEquals(StageStatus.PASSED, after.stage("resolve").status(), "a finished stage is kept");
        assertEquals(StageStatus.CANCELLED, after.stage("build").status(), "the running stage is CANCELLED");
        assertEquals(5000L, after.stage("build").durationMs(), "the stopped stage has its duration");
        assertEquals(StageStatus.SKIPPED, after.stage("test").status(), "a pending stage is SKIPPED");
    }

    @Test
    void finalJobIsRefusedWithItsState() {
        for (JobState end : List.of(JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)) {
            JobStatus done = queued().running(1, "local", NOW).finished(end, null, NOW);
            Workspace ws = job(done);
            RequestRefusedException e = assertThrows(RequestRefusedException.class, () -> Cancellation.cancel(ws, clock));
            assertEquals(Refusal.JOB_ALREADY_FINAL, e.refusal());
            assertEquals(409, e.refusal().status());
            assertTrue(e.detail().contains(end.name()), "the detail says the state: " + e.detail());
            assertEquals(end, JobFiles.readStatus(ws).orElseThrow().state(), "the state is unchanged");
            assertFalse(Files.exists(Cancellation.marker(ws)), "no marker for a refused cancel");
        }
    }
}
