package dev.pipelinex.capacity;

import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobState;
import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.job.Workspaces;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ToLongFunction;

/**
 * Whether a new job may be taken, decided before its upload is stored: refused with 429 when
 * {@code maxQueued} jobs already wait or {@code maxQueuedPerAccount} of the submitting account's
 * do, with 503 when the workspace disk has less than
 * {@code minFreeBytes} free. The queued jobs are counted in the workspaces' state.json files,
 * which every node shares, so the limit holds for the cluster; it is a soft limit (two
 * submissions at the same moment may both pass at the edge).
 */
public final class BackPressure {

    /** Seconds a refused client is asked to wait ({@code Retry-After}). */
    public static final long RETRY_AFTER_QUEUE = 30;
    public static final long RETRY_AFTER_DISK = 300;

    private final Workspaces workspaces;
    private final int maxQueued;
    private final int maxQueuedPerAccount;
    private final long minFreeBytes;
    private final ToLongFunction<Path> freeBytes;

    /**
     * @param maxQueued    most jobs QUEUED at once; 0 or less: no limit
     * @param minFreeBytes free space the workspace disk must keep; 0 or less: not checked
     */
    public BackPressure(Workspaces workspaces, int maxQueued, long minFreeBytes) {
        this(workspaces, maxQueued, 0, minFreeBytes, BackPressure::usableSpace);
    }

    /** @param maxQueuedPerAccount most jobs of one account QUEUED at once; 0 or less: no limit */
    public BackPressure(Workspaces workspaces, int maxQueued, int maxQueuedPerAccount, long minFreeBytes) {
        this(workspaces, maxQueued, maxQueuedPerAccount, minFreeBytes, BackPressure::usableSpace);
    }

    public BackPressure(Workspaces workspaces, int maxQueued, long minFreeBytes, ToLongFunction<Path> freeBytes) {
        this(workspaces, maxQueued, 0, minFreeBytes, freeBytes);
    }

    public BackPressure(Workspaces workspaces, int maxQueued, int maxQueuedPerAccount, long minFreeBytes,
                        ToLongFunction<Path> freeBytes) {
        this.workspaces = workspaces;
        this.maxQueuedPerAccount = maxQueuedPerAccount;
        this.maxQueued = maxQueued;
        this.minFreeBytes = minFreeBytes;
        this.freeBytes = freeBytes;
    }

    /** Throws the refusal a new job gets now, if any. */
    public void check() {
        check(null);
    }

    /** Throws the refusal a new job of {@code account} (null: none known) gets now, if any. */
    public void check(String account) {
        if (minFreeBytes > 0) {
            long free = freeBytes.applyAsLong(workspaces.root());
            if (free < minFreeBytes) {
                throw new RequestRefusedException(Refusal.STORAGE_LOW, "the workspace disk has " + mib(free)
                        + " MiB free, less than the " + mib(minFreeBytes) + " MiB new jobs need "
                        + "(pipelinex.workspaces.min-free-bytes); try again later").retryAfter(RETRY_AFTER_DISK);
            }
        }
        boolean perAccount = maxQueuedPerAccount > 0 && account != null;
        if (maxQueued <= 0 && !perAccount) {
            return;
        }
        int[] queued = queued(perAccount ? account : null);
        if (maxQueued > 0 && queued[0] >= maxQueued) {
            throw new RequestRefusedException(Refusal.QUEUE_FULL, queued[0] + " jobs are already waiting to run, "
                    + "the most this service takes (pipelinex.queue.max-queued=" + maxQueued
                    + "); try again later").retryAfter(RETRY_AFTER_QUEUE);
        }
        if (perAccount && queued[1] >= maxQueuedPerAccount) {
            throw new RequestRefusedException(Refusal.ACCOUNT_QUEUE_FULL, queued[1] + " jobs of account '" + account
                    + "' are already waiting to run, the most one account may have waiting (pipelinex.account.max-queued="
                    + maxQueuedPerAccount + "); try again when some have started").retryAfter(RETRY_AFTER_QUEUE);
        }
    }

    /** The jobs QUEUED now: all of them, and those {@code account} submitted (0 when null). */
    int[] queued(String account) {
        int all = 0;
        int mine = 0;
        for (Workspace ws : workspaces.all()) {
            try {
                if (JobFiles.readStatus(ws).map(s -> s.state() == JobState.QUEUED).orElse(false)) {
                    all++;
                    if (account != null && account.equals(JobFiles.readMetadata(ws).submittedBy())) {
                        mine++;
                    }
                }
            } catch (RuntimeException e) {
                // being written or removed: not counted
            }
        }
        return new int[] {all, mine};
    }

    /**
     * The JMS priority of a new job of {@code account}: 9 less the account's jobs that wait or run
     * (at least 0), so that an account with few jobs in the service goes before one with many,
     * whatever their order of submission. The broker delivers higher priorities first and keeps
     * the order of submission within one; a job already queued keeps its priority.
     */
    public static int priority(Workspaces workspaces, String account) {
        if (account == null) {
            return 4; // the broker's default
        }
        int active = 0;
        for (Workspace ws : workspaces.all()) {
            try {
                if (JobFiles.readStatus(ws).map(s -> !s.state().isFinal()).orElse(false)
                        && account.equals(JobFiles.readMetadata(ws).submittedBy()) && ++active >= 9) {
                    return 0;
                }
            } catch (RuntimeException e) {
                // being written or removed: not counted
            }
        }
        return 9 - active;
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }

    static long usableSpace(Path root) {
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
