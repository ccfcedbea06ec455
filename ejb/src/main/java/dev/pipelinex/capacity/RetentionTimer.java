package dev.pipelinex.capacity;

import dev.pipelinex.config.Settings;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.Timer;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every {@code pipelinex.retention.interval} (non-persistent timer, on each node) removes the
 * workspaces of jobs that ended more than {@code pipelinex.retention.max-age} ago.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class RetentionTimer {

    private static final Logger LOG = Logger.getLogger(RetentionTimer.class.getName());

    @Resource
    private TimerService timers;

    @Inject
    private Settings settings;

    private final java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();

    @PostConstruct
    void schedule() {
        Duration every = settings.retentionInterval();
        if (every.isZero() || every.isNegative()) {
            LOG.info("workspace retention is off (pipelinex.retention.interval=" + every + ")");
            return;
        }
        timers.createIntervalTimer(every.toMillis(), every.toMillis(), new TimerConfig("pipelinex-retention", false));
        LOG.info("workspaces of finished jobs are removed " + settings.retentionMaxAge() + " after they end, checked every "
                + every);
    }

    @Timeout
    void purge(Timer timer) {
        if (!busy.compareAndSet(false, true)) {
            return;
        }
        try {
            new Retention(settings.workspaces(), settings.retentionMaxAge(), Clock.systemUTC()).purge();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "workspace retention failed; it runs again at the next interval", e);
        } finally {
            busy.set(false);
        }
    }
}
