package dev.pipelinex.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A hostile project under the runner of this run: its unit test prints its environment, plants
 * links to the server's files (to read, append to and delete) in its output folder and working
 * copy, and for as long as the scanners run tries to rewrite their results, the job's state, the
 * project as admitted and SAST's copy of the classes. With {@code fail_on} set and a secret in
 * its sources, the gate must still fail; nothing outside the job may change, and the test
 * server's canary variable may appear in nothing the API serves.
 */
@ExtendWith(ArquillianExtension.class)
class HostileProjectIT {

    static final Api api = Api.local();
    static final Duration JOB_TIME = Duration.ofMinutes(10);
    /** Set in the test server's environment by the build (failsafe's environment, which WildFly inherits). */
    static final String CANARY = System.getenv().getOrDefault("PIPELINEX_IT_CANARY", "");
    /** The test server's {@code pipelinex.stage.max-log-bytes} (ear/pom.xml). */
    static final long MAX_LOG_BYTES = 8L << 20;
    /** Lines of 121 bytes the hostile test prints: about 1.5 times the cap. */
    static final int FLOOD_LINES = 100_000;
    static final String TOKEN = "ghp_" + "Q7wE4rT1yU8iO5pA2sD9fG6hJ3kL0zX1cV4b";

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("it.ear")));
    }

    /** The hostile test: every attempt that works is written into its report, which the server ingests. */
    static String escapeTest(Path victim) {
        return """
                package com.example.greeting;

                import java.nio.file.*;
                import java.util.*;
                import org.junit.jupiter.api.Test;

                class EscapeTest {
                    static final Path VICTIM = Path.of("%s");

                    @Test
                    void triesToGetOut() throws Exception {
                        System.out.println("ENVIRONMENT " + System.getenv());
                        Path app = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
                        Path job = app.getParent();
                        Path out = Path.of(System.getenv().getOrDefault("REPORTS_DIR", job.resolve("out").toString())).resolve("test");
                        List<String> escaped = new ArrayList<>();
                        link(out.resolve("result.json"), "/proc/self/environ");
                        link(out.resolve("environ.txt"), "/proc/self/environ");
                        link(out.resolve("metadata.json"), job.resolve("metadata.json").toString());
                        link(out.resolve("secret.txt"), VICTIM.resolve("secret.txt").toString());
                        link(out.resolve("test.log"), VICTIM.resolve("append.txt").toString());
                        link(out.resolve("victim-folder"), VICTIM.toString());
                        link(app.resolve("victim-folder"), VICTIM.toString());
                        link(app.resolve("src/main/resources/leak.txt"), VICTIM.resolve("secret.txt").toString());
                        List<Path> targets = new ArrayList<>();
                        // Under the Docker runner /job/source is the stage's own working copy; the job's
                        // other folders are not there. Under the local runner they are beside it.
                        if (!job.equals(Path.of("/job"))) {
                            targets.add(job.resolve("source/src/main/resources/deploy.properties"));
                        }
                        for (Path base : List.of(job, Path.of("/job"))) {
                            targets.add(base.resolve("out/secrets/result.json"));
                            targets.add(base.resolve("reports/secrets/result.json"));
                            targets.add(base.resolve("reports/secrets/secrets.sarif"));
                            targets.add(base.resolve("reports/test/result.json"));
                            targets.add(base.resolve("state.json"));
                            targets.add(base.resolve("metadata.json"));
                            targets.add(base.resolve("built/target/classes/com/example/greeting/Greeter.class"));
                        }
                        targets.add(VICTIM.resolve("secret.txt"));
                        targets.add(VICTIM.resolve("append.txt"));
                        long until = System.currentTimeMillis() + 20_000;
                        while (System.currentTimeMillis() < until) {
                            for (Path t : targets) {
                                try {
                                    Files.writeString(t, "{\\"schema\\":1,\\"stage\\":\\"secrets\\",\\"status\\":\\"PASSED\\"}");
                                    escaped.add("WROTE " + t);
                                } catch (Exception refused) {
                                    // the wall held
                                }
                            }
                            Thread.sleep(250);
                        }
                        Files.write(out.resolve("escapes.txt"), new TreeSet<>(escaped));
                        // A flood past the test server's log cap (%d bytes): the log keeps its cap, the test goes on.
                        String row = "FLOOD " + "f".repeat(114);
                        for (int i = 0; i < %d; i++) {
                            System.out.println(row);
                        }
                        System.out.println("AFTER THE FLOOD");
                    }

                    static void link(Path at, String target) {
                        try {
                            Files.createDirectories(at.getParent());
                            Files.deleteIfExists(at);
                            Files.createSymbolicLink(at, Path.of(target));
                        } catch (Exception e) {
                            System.out.println("no link at " + at + ": " + e);
                        }
                    }
                }
                """.formatted(victim, MAX_LOG_BYTES, FLOOD_LINES);
    }

    @Test
    void aHostileProjectReadsAppendsDeletesAndForgesNothing() throws Exception {
        assertFalse(CANARY.isBlank(), "the build sets PIPELINEX_IT_CANARY for the test server");
        Path victim = Path.of(System.getProperty("it.workspaces")).resolveSibling("it-victim-" + System.nanoTime());
        Files.createDirectories(victim.resolve("inside"));
        Files.writeString(victim.resolve("secret.txt"), "the server's own file");
        Files.writeString(victim.resolve("append.txt"), "one line\n");
        Files.writeString(victim.resolve("inside/kept.txt"), "kept");

        String metadata = PipelineIT.METADATA.replace("\"run_secret_scan\": true", "\"run_secret_scan\": true, \"fail_on\": \"high\"");
        String id = PipelineIT.submitted(api.upload(Projects.zip("greeting-service", "", Map.of(
                PipelineIT.TESTS + "EscapeTest.java", escapeTest(victim),
                "src/main/resources/deploy.properties", "deploy.token=" + TOKEN + "\n"), Set.of()), metadata));
        JsonNode job = api.awaitFinal(id, JOB_TIME);

        // The gate holds: the secret is found whatever the test wrote.
        assertEquals("FAILED", job.path("state").path("state").asText(), "fail_on high with a token in the sources: " + job);
        JsonNode secrets = PipelineIT.result(id, "secrets");
        assertEquals("FAILED", secrets.path("status").asText(), "the gate fails the secret scan: " + secrets);
        assertTrue(secrets.path("message").asText().contains("quality gate"), secrets.toString());
        assertEquals("PASSED", PipelineIT.result(id, "build").path("status").asText(), job.toString());

        // The test ran, and what it tried left nothing outside its folders.
        String testLog = body("api/jobs/" + id + "/reports/test/log");
        assertTrue(testLog.contains("ENVIRONMENT {"), "the hostile test printed its environment: " + head(testLog));
        assertTrue(testLog.contains("[PIPELINE] REFUSED"), "its links are refused and named in the log: " + head(testLog));
        // Its flood was cut at the log's cap; the stage went on and ended.
        assertTrue(testLog.contains("FLOOD f"), "the flood's start is kept: " + head(testLog));
        assertTrue(testLog.contains("[PIPELINE] log cut at "), "the log says where it was cut");
        assertTrue(testLog.contains("bytes of output were discarded past the log's cap"), "and how much was discarded");
        assertFalse(testLog.contains("AFTER THE FLOOD"), "nothing past the cap is kept");
        assertTrue(testLog.getBytes(StandardCharsets.UTF_8).length < MAX_LOG_BYTES + 64 * 1024,
                "the log holds its cap and the server's own lines: " + testLog.length());
        assertEquals("PASSED", PipelineIT.result(id, "test").path("status").asText(), "the tests passed past the cap");
        assertEquals("the server's own file", Files.readString(victim.resolve("secret.txt")));
        assertEquals("one line\n", Files.readString(victim.resolve("append.txt")));
        assertEquals("kept", Files.readString(victim.resolve("inside/kept.txt")));

        Map<String, byte[]> served = reportsZip(id);
        String escapes = new String(served.getOrDefault("test/escapes.txt", new byte[0]), StandardCharsets.UTF_8);
        assertTrue(served.containsKey("test/escapes.txt"), "the hostile test's own report is ingested: " + served.keySet());
        assertEquals("", escapes.strip(), "no write outside the stage's folders succeeded");
        assertFalse(served.containsKey("test/environ.txt") || served.containsKey("test/secret.txt")
                || served.containsKey("test/metadata.json"), "links are not ingested: " + served.keySet());

        // Nothing the API serves holds the server's canary or the victim's content.
        List<String> texts = new ArrayList<>();
        served.forEach((name, bytes) -> texts.add(name + "\n" + new String(bytes, StandardCharsets.UTF_8)));
        texts.add(body("api/jobs/" + id));
        for (String stage : List.of("resolve", "build", "test", "sast", "sca", "secrets")) {
            texts.add(body("api/jobs/" + id + "/reports/" + stage + "/log"));
        }
        for (String stage : List.of("sast", "sca", "secrets")) {
            texts.add(body("api/jobs/" + id + "/reports/" + stage + "/sarif"));
        }
        texts.add(body("api/jobs/" + id + "/reports"));
        // The event stream replays a finished job's states and log lines: the same walls hold there.
        List<Api.Event> events = api.events("api/jobs/" + id + "/events", null);
        assertTrue(events.stream().anyMatch(e -> e.data().contains("ENVIRONMENT {")), "the stream carries the test's log");
        events.forEach(e -> texts.add("event " + e.name() + "\n" + e.data()));
        for (String text : texts) {
            assertFalse(text.contains(CANARY), "the server's environment leaked: " + text.substring(0, Math.min(300, text.length())));
            assertFalse(text.contains("the server's own file"), "a server file was read: " + text.substring(0, Math.min(300, text.length())));
        }

        // Removing the job's folder, as retention does, follows none of its links.
        Path workspace = PipelineIT.workspace(id);
        dev.pipelinex.job.Workspaces.deleteTree(workspace);
        assertFalse(Files.exists(workspace), "the job's folder is gone");
        assertEquals("the server's own file", Files.readString(victim.resolve("secret.txt")));
        assertEquals("kept", Files.readString(victim.resolve("inside/kept.txt")));
    }

    /** The test server's {@code pipelinex.job.max-disk-bytes} (ear/pom.xml). */
    static final long MAX_DISK_BYTES = 512L << 20;

    @Test
    void aJobThatFillsTheDiskIsStoppedAtItsQuota() throws Exception {
        String filler = """
                package com.example.greeting;

                import java.nio.file.*;
                import org.junit.jupiter.api.Test;

                class FillerTest {
                    @Test
                    void fillsTheDisk() throws Exception {
                        Path app = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
                        byte[] block = new byte[1 << 20];
                        try (var out = Files.newOutputStream(app.resolve("target/filler.bin"))) {
                            for (int i = 0; i < %d; i++) {
                                out.write(block);
                            }
                        }
                        System.out.println("FILLED");
                        Thread.sleep(600_000);
                    }
                }
                """.formatted((MAX_DISK_BYTES >> 20) + 128);
        String metadata = PipelineIT.METADATA.replace("\"run_sast\": true", "\"run_sast\": false")
                .replace("\"run_sca\": true", "\"run_sca\": false").replace("\"run_secret_scan\": true", "\"run_secret_scan\": false");
        long submitted = System.nanoTime();
        String id = PipelineIT.submitted(api.upload(Projects.zip("greeting-service", "", Map.of(
                PipelineIT.TESTS + "FillerTest.java", filler), Set.of()), metadata));
        JsonNode job = api.awaitFinal(id, JOB_TIME);
        assertTrue(System.nanoTime() - submitted < Duration.ofMinutes(5).toNanos(),
                "the job is stopped at its quota, not left to its test's sleep of 10 minutes");

        JsonNode state = job.path("state");
        assertEquals("FAILED", state.path("state").asText(), job.toString());
        assertTrue(state.path("error").asText().contains("disk quota of 512 MiB"), job.toString());
        JsonNode test = null;
        for (JsonNode s : state.path("stages")) {
            if (s.path("name").asText().equals("test")) {
                test = s;
            }
        }
        assertEquals("FAILED", test.path("status").asText(), job.toString());
        assertTrue(test.path("message").asText().contains("disk quota"), test.toString());
        // The quota may be seen while the test still writes (the job is measured every 5 s): the test ran, filled or not.
        String testLog = body("api/jobs/" + id + "/reports/test/log");
        assertTrue(testLog.contains("Running com.example.greeting.FillerTest"), "the filling test ran: " + head(testLog));
        Path workspace = PipelineIT.workspace(id);
        assertFalse(Files.exists(workspace.resolve("work")), "what the job wrote is removed when it is stopped");
        assertTrue(Files.readString(workspace.resolve("reports/pipeline.log")).contains("[PIPELINE] STOPPED: the job's files took more"));
    }

    private static String head(String text) {
        return text.substring(0, Math.min(2000, text.length()));
    }

    private static String body(String path) {
        Api.Reply r = api.get(path);
        assertEquals(200, r.status(), path + ": " + r.body());
        return r.body();
    }

    private static Map<String, byte[]> reportsZip(String id) throws Exception {
        var r = api.getBytes("api/jobs/" + id + "/reports.zip");
        assertEquals(200, r.statusCode());
        Map<String, byte[]> files = new java.util.TreeMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(r.body()))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (!e.isDirectory()) {
                    files.put(e.getName().replaceFirst("^reports/", ""), zip.readAllBytes());
                }
            }
        }
        return files;
    }
}
