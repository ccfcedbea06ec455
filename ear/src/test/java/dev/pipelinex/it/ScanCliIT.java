package dev.pipelinex.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("pipelinex").toString(), "scan"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PIPELINEX_URL", Api.local().base().toString());
        pb.environment().put("PIPELINEX_USER", Api.SUBMITTER);
        pb.environment().put("PIPELINEX_PASSWORD", Api.SUBMITTER_PASSWORD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES));
        return new Run(p.exitValue(), out);
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
