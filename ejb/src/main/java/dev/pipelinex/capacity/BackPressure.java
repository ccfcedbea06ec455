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
 * {@code maxQueued} jobs already wait, with 503 when the workspace disk has less than
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
    private final long minFreeBytes;
    private final ToLongFunction<Path> freeBytes;

    /**
     * @param maxQueued    most jobs QUEUED at once; 0 or less: no limit
     * @param minFreeBytes free space the workspace disk must keep; 0 or less: not checked
     */
    public BackPressure(Workspaces workspaces, int maxQueued, long minFreeBytes) {
        this(workspaces, maxQueued, minFreeBytes, BackPressure::usableSpace);
    }

    public BackPressure(Workspaces workspaces, int maxQueued, long minFreeBytes, ToLongFunction<Path> freeBytes) {
        this.workspaces = workspaces;
        this.maxQueued = maxQueued;
        this.minFreeBytes = minFreeBytes;
        this.freeBytes = freeBytes;
    }

    /** Throws the refusal a new job gets now, if any. */
    public void check() {
        if (minFreeBytes > 0) {
            long free = freeBytes.applyAsLong(workspaces.root());
            if (free < minFreeBytes) {
                throw new RequestRefusedException(Refusal.STORAGE_LOW, "the workspace disk has " + mib(free)
                        + " MiB free, less than the " + mib(minFreeBytes) + " MiB new jobs need "
                        + "(pipelinex.workspaces.min-free-bytes); try again later").retryAfter(RETRY_AFTER_DISK);
            }
        }
        if (maxQueued > 0) {
            int queued = queued(maxQueued);
            if (queued >= maxQueued) {
                throw new RequestRefusedException(Refusal.QUEUE_FULL, queued + " jobs are already waiting to run, "
                        + "the most this service takes (pipelinex.queue.max-queued=" + maxQueued
                        + "); try again later").retryAfter(RETRY_AFTER_QUEUE);
            }
        }
    }

    /** The jobs QUEUED now, counted up to {@code enough}. */
    int queued(int enough) {
        int n = 0;
        for (Workspace ws : workspaces.all()) {
            try {
                if (JobFiles.readStatus(ws).map(s -> s.state() == JobState.QUEUED).orElse(false) && ++n >= enough) {
                    return n;
                }
            } catch (RuntimeException e) {
                // being written or removed: not counted
            }
        }
        return n;
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
