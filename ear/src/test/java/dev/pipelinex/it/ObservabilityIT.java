package dev.pipelinex.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The operator's surfaces agree with what happened: readiness, metrics, OpenAPI and the queue's counters. */
@ExtendWith(ArquillianExtension.class)
class ObservabilityIT {

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("it.ear")));
    }

    static final Api api = Api.local();
    static final Api management = new Api(URI.create("http://127.0.0.1:" + Integer.getInteger("it.management.port", 10090)
            + "/"), null);

    @Test
    void readinessChecksTheQueueTheRunnerAndTheDisk() {
        Api.Reply r = management.get("health/ready");
        assertEquals(200, r.status(), r.body());
        JsonNode health = r.json();
        assertEquals("UP", health.path("status").asText());
        Map<String, JsonNode> checks = new HashMap<>();
        health.path("checks").forEach(c -> checks.put(c.path("name").asText(), c));
        for (String name : new String[] {"job-queue", "runner", "workspace-disk"}) {
            assertTrue(checks.containsKey(name), "check " + name + " in " + health);
            assertEquals("UP", checks.get(name).path("status").asText(), checks.get(name).toString());
        }
        assertEquals("local", checks.get("runner").path("data").path("runner").asText());
        assertTrue(checks.get("workspace-disk").path("data").path("free_mb").asLong() > 0, health.toString());
        assertTrue(checks.get("job-queue").path("data").has("depth"), health.toString());
    }

    @Test
    void metricsAndQueueCountersFollowTheJobs() throws Exception {
        long addedBefore = queueAttribute("messages-added");
        Map<String, Double> before = metrics();

        Api.Reply created = api.upload(Projects.zip("greeting-service"), Projects.SECRETS_ONLY);
        assertEquals(201, created.status(), created.body());
        String id = created.json().path("job_id").asText();
        assertEquals("SUCCEEDED", api.awaitFinal(id, Duration.ofMinutes(3)).path("state").path("state").asText());

        Map<String, Double> after = metrics();
        assertEquals(before.getOrDefault("pipelinex_jobs_submitted_total", 0.0) + 1, after.get("pipelinex_jobs_submitted_total"));
        assertEquals(before.getOrDefault("pipelinex_jobs_ended_total{state=\"succeeded\"}", 0.0) + 1,
                after.get("pipelinex_jobs_ended_total{state=\"succeeded\"}"));
        assertEquals(before.getOrDefault("pipelinex_stage_duration_seconds_count{stage=\"secrets\"}", 0.0) + 1,
                after.get("pipelinex_stage_duration_seconds_count{stage=\"secrets\"}"));

        // The gauges agree with the API's view of every job.
        Api admin = api.as(Api.ADMIN, Api.ADMIN_PASSWORD);
        Map<String, Integer> byState = new HashMap<>();
        for (int offset = 0; ; offset += 100) {
            JsonNode page = admin.get("api/jobs?limit=100&offset=" + offset).json();
            page.path("jobs").forEach(j -> byState.merge(j.path("state").asText().toLowerCase(), 1, Integer::sum));
            if (page.path("jobs").size() < 100) {
                break;
            }
        }
        Map<String, Double> now = metrics();
        assertEquals(byState.getOrDefault("succeeded", 0).doubleValue(), now.get("pipelinex_jobs{state=\"succeeded\"}"));
        assertEquals(byState.getOrDefault("failed", 0).doubleValue(), now.get("pipelinex_jobs{state=\"failed\"}"));

        assertEquals(addedBefore + 1, queueAttribute("messages-added"), "the console's counter of the job queue moved");
    }

    @Test
    void theOpenApiDocumentDescribesTheApi() {
        Api.Reply r = api.anonymous().get("openapi?format=JSON");
        assertEquals(200, r.status(), r.body());
        JsonNode paths = r.json().path("paths");
        for (String p : new String[] {"/api/jobs/upload", "/api/jobs/github", "/api/jobs", "/api/jobs/{id}",
                "/api/jobs/{id}/events", "/api/jobs/{id}/reports.zip", "/api/tokens", "/api/stacks"}) {
            assertTrue(paths.has(p), "OpenAPI describes " + p + ": " + paths.fieldNames());
        }
    }

    /** The Prometheus text at /metrics, as name{labels} to value. */
    static Map<String, Double> metrics() {
        Api.Reply r = api.anonymous().get("metrics");
        assertEquals(200, r.status(), r.body());
        assertTrue(r.contentType().startsWith("text/plain"), r.contentType());
        Map<String, Double> values = new HashMap<>();
        for (String line : r.body().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int space = line.lastIndexOf(' ');
                values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return values;
    }

    /** A runtime attribute of the PipelineJobs queue, read with jboss-cli as an operator would. */
    static long queueAttribute(String name) throws Exception {
        String jbossHome = System.getProperty("jboss.home");
        Process p = new ProcessBuilder(jbossHome + "/bin/jboss-cli.sh", "--connect",
                "--controller=127.0.0.1:" + Integer.getInteger("it.management.port", 10090),
                "/subsystem=messaging-activemq/server=default/jms-queue=PipelineJobs:read-attribute(name=" + name + ")")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        Matcher m = Pattern.compile("\"result\" => (\\d+)L?").matcher(out);
        assertTrue(m.find(), "jboss-cli answered: " + out);
        return Long.parseLong(m.group(1));
    }
}
