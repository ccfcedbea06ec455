package dev.pipelinex.capacity;

import dev.pipelinex.index.JobIndex;
import dev.pipelinex.job.JobState;
import java.util.Optional;

/**
 * How many jobs of one account may run while other accounts' jobs wait: at most
 * {@code maxRunning}. A job of an account at that limit is put back on the queue for a few
 * seconds when another account has a job waiting that a free worker could run; when nobody else
 * waits, it runs, so no worker sits idle for the sake of fairness. A job found RUNNING (a
 * delivery after a crash) is never held back. Counted from the {@link JobIndex}, so across nodes.
 */
public final class RunningShare {

    private RunningShare() {
    }

    /** Why job {@code jobId} should wait now; empty when it may start. */
    public static Optional<String> waitReason(JobIndex index, String jobId, int maxRunning) {
        if (maxRunning <= 0) {
            return Optional.empty();
        }
        Optional<JobIndex.Entry> job = index.find(jobId);
        if (job.isEmpty() || job.get().state() != JobState.QUEUED || job.get().metadata().submittedBy() == null) {
            return Optional.empty();
        }
        String account = job.get().metadata().submittedBy();
        int running = index.of(account).running();
        if (running >= maxRunning && index.othersWaiting(account, maxRunning)) {
            return Optional.of("account '" + account + "' has " + running + " jobs running, the most one account may run "
                    + "while others wait (pipelinex.account.max-running=" + maxRunning + ")");
        }
        return Optional.empty();
    }
}
