package dev.pipelinex.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.index.JobIndex;
import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobMetadata;
import dev.pipelinex.job.JobState;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.job.Workspaces;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunningShareTest {

    @TempDir
    Path root;

    private Workspace jobOf(Workspaces w, String account, JobState state) {
        Workspace ws = RetentionTest.job(w, state, Instant.parse("2025-06-01T00:00:00Z"));
        JobMetadata m = JobFiles.readMetadata(ws);
        JobFiles.writeMetadata(ws, new JobMetadata(m.jobId(), m.createdAt(), m.source(), m.stack(), m.versions(),
                m.pipeline(), m.stackId(), m.admission(), m.stages(), account));
        return ws;
    }

    @Test
    void anAccountAtItsLimitWaitsOnlyWhileAnotherAccountCouldUseTheWorker() {
        Workspaces w = new Workspaces(root);
        jobOf(w, "busy", JobState.RUNNING);
        Workspace next = jobOf(w, "busy", JobState.QUEUED);
        assertEquals(Optional.empty(), RunningShare.waitReason(new JobIndex(w), next.jobId(), 1),
                "nobody else waits: the free worker runs the busy account's next job");

        Workspace other = jobOf(w, "other", JobState.QUEUED);
        Optional<String> why = RunningShare.waitReason(new JobIndex(w), next.jobId(), 1);
        assertTrue(why.isPresent(), "another account's job waits: the busy account's next one gives way");
        assertTrue(why.get().contains("account 'busy' has 1 jobs running") && why.get().contains("max-running=1"), why.get());
        assertEquals(Optional.empty(), RunningShare.waitReason(new JobIndex(w), next.jobId(), 2), "below the limit");
        assertEquals(Optional.empty(), RunningShare.waitReason(new JobIndex(w), next.jobId(), 0), "0: no limit");
        assertEquals(Optional.empty(), RunningShare.waitReason(new JobIndex(w), other.jobId(), 1),
                "the other account's job runs");
    }

    @Test
    void accountsThatAreAllAtTheLimitDoNotHoldEachOtherBack() {
        Workspaces w = new Workspaces(root);
        jobOf(w, "a", JobState.RUNNING);
        jobOf(w, "b", JobState.RUNNING);
        Workspace aNext = jobOf(w, "a", JobState.QUEUED);
        Workspace bNext = jobOf(w, "b", JobState.QUEUED);
        JobIndex index = new JobIndex(w);
        assertEquals(Optional.empty(), RunningShare.waitReason(index, aNext.jobId(), 1),
                "b waits too but is at the limit itself: a free worker would be idle otherwise");
        assertEquals(Optional.empty(), RunningShare.waitReason(index, bNext.jobId(), 1));
    }

    @Test
    void aJobFoundRunningOrWithoutAccountIsNeverHeldBack() {
        Workspaces w = new Workspaces(root);
        Workspace crashed = jobOf(w, "busy", JobState.RUNNING);
        jobOf(w, "busy", JobState.RUNNING);
        jobOf(w, "other", JobState.QUEUED);
        Workspace anonymous = RetentionTest.job(w, JobState.QUEUED, Instant.parse("2025-06-01T00:00:00Z"));
        JobIndex index = new JobIndex(w);
        assertEquals(Optional.empty(), RunningShare.waitReason(index, crashed.jobId(), 1), "delivered again after a crash");
        assertEquals(Optional.empty(), RunningShare.waitReason(index, anonymous.jobId(), 1));
        assertEquals(Optional.empty(), RunningShare.waitReason(index, "not-a-job", 1));
    }
}
