package dev.pipelinex.api;

import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The event streams open on this node: at most {@code total}, and at most {@code perAccount}
 * of one account. A stream takes a {@link Slot} before it starts and gives it back when it
 * ends, however it ends; a stream past either limit is refused with 429 before it starts.
 */
final class StreamSlots {

    /** Seconds a refused client is asked to wait. */
    static final long RETRY_AFTER = 10;

    private static final AtomicLong REFUSED = new AtomicLong();
    private static final AtomicLong DROPPED = new AtomicLong();
    private static final StreamSlots NODE = new StreamSlots();

    private final Map<String, Integer> byAccount = new HashMap<>();
    private int open;

    /** The slots of this node. */
    static StreamSlots node() {
        return NODE;
    }

    /** A taken slot; {@link #release} gives it back once, however often it is called. */
    final class Slot {
        private final String account;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(String account) {
            this.account = account;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                give(account);
            }
        }
    }

    /** Takes a slot for a stream of {@code account}, or throws the 429 that names the limit it would pass. */
    synchronized Slot take(String account, int total, int perAccount) {
        int mine = byAccount.getOrDefault(account, 0);
        if (total > 0 && open >= total) {
            REFUSED.incrementAndGet();
            throw new RequestRefusedException(Refusal.TOO_MANY_STREAMS, open + " event streams are open on this "
                    + "server, the most it serves (pipelinex.events.max-streams=" + total + "); close one, or poll "
                    + "GET /api/jobs/{id} instead").retryAfter(RETRY_AFTER);
        }
        if (perAccount > 0 && mine >= perAccount) {
            REFUSED.incrementAndGet();
            throw new RequestRefusedException(Refusal.TOO_MANY_STREAMS, "account '" + account + "' has " + mine
                    + " event streams open, the most one account may have (pipelinex.events.max-streams-per-account="
                    + perAccount + "); close one first").retryAfter(RETRY_AFTER);
        }
        open++;
        byAccount.put(account, mine + 1);
        return new Slot(account);
    }

    private synchronized void give(String account) {
        open--;
        byAccount.computeIfPresent(account, (k, n) -> n <= 1 ? null : n - 1);
    }

    synchronized int open() {
        return open;
    }

    static void dropped() {
        DROPPED.incrementAndGet();
    }

    static long droppedCount() {
        return DROPPED.get();
    }

    static long refusedCount() {
        return REFUSED.get();
    }
}
