package dev.pipelinex.readiness;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The probes behind the readiness checks, registered by the application when it starts (they
 * need its settings, runner and queue, which this jar cannot see). A check whose probe is not
 * registered yet is down: the application has not started.
 */
public final class Probes {

    /** One probe's answer: up or down, and what a person should read. */
    public record Result(boolean up, Map<String, Object> data) {
        public Result {
            data = Map.copyOf(data);
        }

        public static Result up(Map<String, Object> data) {
            return new Result(true, data);
        }

        public static Result down(String error, Map<String, Object> data) {
            java.util.Map<String, Object> all = new java.util.LinkedHashMap<>(data);
            all.put("error", error);
            return new Result(false, all);
        }
    }

    private static final Map<String, Supplier<Result>> PROBES = new ConcurrentHashMap<>();

    private Probes() {
    }

    public static void register(String name, Supplier<Result> probe) {
        PROBES.put(name, probe);
    }

    public static void unregister(String name) {
        PROBES.remove(name);
    }

    /** Runs the probe; never throws. */
    public static Result call(String name) {
        Supplier<Result> probe = PROBES.get(name);
        if (probe == null) {
            return Result.down("PipelineX has not started", Map.of());
        }
        try {
            return probe.get();
        } catch (RuntimeException e) {
            return Result.down(String.valueOf(e.getMessage()), Map.of());
        }
    }
}
