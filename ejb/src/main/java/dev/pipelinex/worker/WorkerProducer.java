package dev.pipelinex.worker;

import dev.pipelinex.config.Settings;
import dev.pipelinex.runner.Runner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Builds the worker from the settings, once per application. */
@ApplicationScoped
public class WorkerProducer {

    @Inject
    private Settings settings;

    @Produces
    @Singleton
    Runner runner() {
        return settings.runner();
    }

    @Produces
    @Singleton
    JobWorker worker(Runner runner) {
        return new JobWorker(settings.workspaces(), runner, settings.stageTimeout(), Clock.systemUTC());
    }
}
