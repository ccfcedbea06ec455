package dev.pipelinex.capacity;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.index.JobIndex;
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
        assertDoesNotThrow(() -> pressure(w, 3, 0, GIB, 10 * GIB).check(null),
                "two queued jobs of three allowed; running and finished ones do not count");
    }

    @Test
    void atTheLimitTheJobIsRefusedWith429AndRetryAfter() {
        Workspaces w = withJobs(3, 1, 0);
        RequestRefusedException e = assertThrows(RequestRefusedException.class,
                () -> pressure(w, 3, 0, GIB, 10 * GIB).check(null));
        assertEquals(Refusal.QUEUE_FULL, e.refusal());
        assertEquals(429, e.refusal().status());
        assertEquals(Optional.of(BackPressure.RETRY_AFTER_QUEUE), e.retryAfterSeconds());
        assertTrue(e.detail().contains("pipelinex.queue.max-queued=3"), e.detail());
    }

    @Test
    void lowDiskRefusesWith503AndRetryAfter() {
        Workspaces w = withJobs(0, 0, 0);
        RequestRefusedException e = assertThrows(RequestRefusedException.class,
                () -> pressure(w, 100, 0, 2 * GIB, GIB).check(null));
        assertEquals(Refusal.STORAGE_LOW, e.refusal());
        assertEquals(503, e.refusal().status());
        assertEquals(Optional.of(BackPressure.RETRY_AFTER_DISK), e.retryAfterSeconds());
        assertTrue(e.detail().contains("1024 MiB free") && e.detail().contains("2048 MiB"), e.detail());
    }

    @Test
    void zeroSwitchesEitherCheckOff() {
        Workspaces w = withJobs(4, 0, 0);
        assertDoesNotThrow(() -> pressure(w, 0, 0, 0, 0).check(null));
    }

    @Test
    void theRealDiskIsMeasured() {
        assertTrue(BackPressure.usableSpace(root.resolve("not/yet/made")) > 0, "the nearest existing folder's disk");
    }

    private static BackPressure pressure(Workspaces w, int maxQueued, int maxQueuedPerAccount, long minFree, long free) {
        return new BackPressure(new JobIndex(w), maxQueued, maxQueuedPerAccount, minFree, p -> free);
    }

    /** A job of {@code account} in {@code state}. */
    private void jobOf(Workspaces w, String account, JobState state) {
        dev.pipelinex.job.Workspace ws = RetentionTest.job(w, state, Instant.parse("2025-06-01T00:00:00Z"));
        dev.pipelinex.job.JobMetadata m = dev.pipelinex.job.JobFiles.readMetadata(ws);
        dev.pipelinex.job.JobFiles.writeMetadata(ws, new dev.pipelinex.job.JobMetadata(m.jobId(), m.createdAt(), m.source(),
                m.stack(), m.versions(), m.pipeline(), m.stackId(), m.admission(), m.stages(), account));
    }

    @Test
    void anAccountAtItsOwnLimitIsRefusedWhileOthersAreTaken() {
        Workspaces w = new Workspaces(root);
        for (int i = 0; i < 3; i++) {
            jobOf(w, "busy", JobState.QUEUED);
        }
        jobOf(w, "busy", JobState.RUNNING);
        jobOf(w, "quiet", JobState.QUEUED);
        BackPressure p = pressure(w, 100, 3, GIB, 10 * GIB);
        RequestRefusedException e = assertThrows(RequestRefusedException.class, () -> p.check("busy"));
        assertEquals(Refusal.ACCOUNT_QUEUE_FULL, e.refusal());
        assertEquals(429, e.refusal().status());
        assertEquals(Optional.of(BackPressure.RETRY_AFTER_QUEUE), e.retryAfterSeconds());
        assertTrue(e.detail().contains("3 jobs of account 'busy'") && e.detail().contains("pipelinex.account.max-queued=3"),
                e.detail());
        assertDoesNotThrow(() -> p.check("quiet"), "another account's job is still taken");
        assertDoesNotThrow(() -> p.check(null), "without an account only the service's limit applies");
        assertDoesNotThrow(() -> pressure(w, 100, 0, GIB, 10 * GIB).check("busy"), "0: no limit per account");
    }

    @Test
    void theServicesLimitComesBeforeTheAccounts() {
        Workspaces w = new Workspaces(root);
        jobOf(w, "busy", JobState.QUEUED);
        jobOf(w, "busy", JobState.QUEUED);
        RequestRefusedException e = assertThrows(RequestRefusedException.class,
                () -> pressure(w, 2, 2, GIB, 10 * GIB).check("busy"));
        assertEquals(Refusal.QUEUE_FULL, e.refusal());
    }

    @Test
    void aJobsPriorityFallsWithItsAccountsJobsInTheService() {
        Workspaces w = new Workspaces(root);
        JobIndex index = new JobIndex(w); // made before the jobs: it sees them appear, as it sees another node's
        assertEquals(9, BackPressure.priority(index, "new"), "an account with nothing in the service goes first");
        jobOf(w, "busy", JobState.QUEUED);
        jobOf(w, "busy", JobState.RUNNING);
        jobOf(w, "busy", JobState.SUCCEEDED);
        jobOf(w, "other", JobState.QUEUED);
        assertEquals(7, BackPressure.priority(index, "busy"), "its queued and running jobs count, its finished ones do not");
        assertEquals(8, BackPressure.priority(index, "other"));
        assertEquals(9, BackPressure.priority(index, "new"));
        for (int i = 0; i < 12; i++) {
            jobOf(w, "busy", JobState.QUEUED);
        }
        assertEquals(0, BackPressure.priority(index, "busy"), "never below 0");
        assertEquals(4, BackPressure.priority(index, null), "a job of no account gets the broker's default");
    }
}
