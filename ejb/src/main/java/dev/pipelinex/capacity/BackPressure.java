package dev.pipelinex.capacity;

import dev.pipelinex.index.JobIndex;
import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ToLongFunction;

/**
 * Whether a new job may be taken, decided before its upload is stored: refused with 429 when
 * {@code maxQueued} jobs already wait or {@code maxQueuedPerAccount} of the submitting account's
 * do, with 503 when the workspace disk has less than
 * {@code minFreeBytes} free. The queued jobs are counted by the {@link JobIndex}, which follows
 * the workspaces every node shares, so the limit holds for the cluster; it is a soft limit (two
 * submissions at the same moment may both pass at the edge).
 */
public final class BackPressure {

    /** Seconds a refused client is asked to wait ({@code Retry-After}). */
    public static final long RETRY_AFTER_QUEUE = 30;
    public static final long RETRY_AFTER_DISK = 300;

    private final JobIndex jobs;
    private final int maxQueued;
    private final int maxQueuedPerAccount;
    private final long minFreeBytes;
    private final ToLongFunction<Path> freeBytes;

    /**
     * @param maxQueued           most jobs QUEUED at once; 0 or less: no limit
     * @param maxQueuedPerAccount most jobs of one account QUEUED at once; 0 or less: no limit
     * @param minFreeBytes        free space the workspace disk must keep; 0 or less: not checked
     * @param freeBytes           the usable bytes of the disk of a folder ({@link #usableSpace})
     */
    public BackPressure(JobIndex jobs, int maxQueued, int maxQueuedPerAccount, long minFreeBytes,
                        ToLongFunction<Path> freeBytes) {
        this.jobs = jobs;
        this.maxQueuedPerAccount = maxQueuedPerAccount;
        this.maxQueued = maxQueued;
        this.minFreeBytes = minFreeBytes;
        this.freeBytes = freeBytes;
    }

    /** Throws the refusal a new job of {@code account} (null: none known) gets now, if any. */
    public void check(String account) {
        if (minFreeBytes > 0) {
            long free = freeBytes.applyAsLong(jobs.root());
            if (free < minFreeBytes) {
                throw new RequestRefusedException(Refusal.STORAGE_LOW, "the workspace disk has " + mib(free)
                        + " MiB free, less than the " + mib(minFreeBytes) + " MiB new jobs need "
                        + "(pipelinex.workspaces.min-free-bytes); try again later").retryAfter(RETRY_AFTER_DISK);
            }
        }
        int queued = jobs.queued();
        if (maxQueued > 0 && queued >= maxQueued) {
            throw new RequestRefusedException(Refusal.QUEUE_FULL, queued + " jobs are already waiting to run, "
                    + "the most this service takes (pipelinex.queue.max-queued=" + maxQueued
                    + "); try again later").retryAfter(RETRY_AFTER_QUEUE);
        }
        int mine = jobs.of(account).queued();
        if (maxQueuedPerAccount > 0 && account != null && mine >= maxQueuedPerAccount) {
            throw new RequestRefusedException(Refusal.ACCOUNT_QUEUE_FULL, mine + " jobs of account '" + account
                    + "' are already waiting to run, the most one account may have waiting (pipelinex.account.max-queued="
                    + maxQueuedPerAccount + "); try again when some have started").retryAfter(RETRY_AFTER_QUEUE);
        }
    }

    /**
     * The JMS priority of a new job of {@code account}: 9 less the account's jobs that wait or run
     * (at least 0), so that an account with few jobs in the service goes before one with many,
     * whatever their order of submission. The broker delivers higher priorities first and keeps
     * the order of submission within one; a job already queued keeps its priority.
     */
    public static int priority(JobIndex jobs, String account) {
        if (account == null) {
            return 4; // the broker's default
        }
        return Math.max(0, 9 - jobs.of(account).active());
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }

    public static long usableSpace(Path root) {
        try {
            Path p = root;
            while (p != null && !Files.exists(p)) {
                p = p.getParent();
            }
            return p == null ? Long.MAX_VALUE : Files.getFileStore(p).getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the free space of " + root + ": " + e.getMessage(), e);
        }
    }
}
