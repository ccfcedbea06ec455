package dev.pipelinex.service;

import dev.pipelinex.capacity.BackPressure;
import dev.pipelinex.config.Settings;
import dev.pipelinex.index.JobIndex;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Whether the service takes a new job now (queue length, the account's queued jobs, workspace disk); see {@link BackPressure}. */
@ApplicationScoped
public class Capacity {

    @Inject
    private Settings settings;

    @Inject
    private JobIndex index;

    /** Throws a 429 or 503 refusal (for a job of {@code account}, null when unknown) with a Retry-After when a new job cannot be taken now. */
    public void checkCapacity(String account) {
        new BackPressure(index, settings.maxQueued(), settings.maxQueuedPerAccount(), settings.minFreeBytes(),
                BackPressure::usableSpace).check(account);
    }
}
