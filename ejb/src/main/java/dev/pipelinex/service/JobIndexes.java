package dev.pipelinex.service;

import dev.pipelinex.config.Settings;
import dev.pipelinex.index.JobIndex;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.logging.Logger;

/** The one {@link JobIndex} of this node, over the configured workspace root, built when the application starts. */
@ApplicationScoped
public class JobIndexes {

    private static final Logger LOG = Logger.getLogger(JobIndexes.class.getName());

    @Inject
    private Settings settings;

    @Produces
    @Singleton
    JobIndex index() {
        return new JobIndex(settings.workspaces());
    }

    /** Reads the workspaces once at start-up, so that the first list or scrape does not pay for it. */
    void build(@Observes @Initialized(ApplicationScoped.class) Object started, JobIndex index) {
        long t0 = System.nanoTime();
        int jobs = index.size();
        LOG.info("job index of " + index.root() + ": " + jobs + " jobs, read in "
                + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }
}
