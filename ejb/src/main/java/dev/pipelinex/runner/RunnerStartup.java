package dev.pipelinex.runner;

import jakarta.annotation.PostConstruct;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;

/** At start-up, removes the stage processes or containers that a crashed run of this node left behind. */
@Singleton
@Startup
public class RunnerStartup {

    private static final Logger LOG = Logger.getLogger(RunnerStartup.class.getName());

    @Inject
    private Runner runner;

    @PostConstruct
    void removeOrphans() {
        try {
            int removed = runner.removeOrphans();
            LOG.info("removed " + removed + " stage processes or containers left by an earlier run");
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot look for stages left by an earlier run", e);
        }
    }
}
