package dev.pipelinex.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code ./pipelinex scan} as a CI system calls it: progress, a summary, the reports, the verdict as exit status. */
@ExtendWith(ArquillianExtension.class)
class ScanCliIT {

    static final Path ROOT = Path.of(System.getProperty("it.projects")).getParent().getParent().getParent().getParent();
    static final Path WORK = Path.of(System.getProperty("it.workspaces")).getParent().resolve("it-scan");

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("it.ear")));
    }

    record Run(int exit, String out) {
    }

    static Run scan(String... args) throws Exception {
        return scan(Map.of("PIPELINEX_USER", Api.SUBMITTER, "PIPELINEX_PASSWORD", Api.SUBMITTER_PASSWORD), null, args);
    }

    /**
     * Runs {@code ./pipelinex scan} with the account variables {@code account}; when {@code secret}
     * is given, the command line of every process of the run is watched, and the run fails if it
     * ever holds it.
     */
    static Run scan(Map<String, String> account, String secret, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("pipelinex").toString(), "scan"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.matches("PIPELINEX_(USER|PASSWORD|TOKEN|ADMIN_.*|HOME)"));
        pb.environment().put("PIPELINEX_URL", Api.local().base().toString());
        pb.environment().put("PIPELINEX_HOME", WORK.resolve("home").toString());
        pb.environment().putAll(account);
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (p.isAlive() && System.nanoTime() < deadline) {
            if (secret != null) {
                for (ProcessHandle h : Stream.concat(Stream.of(p.toHandle()), p.descendants()).toList()) {
                    String line = commandLine(h);
                    assertFalse(line.contains(secret), "a password on a command line, for every user to read: " + line);
                }
            }
            Thread.sleep(20);
        }
        assertTrue(p.waitFor(1, TimeUnit.SECONDS), "the scan did not end in 10 minutes");
        return new Run(p.exitValue(), out.get(1, TimeUnit.MINUTES));
    }

    /** What ps shows of a process: its arguments as /proc has them. */
    private static String commandLine(ProcessHandle h) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (java.io.IOException | RuntimeException e) {
            return ""; // ended meanwhile
        }
    }

    @Test
    void theAdminAccountOfUpIsTheDefaultAccountAndItsPasswordIsOnNoCommandLine() throws Exception {
        Path project = WORK.resolve("as-admin");
        Projects.writeTo("greeting-service", project);
        Files.createDirectories(WORK.resolve("home"));
        Run run = scan(Map.of("PIPELINEX_ADMIN_USER", Api.ADMIN, "PIPELINEX_ADMIN_PASSWORD", Api.ADMIN_PASSWORD),
                Api.ADMIN_PASSWORD, project.toString(), "--no-build", "--no-tests", "--no-sast", "--no-sca");
        assertEquals(0, run.exit(), run.out());
        assertFalse(run.out().contains(Api.ADMIN_PASSWORD), "the password is not printed: " + run.out());
        String id = run.out().replaceAll("(?s).*?job ([0-9a-f-]{36}) .*", "$1");
        JsonNode job = Api.local().as(Api.ADMIN, Api.ADMIN_PASSWORD).get("api/jobs/" + id).json();
        assertEquals(Api.ADMIN, job.path("metadata").path("submitted_by").asText(),
                "the job was submitted as PIPELINEX_ADMIN_USER: " + job);

        Run wrong = scan(Map.of("PIPELINEX_ADMIN_USER", Api.ADMIN, "PIPELINEX_ADMIN_PASSWORD", "not-" + Api.ADMIN_PASSWORD),
                "not-" + Api.ADMIN_PASSWORD, project.toString(), "--no-build", "--no-tests", "--no-sast", "--no-sca");
        assertEquals(2, wrong.exit(), wrong.out());
        assertTrue(wrong.out().contains("PIPELINEX_ADMIN_PASSWORD"), "a refused account says what to set: " + wrong.out());
        assertFalse(wrong.out().contains("not-" + Api.ADMIN_PASSWORD), "the password is not printed: " + wrong.out());
    }

    @Test
    void aGoodProjectPassesWithItsSummaryAndReports() throws Exception {
        Path project = WORK.resolve("good");
        Projects.writeTo("greeting-service", project);
        Files.createDirectories(project.resolve("target/classes"));
        Files.writeString(project.resolve("target/classes/leftover.txt"), "build output is not sent");
        Path reports = WORK.resolve("good-reports");
        Run run = scan(project.toString(), "--no-sast", "--no-sca", "--reports", reports.toString());
        assertEquals(0, run.exit(), run.out());
        assertTrue(run.out().contains("(spring-boot-maven)"), run.out());
        assertTrue(run.out().matches("(?s).*\\n  test +RUNNING.*\\n  test +PASSED.*"), "live progress: " + run.out());
        assertTrue(run.out().matches("(?s).*  test +PASSED +[0-9.]+s  4 passed, 0 failed, 1 skipped.*"), "summary: " + run.out());
        assertTrue(run.out().contains("job SUCCEEDED"), run.out());
        assertTrue(Files.isRegularFile(reports.resolve("secrets/secrets.sarif")), "reports written");
        assertTrue(Files.isRegularFile(reports.resolve("test/result.json")));
    }

    @Test
    void aFailingTestFailsTheScan() throws Exception {
        Path project = WORK.resolve("failing");
        Projects.writeTo("greeting-service", project);
        Files.writeString(project.resolve("src/test/java/com/example/greeting/BrokenTest.java"), """
                package com.example.greeting;
                import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
                import org.junit.jupiter.api.Test;
                class BrokenTest {
                    @Test void isWrong() { assertEquals(5, 2 + 2, "planted failure"); }
                }
                """);
        Run run = scan(project.toString(), "--no-sast", "--no-sca", "--no-secrets");
        assertEquals(1, run.exit(), run.out());
        assertTrue(run.out().contains("job FAILED"), run.out());
        assertTrue(run.out().matches("(?s).*  test +FAILED .*1 failed.*"), run.out());
    }

    @Test
    void aRefusedProjectSaysWhy() throws Exception {
        Path project = WORK.resolve("empty");
        Files.createDirectories(project);
        Files.writeString(project.resolve("README.md"), "no pom here");
        Run run = scan(project.toString());
        assertEquals(2, run.exit(), run.out());
        assertTrue(run.out().contains("pom.xml"), "the admission's reason is shown: " + run.out());
    }
}
