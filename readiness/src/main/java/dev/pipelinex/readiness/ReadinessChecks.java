package dev.pipelinex.readiness;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The node's readiness, at {@code /health/ready} on the management interface: the job queue
 * answers, the runner can run stages, and the workspace disk has room. Each is a check of its
 * own, so the answer says which part is down.
 */
@ApplicationScoped
public class ReadinessChecks {

    public static final String QUEUE = "job-queue", RUNNER = "runner", DISK = "workspace-disk";

    @Produces
    @Readiness
    HealthCheck queue() {
        return () -> answer(QUEUE);
    }

    @Produces
    @Readiness
    HealthCheck runner() {
        return () -> answer(RUNNER);
    }

    @Produces
    @Readiness
    HealthCheck disk() {
        return () -> answer(DISK);
    }

    static HealthCheckResponse answer(String name) {
        Probes.Result r = Probes.call(name);
        HealthCheckResponseBuilder b = HealthCheckResponse.named(name).status(r.up());
        r.data().forEach((k, v) -> {
            if (v instanceof Boolean flag) {
                b.withData(k, flag);
            } else if (v instanceof Number n) {
                b.withData(k, n.longValue());
            } else {
                b.withData(k, String.valueOf(v));
            }
        });
        return b.build();
    }
}
