package dev.pipelinex.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * One writer of a job's state at a time: a lock per job id inside this server, and an exclusive
 * lock on the workspace's {@code .state.lock} file for the other nodes sharing the workspaces.
 * Every change of state.json that must not undo another (the worker's writes, a cancel, the
 * dead-letter path) re-reads the state under this lock and decides on what it finds.
 */
public final class JobLocks {

    private static final ConcurrentMap<String, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private JobLocks() {
    }

    /**
     * Reads state.json under the job's lock and hands it to {@code change}; writes what it
     * returns, unless it returns the same instance or null. Returns what state.json holds after.
     */
    public static Optional<JobStatus> update(Workspace ws, Function<Optional<JobStatus>, JobStatus> change) {
        ReentrantLock lock = LOCKS.computeIfAbsent(ws.jobId(), k -> new ReentrantLock());
        lock.lock();
        try (FileChannel ch = FileChannel.open(ws.dir().resolve(".state.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            Optional<JobStatus> current = JobFiles.readStatus(ws);
            JobStatus next = change.apply(current);
            if (next == null || (current.isPresent() && next == current.get())) {
                return current;
            }
            JobFiles.writeStatus(ws, next);
            return Optional.of(next);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock the state of job " + ws.jobId() + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Drops the in-process lock of a job whose workspace is gone. */
    public static void forget(String jobId) {
        LOCKS.remove(jobId);
    }
}
