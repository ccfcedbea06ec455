package dev.pipelinex.runner;

import jakarta.annotation.PostConstruct;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;

/** At start-up, removes the runner containers that a crashed run of this node left behind. */
@Singleton
@Startup
public class RunnerStartup {

    private static final Logger LOG = Logger.getLogger(RunnerStartup.class.getName());

    @Inject
    private Runner runner;

    @PostConstruct
    void removeOrphans() {
        if (runner instanceof DockerRunner docker) {
            try {
                int removed = docker.removeOrphans();
                LOG.info("removed " + removed + " runner containers left by an earlier run");
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot look for runner containers left by an earlier run", e);
            }
        }
    }
}
