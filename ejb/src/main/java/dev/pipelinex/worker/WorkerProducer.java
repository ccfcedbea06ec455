package dev.pipelinex.worker;

import dev.pipelinex.config.Settings;
import dev.pipelinex.runner.Runner;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
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

    /** The server's managed threads, on which a job's stages run side by side. */
    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    private ManagedExecutorService executor;

    @Produces
    @Singleton
    Runner runner() {
        return settings.runner();
    }

    @Produces
    @Singleton
    JobWorker worker(Runner runner) {
        return new JobWorker(settings.workspaces(), runner, settings.stageTimeout(), Clock.systemUTC(), executor,
                settings.stageParallelism(), JobWorker.CANCEL_POLL,
                new JobWorker.Overlaps(settings.testsInBuild(), settings.buildBesideResolve()),
                new JobWorker.Caps(settings.maxLogBytes(), settings.maxDiskBytes()));
    }
}
