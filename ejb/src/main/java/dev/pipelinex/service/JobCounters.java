package dev.pipelinex.service;

import dev.pipelinex.job.JobState;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What this node did since it started, for the Prometheus counters at {@code /metrics}: jobs
 * submitted, jobs ended by final state, and stage durations as histograms. Counters start at
 * zero with the server, as Prometheus expects of counters.
 */
public final class JobCounters {

    /** Upper bounds, in seconds, of the stage-duration histogram's buckets. */
    public static final double[] BUCKETS = {1, 5, 10, 30, 60, 120, 300, 600, 1800};

    private static final LongAdder SUBMITTED = new LongAdder();
    private static final Map<JobState, LongAdder> ENDED = new ConcurrentHashMap<>();
    private static final Map<String, Histogram> STAGES = new ConcurrentHashMap<>();

    private JobCounters() {
    }

    /** A stage's durations: how many fell at or under each bucket's bound, their count and sum. */
    public static final class Histogram {
        private final LongAdder[] buckets = new LongAdder[BUCKETS.length];
        private final LongAdder count = new LongAdder();
        private final java.util.concurrent.atomic.DoubleAdder sum = new java.util.concurrent.atomic.DoubleAdder();

        Histogram() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        void record(double seconds) {
            for (int i = 0; i < BUCKETS.length; i++) {
                if (seconds <= BUCKETS[i]) {
                    buckets[i].increment();
                }
            }
            count.increment();
            sum.add(seconds);
        }

        public long bucket(int i) {
            return buckets[i].sum();
        }

        public long count() {
            return count.sum();
        }

        public double sum() {
            return sum.sum();
        }
    }

    public static void submitted() {
        SUBMITTED.increment();
    }

    public static void ended(JobState state) {
        ENDED.computeIfAbsent(state, s -> new LongAdder()).increment();
    }

    public static void stage(String stage, long durationMs) {
        STAGES.computeIfAbsent(stage, s -> new Histogram()).record(durationMs / 1000.0);
    }

    public static long submittedCount() {
        return SUBMITTED.sum();
    }

    public static long endedCount(JobState state) {
        LongAdder a = ENDED.get(state);
        return a == null ? 0 : a.sum();
    }

    public static Map<String, Histogram> stages() {
        return Map.copyOf(STAGES);
    }
}
