package dev.pipelinex.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A server killed with SIGKILL in the middle of a job, then started again with
 * {@code ./pipelinex up}, as an operator would: the job is run again to its end, the stage
 * processes of the dead server are gone, the jobs that were queued all end, and none stays
 * RUNNING. This test starts its own server (its own PIPELINEX_HOME and ports) with the local runner;
 * its HTTP port is PIPELINEX_PORT (default 8080) plus an offset of its own.
 */
class CrashRestartIT {

    static final Path ROOT = Path.of(System.getProperty("it.projects")).getParent().getParent().getParent().getParent();
    static final Path HOME = Path.of(System.getProperty("it.workspaces")).getParent().resolve("crash-home");
    static final int OFFSET = 500 + Integer.getInteger("it.port.offset", 100);
    static final String ADMIN = "crash-admin", PASSWORD = "crash-Secret-1";
    /** The server's HTTP port as ./pipelinex computes it: PIPELINEX_PORT (which the server inherits) plus the offset. */
    static final int PORT = basePort(System.getenv()) + OFFSET;

    static final String SLOW_TEST = """
            package com.example.greeting;
            import org.junit.jupiter.api.Test;
            class SlowTest {
                @Test void takesItsTime() throws Exception { Thread.sleep(20_000); }
            }
            """;
    static final String FULL = """
            {"stack": {"language": "java", "framework": "spring-boot", "build_tool": "maven"},
             "pipeline": {"run_build": true, "run_unit_tests": true, "run_sast": false,
                          "run_sca": false, "run_secret_scan": false}}""";

    @AfterAll
    static void stop() throws Exception {
        pipelinex("down");
    }

    @Test
    void aKilledServerLosesNoJob() throws Exception {
        // A fresh start: the server of an earlier run (if any) stopped, its jobs gone.
        if (Files.exists(HOME.resolve("server.pid"))) {
            pipelinex("down");
        }
        dev.pipelinex.job.Workspaces.deleteTree(HOME.resolve("workspaces"));
        seedCache();
        pipelinex("up");
        String status = pipelinex("status");
        assertTrue(status.contains("running at http://127.0.0.1:" + PORT + "/"),
                "the server runs on the port this test calls, " + PORT + ": " + status);
        Api api = new Api(URI.create("http://127.0.0.1:" + PORT + "/"), null).as(ADMIN, PASSWORD);

        byte[] slow = Projects.zip("greeting-service", "", Map.of(
                "src/test/java/com/example/greeting/SlowTest.java", SLOW_TEST), Set.of());
        String running = created(api.upload(slow, FULL));
        List<String> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            queued.add(created(api.upload(Projects.zip("greeting-service"), Projects.SECRETS_ONLY)));
        }

        // Wait until the slow job's test stage runs, and its test JVM with it.
        Path workspace = HOME.resolve("workspaces").resolve(running);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        List<ProcessHandle> stageProcesses = List.of();
        while (System.nanoTime() < deadline) {
            JsonNode job = api.get("api/jobs/" + running).json();
            if (stage(job, "test").equals("RUNNING")) {
                stageProcesses = processesOf(workspace);
                if (stageProcesses.stream().anyMatch(p -> p.info().command().orElse("").endsWith("java"))) {
                    break;
                }
            }
            assertTrue(!job.path("state").path("state").asText().matches("SUCCEEDED|FAILED"),
                    "the slow job ended before it could be interrupted: " + job);
            Thread.sleep(300);
        }
        assertTrue(!stageProcesses.isEmpty(), "the test stage's processes were seen");

        long serverPid = Long.parseLong(Files.readString(HOME.resolve("server.pid")).trim());
        ProcessHandle server = ProcessHandle.of(serverPid).orElseThrow();
        new ProcessBuilder("kill", "-9", Long.toString(serverPid)).inheritIO().start().waitFor();
        server.onExit().get(30, TimeUnit.SECONDS);
        assertEquals("RUNNING", api.readStateFile(workspace), "the dead server left the job RUNNING on disk");

        pipelinex("up");
        for (ProcessHandle p : stageProcesses) {
            p.onExit().get(30, TimeUnit.SECONDS);
        }
        assertTrue(stageProcesses.stream().noneMatch(ProcessHandle::isAlive),
                "no stage process of the dead server survives the restart");

