package dev.pipelinex.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobStatusTest {

    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

    private static JobStatus queued() {
        return JobStatus.queued("job", List.of(StageState.pending("build"), StageState.pending("test")), T0);
    }

    @Test
    void queuedStartsAtAttemptZeroWithoutRunner() {
        JobStatus s = queued();
        assertEquals(JobState.QUEUED, s.state(), "a new job should be QUEUED");
        assertEquals(0, s.attempt(), "a new job should be at attempt 0");
        assertNull(s.runner(), "a new job should have no runner");
        assertNull(s.error(), "a new job should have no error");
        assertEquals(T0, s.createdAt(), "createdAt should be the given time");
        assertEquals(T0, s.updatedAt(), "updatedAt should start at createdAt");
    }

    @Test
    void runningRecordsAttemptAndRunnerAndKeepsCreatedAt() {
        JobStatus s = queued().finished(JobState.FAILED, "old error", T0).running(3, "local", T0.plusSeconds(5));
        assertEquals(JobState.RUNNING, s.state(), "running() should set RUNNING");
        assertEquals(3, s.attempt(), "running() should record the attempt");
        assertEquals("local", s.runner(), "running() should record the runner");
        assertNull(s.error(), "running() should clear an earlier error");
        assertEquals(T0, s.createdAt(), "running() should keep createdAt");
        assertEquals(T0.plusSeconds(5), s.updatedAt(), "running() should stamp updatedAt");
    }

    @Test
    void finishedRecordsStateAndError() {
        JobStatus s = queued().running(1, "local", T0).finished(JobState.FAILED, "stage build failed", T0.plusSeconds(9));
        assertEquals(JobState.FAILED, s.state(), "finished() should set the final state");
        assertEquals("stage build failed", s.error(), "finished() should record why");
        assertEquals(1, s.attempt(), "finished() should keep the attempt");
        assertEquals("local", s.runner(), "finished() should keep the runner");
        assertEquals(T0.plusSeconds(9), s.updatedAt(), "finished() should stamp updatedAt");
    }

    @Test
    void withStageChangesOnlyTheNamedStageAndLeavesTheOriginalAlone() {
        JobStatus before = queued();
        JobStatus after = before.withStage("test", s -> s.started(T0.plusSeconds(1)), T0.plusSeconds(2));
        assertEquals(StageStatus.RUNNING, after.stage("test").status(), "the named stage should change");
        assertEquals(StageStatus.PENDING, after.stage("build").status(), "other stages should not change");
        assertEquals(List.of("build", "test"), after.stages().stream().map(StageState::name).toList(),
                "the stage order should be kept");
        assertEquals(T0.plusSeconds(2), after.updatedAt(), "withStage() should stamp updatedAt");
        assertEquals(StageStatus.PENDING, before.stage("test").status(), "the original status should be unchanged");
    }

    @Test
    void stagesAreACopyThatCannotBeChanged() {
        List<StageState> stages = new ArrayList<>(List.of(StageState.pending("build")));
        JobStatus s = JobStatus.queued("job", stages, T0);
        stages.add(StageState.pending("test"));
        assertEquals(1, s.stages().size(), "changing the caller's list should not change the status");
        assertThrows(UnsupportedOperationException.class, () -> s.stages().add(StageState.pending("x")),
                "the status's stage list should be unmodifiable");
    }

    @Test
    void unknownStageNameFails() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> queued().stage("deploy"),
                "asking for a stage the job does not have should fail");
        assertTrue(e.getMessage().contains("deploy"), "the failure should name the stage: " + e.getMessage());
    }

    @Test
    void stageStartedThenFinishedComputesDurationMs() {
        StageState s = StageState.pending("build").started(T0).finished(StageStatus.PASSED, "ok", T0.plusMillis(2750));
        assertEquals(StageStatus.PASSED, s.status(), "finished() should set the status");
        assertEquals("ok", s.message(), "finished() should record the message");
        assertEquals(T0, s.startedAt(), "finished() should keep startedAt");
        assertEquals(T0.plusMillis(2750), s.finishedAt(), "finished() should record finishedAt");
        assertEquals(2750L, s.durationMs(), "duration_ms should be finishedAt - startedAt");
    }

    @Test
    void startedClearsAnEarlierMessageAndTimes() {
        StageState s = StageState.skipped("test", "off").started(T0);
        assertEquals(StageStatus.RUNNING, s.status(), "started() should set RUNNING");
        assertNull(s.message(), "started() should clear the message");
        assertEquals(T0, s.startedAt(), "started() should record startedAt");
        assertNull(s.finishedAt(), "a running stage has no finishedAt");
        assertNull(s.durationMs(), "a running stage has no duration");
    }

    @Test
    void finishingAStageThatNeverStartedHasNoTimes() {
        StageState s = StageState.pending("test").finished(StageStatus.SKIPPED, "skipped because stage build failed", T0);
        assertEquals(StageStatus.SKIPPED, s.status(), "the stage should be SKIPPED");
        assertEquals("skipped because stage build failed", s.message(), "the reason should be kept");
        assertNull(s.startedAt(), "a stage that never started has no startedAt");
        assertNull(s.finishedAt(), "a stage that never started has no finishedAt");
        assertNull(s.durationMs(), "a stage that never started has no duration");
    }

    @Test
    void factoriesSetPendingAndSkipped() {
        assertEquals(new StageState("b", StageStatus.PENDING, null, null, null, null), StageState.pending("b"),
                "pending() should be PENDING with nothing else");
        assertEquals(new StageState("b", StageStatus.SKIPPED, "why", null, null, null), StageState.skipped("b", "why"),
                "skipped() should be SKIPPED with the reason");
    }

    @Test
    void finalStatesAndResultMapping() {
        for (JobState s : JobState.values()) {
            assertEquals(s == JobState.SUCCEEDED || s == JobState.FAILED || s == JobState.CANCELLED, s.isFinal(),
                    "JobState " + s + " finality");
        }
        for (StageStatus s : StageStatus.values()) {
            assertEquals(s != StageStatus.PENDING && s != StageStatus.RUNNING, s.isFinal(), "StageStatus " + s + " finality");
        }
        assertSame(StageStatus.PASSED, ResultStatus.PASSED.toStageStatus(), "PASSED result -> PASSED stage");
        assertSame(StageStatus.FAILED, ResultStatus.FAILED.toStageStatus(), "FAILED result -> FAILED stage");
        assertSame(StageStatus.FAILED, ResultStatus.ERROR.toStageStatus(), "ERROR result -> FAILED stage");
        assertSame(StageStatus.SKIPPED, ResultStatus.SKIPPED.toStageStatus(), "SKIPPED result -> SKIPPED stage");
        assertFalse(JobState.RUNNING.isFinal(), "RUNNING is not final");
    }
}
