package dev.pipelinex.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cancelling jobs on a real server with the local runner: a job whose test stage sleeps is
 * stopped within seconds and leaves no process behind; a job still waiting for a free worker
 * (the server runs two at once) never starts; a job that has ended cannot be cancelled.
 */
@ExtendWith(ArquillianExtension.class)
class CancelIT {

    static final String METADATA = """
            {"stack": {"language": "java", "framework": "spring-boot", "build_tool": "maven"},
             "versions": {"java": "17", "build_tool": "3.9"},
             "pipeline": {"run_build": true, "run_unit_tests": true, "run_sast": false,
                          "run_sca": false, "run_secret_scan": false}}""";
    static final String SLEEPY_TEST = """
            package com.example.greeting;
            import org.junit.jupiter.api.Test;
            class GreeterTest {
                @Test void takesItsTime() throws Exception {
                    System.out.println("sleeping for 120 s");
                    Thread.sleep(120_000);
                }
            }
            """;
    static final Duration UNTIL_TESTS_RUN = Duration.ofMinutes(8);

    static final Api api = Api.local();

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("it.ear")));
    }

    static String submitSleepy() {
        Api.Reply r = api.upload(Projects.zip("greeting-service", "", Map.of(
                "src/test/java/com/example/greeting/GreeterTest.java", SLEEPY_TEST), Set.of()), METADATA);
        assertEquals(201, r.status(), "submission should be created: " + r.body());
        return r.json().path("job_id").asText();
    }

    static JsonNode job(String id) {
        Api.Reply r = api.get("api/jobs/" + id);
        assertEquals(200, r.status(), "GET job " + id + ": " + r.body());
        return r.json();
    }

    static String state(JsonNode job) {
        return job.path("state").path("state").asText();
    }

    static String stageStatus(JsonNode job, String stage) {
        for (JsonNode s : job.path("state").path("stages")) {
            if (s.path("name").asText().equals(stage)) {
                return s.path("status").asText();
            }
        }
        throw new AssertionError("no stage " + stage + " in " + job);
    }

    /** With the Docker runner: the job's containers still there (running or not), by their label. */
    static List<String> containersOf(String jobId) {
        try {
            Process p = new ProcessBuilder("docker", "-H", "unix://" + System.getProperty("it.docker.socket"), "ps", "-a",
                    "--filter", "label=pipelinex.job=" + jobId, "--format", "{{.ID}} {{.Status}} {{.Command}}")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                throw new AssertionError("docker ps failed: " + out);
            }
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The processes (local runner) or containers (Docker runner) of a job's stages. */
    static List<String> processesOf(String jobId) {
        if ("docker".equals(System.getProperty("it.runner"))) {
            return containersOf(jobId);
        }
        String workspace = Path.of(System.getProperty("it.workspaces")).toAbsolutePath().normalize()
                .resolve(jobId).toString();
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmdline.contains(workspace)) {
                        found.add(p.getFileName() + ": " + cmdline);
                    }
                } catch (IOException e) {
                    // ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return found;
    }

    @Test
    void runningJobIsStoppedAndAQueuedOneNeverStarts() throws Exception {
        // The server runs two jobs at once: the third waits in the queue.
        String first = submitSleepy();
        String second = submitSleepy();
        String waiting = submitSleepy();

        long deadline = System.nanoTime() + UNTIL_TESTS_RUN.toNanos();
        while (!(state(job(first)).equals("RUNNING") && state(job(second)).equals("RUNNING"))) {
            if (System.nanoTime() > deadline) {
                fail("the first two jobs should run: " + job(first) + " / " + job(second));
            }
            Thread.sleep(250);
        }
        JsonNode queued = job(waiting);
        assertEquals("QUEUED", state(queued), "with both workers busy the third job waits: " + queued);

        Api.Reply cancelQueued = api.cancel(waiting);
        assertEquals(202, cancelQueued.status(), "a queued job can be cancelled: " + cancelQueued.body());
        assertEquals("CANCELLED", state(cancelQueued.json()), "the answer is the cancelled job: " + cancelQueued.body());
        for (JsonNode s : cancelQueued.json().path("state").path("stages")) {
            assertEquals("SKIPPED", s.path("status").asText(),
                    "no stage of a cancelled queued job runs: " + cancelQueued.body());
        }

        // The first job's test stage is reached and its forked test JVM sleeps.
        while (!(stageStatus(job(first), "test").equals("RUNNING") && (logSays(first, "sleeping for 120 s")
                || processesOf(first).stream().anyMatch(p -> p.contains("surefire"))))) {
            if (System.nanoTime() > deadline || !state(job(first)).equals("RUNNING")) {
                fail("the first job should reach its sleeping test: " + job(first));
            }
            Thread.sleep(500);
        }
        assertFalse(processesOf(first).isEmpty(), "the running stage has processes naming its workspace");

        long asked = System.nanoTime();
        Api.Reply cancel = api.cancel(first);
        assertEquals(202, cancel.status(), "a running job can be cancelled: " + cancel.body());
        assertEquals("application/json", cancel.contentType().split(";")[0].trim(), "the answer is the job document");
        JsonNode cancelled = cancel.json();
        assertEquals("CANCELLED", state(cancelled), "the job is CANCELLED at once: " + cancelled);
        assertEquals("CANCELLED", stageStatus(cancelled, "test"), "the running stage is CANCELLED: " + cancelled);

        List<String> left = processesOf(first);
        while (!left.isEmpty() && System.nanoTime() - asked < Duration.ofSeconds(10).toNanos()) {
            Thread.sleep(250);
            left = processesOf(first);
        }
        assertTrue(left.isEmpty(), "no process of the cancelled job remains 10 s after the cancel: " + left);

        // A freed worker takes the cancelled job's message and leaves the job as it is.
        Thread.sleep(8000);
        JsonNode stillCancelled = job(first);
        assertEquals("CANCELLED", state(stillCancelled), "the worker does not overwrite CANCELLED: " + stillCancelled);
        assertEquals("CANCELLED", stageStatus(stillCancelled, "test"), "the stopped stage stays CANCELLED");
        assertTrue(Files.readString(pipelineLog(first)).contains("CANCELLED while it ran"),
                "the job's log records the stop: " + Files.readString(pipelineLog(first)));
        JsonNode never = job(waiting);
        assertEquals("CANCELLED", state(never), "the cancelled queued job stays CANCELLED: " + never);
        assertEquals(0, never.path("state").path("attempt").asInt(), "it was never attempted: " + never);
        for (JsonNode s : never.path("state").path("stages")) {
            assertTrue(s.path("started_at").isNull(), "no stage of it ever started: " + never);
        }
        assertTrue(processesOf(waiting).isEmpty(), "nothing runs for the job that never started");

        // The second job is cancelled too, wherever it is.
        assertEquals(202, api.cancel(second).status(), "the second job can be cancelled");
        long secondAsked = System.nanoTime();
        while (!processesOf(second).isEmpty() && System.nanoTime() - secondAsked < Duration.ofSeconds(10).toNanos()) {
            Thread.sleep(250);
        }
        assertTrue(processesOf(second).isEmpty(), "no process of the second job remains: " + processesOf(second));
    }

    @Test
    void finishedOrUnknownJobCannotBeCancelled() throws Exception {
        String id = submitSleepy();
        Api.Reply first = api.cancel(id);
        assertEquals(202, first.status(), "the job can be cancelled once: " + first.body());

        Api.Reply again = api.cancel(id);
        assertEquals(409, again.status(), "a cancelled job cannot be cancelled again: " + again.body());
        assertEquals("application/problem+json", again.contentType().split(";")[0].trim());
        assertEquals("urn:pipelinex:problem:job-already-final", again.json().path("type").asText(), again.body());
        assertTrue(again.json().path("detail").asText().contains("CANCELLED"), "the detail says the state: " + again.body());

        Api.Reply unknown = api.cancel("00000000-0000-4000-8000-000000000000");
        assertEquals(404, unknown.status(), "an unknown job: " + unknown.body());
        assertEquals("urn:pipelinex:problem:job-not-found", unknown.json().path("type").asText(), unknown.body());
    }

    /**
     * Runs only when the server was configured to keep more free space than its disk has
     * ({@code -Dit.min-free-bytes}): then every submission is refused before its upload is stored.
     */
    @Test
    void submissionIsRefusedWith503WhenTheWorkspaceDiskIsNearlyFull() throws Exception {
        Path workspaces = Path.of(System.getProperty("it.workspaces"));
        Files.createDirectories(workspaces);
        long free = Files.getFileStore(workspaces).getUsableSpace();
        org.junit.jupiter.api.Assumptions.assumeTrue(Long.getLong("it.min-free-bytes", 0) > free,
                "the server keeps less free space than the disk has");
        Set<String> before;
        try (Stream<Path> s = Files.list(workspaces)) {
            before = Set.copyOf(s.map(Path::toString).toList());
        }
        Api.Reply r = api.upload(Projects.zip("greeting-service"), METADATA);
        assertEquals(503, r.status(), "refused: " + r.body());
        assertEquals("application/problem+json", r.contentType().split(";")[0].trim());
        assertEquals("urn:pipelinex:problem:storage-low", r.json().path("type").asText(), r.body());
        assertTrue(r.raw().headers().firstValue("Retry-After").isPresent(), "a Retry-After header: " + r.raw().headers());
        try (Stream<Path> s = Files.list(workspaces)) {
            assertEquals(before, Set.copyOf(s.map(Path::toString).toList()), "nothing of the upload is kept");
        }
    }

    static boolean logSays(String id, String text) throws IOException {
        Path log = Path.of(System.getProperty("it.workspaces")).resolve(id).resolve("reports/test/test.log");
        return Files.isRegularFile(log) && Files.readString(log).contains(text);
    }

    static Path pipelineLog(String id) {
        return Path.of(System.getProperty("it.workspaces")).resolve(id).resolve("reports/pipeline.log");
    }
}
