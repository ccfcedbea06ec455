package dev.pipelinex.worker;

import dev.pipelinex.config.Settings;
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
    JobWorker worker() {
        return new JobWorker(settings.workspaces(), settings.runner(), settings.stageTimeout(), Clock.systemUTC());
    }
}
