package dev.pipelinex.capacity;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.job.JobState;
import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import dev.pipelinex.job.Workspaces;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackPressureTest {

    private static final long GIB = 1L << 30;

    @TempDir
    Path root;

    private Workspaces withJobs(int queued, int running, int finished) {
        Workspaces workspaces = new Workspaces(root);
        Instant t = Instant.parse("2025-06-01T00:00:00Z");
        for (int i = 0; i < queued; i++) {
            RetentionTest.job(workspaces, JobState.QUEUED, t);
        }
        for (int i = 0; i < running; i++) {
            RetentionTest.job(workspaces, JobState.RUNNING, t);
        }
        for (int i = 0; i < finished; i++) {
            RetentionTest.job(workspaces, JobState.SUCCEEDED, t);
        }
        return workspaces;
    }

    @Test
    void belowTheLimitANewJobIsTaken() {
        Workspaces w = withJobs(2, 5, 5);
        assertDoesNotThrow(() -> new BackPressure(w, 3, GIB, p -> 10 * GIB).check(),
                "two queued jobs of three allowed; running and finished ones do not count");
    }

    @Test
    void atTheLimitTheJobIsRefusedWith429AndRetryAfter() {
        Workspaces w = withJobs(3, 1, 0);
        RequestRefusedException e = assertThrows(RequestRefusedException.class,
                () -> new BackPressure(w, 3, GIB, p -> 10 * GIB).check());
        assertEquals(Refusal.QUEUE_FULL, e.refusal());
        assertEquals(429, e.refusal().status());
        assertEquals(Optional.of(BackPressure.RETRY_AFTER_QUEUE), e.retryAfterSeconds());
        assertTrue(e.detail().contains("pipelinex.queue.max-queued=3"), e.detail());
    }

    @Test
    void lowDiskRefusesWith503AndRetryAfter() {
        Workspaces w = withJobs(0, 0, 0);
        RequestRefusedException e = assertThrows(RequestRefusedException.class,
                () -> new BackPressure(w, 100, 2 * GIB, p -> GIB).check());
        assertEquals(Refusal.STORAGE_LOW, e.refusal());
        assertEquals(503, e.refusal().status());
        assertEquals(Optional.of(BackPressure.RETRY_AFTER_DISK), e.retryAfterSeconds());
        assertTrue(e.detail().contains("1024 MiB free") && e.detail().contains("2048 MiB"), e.detail());
    }

    @Test
    void zeroSwitchesEitherCheckOff() {
        Workspaces w = withJobs(4, 0, 0);
        assertDoesNotThrow(() -> new BackPressure(w, 0, 0, p -> 0).check());
    }

    @Test
    void theRealDiskIsMeasured() {
        assertTrue(BackPressure.usableSpace(root.resolve("not/yet/made")) > 0, "the nearest existing folder's disk");
    }
}
