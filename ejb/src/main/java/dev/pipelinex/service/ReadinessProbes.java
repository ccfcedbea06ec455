package dev.pipelinex.service;

import dev.pipelinex.config.Settings;
import dev.pipelinex.readiness.Probes;
import dev.pipelinex.readiness.ReadinessChecks;
import dev.pipelinex.runner.LocalRunner;
import dev.pipelinex.runner.Runner;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The probes of the readiness checks ({@code /health/ready}): the job queue can be browsed (its
 * depth is reported), the runner can run stages, the workspace disk keeps the free space that
 * new jobs need ({@code pipelinex.workspaces.min-free-bytes}).
 */
@Singleton
@Startup
public class ReadinessProbes {

    static final int COUNT_LIMIT = 10_000;

    @Inject
    private Settings settings;

    @Inject
    private Runner runner;

    @Resource(lookup = "java:comp/DefaultJMSConnectionFactory")
    private ConnectionFactory factory;

    @Resource(lookup = "java:/jms/queue/PipelineJobs")
    private Queue queue;

    @PostConstruct
    void register() {
        Probes.register(ReadinessChecks.QUEUE, this::queue);
        Probes.register(ReadinessChecks.RUNNER, this::runner);
        Probes.register(ReadinessChecks.DISK, this::disk);
    }

    @PreDestroy
    void unregister() {
        Probes.unregister(ReadinessChecks.QUEUE);
        Probes.unregister(ReadinessChecks.RUNNER);
        Probes.unregister(ReadinessChecks.DISK);
    }

    Probes.Result queue() {
        try (JMSContext jms = factory.createContext(); QueueBrowser browser = jms.createBrowser(queue)) {
            int depth = 0;
            for (Enumeration<?> e = browser.getEnumeration(); e.hasMoreElements() && depth < COUNT_LIMIT; e.nextElement()) {
                depth++;
            }
            return Probes.Result.up(Map.of("queue", "PipelineJobs", "depth", depth));
        } catch (JMSException | RuntimeException e) {
            return Probes.Result.down("the job queue does not answer: " + e.getMessage(), Map.of("queue", "PipelineJobs"));
        }
    }

    Probes.Result runner() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("runner", runner.name());
        if (runner instanceof LocalRunner local) {
            data.put("sandboxed", local.sandboxed());
        }
        String problem = runner.problem();
        return problem == null ? Probes.Result.up(data) : Probes.Result.down(problem, data);
    }

    Probes.Result disk() {
        Path root = settings.workspaces().root();
        long min = settings.minFreeBytes();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("path", root.toString());
        data.put("min_free_mb", min >> 20);
        try {
            Files.createDirectories(root);
            long free = Files.getFileStore(root).getUsableSpace();
            data.put("free_mb", free >> 20);
            return free >= min ? Probes.Result.up(data)
                    : Probes.Result.down("less free space than pipelinex.workspaces.min-free-bytes", data);
        } catch (IOException e) {
            return Probes.Result.down(e.getMessage(), data);
        }
    }
}