        JsonNode again = api.awaitFinal(running, Duration.ofMinutes(5));
        assertEquals("SUCCEEDED", again.path("state").path("state").asText(), again.toString());
        assertTrue(again.path("state").path("attempt").asInt() >= 2, "the job was run again: " + again);
        for (String id : queued) {
            JsonNode job = api.awaitFinal(id, Duration.ofMinutes(3));
            assertEquals("SUCCEEDED", job.path("state").path("state").asText(), "a queued job ended: " + job);
        }
        JsonNode list = api.get("api/jobs?limit=100").json();
        List<String> listed = new ArrayList<>();
        list.path("jobs").forEach(j -> listed.add(j.path("job_id").asText()));
        assertTrue(listed.contains(running) && listed.containsAll(queued), "every job is still there: " + list);
        assertEquals(4, list.path("total").asInt(), "and no other: " + list);
        list.path("jobs").forEach(j -> assertTrue(j.path("state").asText().matches("SUCCEEDED|FAILED"),
                "no job stays RUNNING or QUEUED: " + j));
    }

    /**
     * Starts this server's shared cache from the test server's, as an operator may carry a cache
     * over: what is tested here is the restart, and a cold cache would only add minutes of downloads.
     * Only the artifacts are copied (the proxy checked them on the way in), not the remembered
     * resolutions. Without a test server's cache, this server downloads what it needs.
     */
    static void seedCache() throws Exception {
        Path from = Path.of(System.getProperty("it.workspaces")).resolveSibling("it-maven-cache").resolve("repository");
        Path to = HOME.resolve("maven-cache");
        if (!Files.isDirectory(from) || Files.exists(to.resolve("repository"))) {
            return;
        }
        Files.createDirectories(to);
        Process cp = new ProcessBuilder("cp", "-R", "-P", from.toString(), to.toString()).inheritIO().start();
        assertTrue(cp.waitFor(2, TimeUnit.MINUTES) && cp.exitValue() == 0, "the cache was copied");
    }

    private static String stage(JsonNode job, String name) {
        for (JsonNode s : job.path("state").path("stages")) {
            if (s.path("name").asText().equals(name)) {
                return s.path("status").asText();
            }
        }
        return "";
    }

    private static String created(Api.Reply reply) {
        assertEquals(201, reply.status(), reply.body());
        return reply.json().path("job_id").asText();
    }

    /** The processes whose environment names the job's folder (the runner contract's APP_DIR). */
    static List<ProcessHandle> processesOf(Path workspace) {
        // ISO-8859-1 maps every byte to one char, so this is the byte search for the UTF-8 marker.
        String marker = new String(("APP_DIR=" + workspace + "/").getBytes(StandardCharsets.UTF_8),
                StandardCharsets.ISO_8859_1);
        List<ProcessHandle> found = new ArrayList<>();
        for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
            try {
                byte[] env = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ"));
                if (new String(env, StandardCharsets.ISO_8859_1).contains(marker)) {
                    found.add(p);
                }
            } catch (IOException | RuntimeException e) {
                // gone, or not readable
            }
        }
        return found;
    }

    /** PIPELINEX_PORT when it is set and not empty, else 8080, as ./pipelinex reads it. */
    static int basePort(Map<String, String> env) {
        String port = env.getOrDefault("PIPELINEX_PORT", "");
        return port.isEmpty() ? 8080 : Integer.parseInt(port.trim());
    }

    /** Runs {@code ./pipelinex <command>} for this test's own server; fails on a non-zero exit, else returns its output. */
    static String pipelinex(String command) throws Exception {
        Files.createDirectories(HOME);
        ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("pipelinex").toString(), command)
                .redirectErrorStream(true).redirectOutput(HOME.resolve("pipelinex-" + command + ".out").toFile());
        Map<String, String> env = pb.environment();
        env.put("PIPELINEX_HOME", HOME.toString());
        env.put("PIPELINEX_PORT_OFFSET", Integer.toString(OFFSET));
        env.put("PIPELINEX_RUNNER", "local");
        env.put("PIPELINEX_CONCURRENCY", "1");
        env.put("PIPELINEX_ADMIN_USER", ADMIN);
        env.put("PIPELINEX_ADMIN_PASSWORD", PASSWORD);
        Process p = pb.start();
        assertTrue(p.waitFor(6, TimeUnit.MINUTES), "./pipelinex " + command + " did not finish in 6 minutes");
        String out = Files.readString(HOME.resolve("pipelinex-" + command + ".out"));
        assertEquals(0, p.exitValue(), "./pipelinex " + command + " failed: " + out);
        return out;
    }
}
