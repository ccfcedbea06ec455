package dev.pipelinex.repository;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the repository proxy of this node did since it started, for {@code /metrics}: files
 * served from what it kept (hits), files fetched from upstream (misses), requests refused, and
 * bytes fetched from upstream and served to stages.
 */
public final class RepositoryCounters {

    private static final LongAdder HITS = new LongAdder();
    private static final LongAdder MISSES = new LongAdder();
    private static final LongAdder REFUSED = new LongAdder();
    private static final LongAdder UPSTREAM_BYTES = new LongAdder();
    private static final LongAdder SERVED_BYTES = new LongAdder();

    private RepositoryCounters() {
    }

    static void hit() {
        HITS.increment();
    }

    static void miss() {
        MISSES.increment();
    }

    static void refused() {
        REFUSED.increment();
    }

    static void upstreamBytes(long n) {
        UPSTREAM_BYTES.add(n);
    }

    static void servedBytes(long n) {
        SERVED_BYTES.add(n);
    }

    public static long hits() {
        return HITS.sum();
    }

    public static long misses() {
        return MISSES.sum();
    }

    public static long refusals() {
        return REFUSED.sum();
    }

    public static long upstreamBytes() {
        return UPSTREAM_BYTES.sum();
    }

    public static long servedBytes() {
        return SERVED_BYTES.sum();
    }
}
