package dev.pipelinex.scanners.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the helper as the test stage does: {@code pipelinex-scanners surefire-count <dir>}. */
class SurefireCountTest {


    @TempDir
    Path project;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(Path dir) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = Files.createTempFile("surefire-count", ".out");
        Path err = Files.createTempFile("surefire-count", ".err");
        try {
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    "dev.pipelinex.scanners.Main", "surefire-count", dir.toString())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "SurefireCount should finish within 2 minutes");
            return new Run(p.exitValue(), Files.readString(out).trim(), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private Path report(String module, String name, String xml) throws IOException {
        Path dir = Files.createDirectories(project.resolve(module).resolve("target/surefire-reports"));
        return Files.writeString(dir.resolve(name), xml, StandardCharsets.UTF_8);
    }

    private static String testcase(String name, String body) {
        return "  <testcase name=\"" + name + "\" classname=\"demo.T\" time=\"0.01\">" + body + "</testcase>\n";
    }

    @Test
    void countsTestCasesNotTheSuiteAttributes() throws IOException, InterruptedException {
        // A JUnit 5 @Nested report: the suite claims 1 test, 0 failures; its test cases say otherwise.
        report(".", "TEST-demo.OuterTest.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<testsuite name=\"demo.OuterTest\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">\n"
                + testcase("outer", "")
                + testcase("nestedPasses", "")
                + testcase("nestedFails", "<failure message=\"expected 1\" type=\"AssertionFailedError\">trace</failure>")
                + testcase("nestedErrors", "<error message=\"boom\" type=\"IllegalStateException\">trace</error>")
                + testcase("nestedSkipped", "<skipped message=\"@Disabled\"/>")
                + testcase("flakyButPassed", "<flakyFailure message=\"first run failed\" type=\"X\"><stackTrace>t"
                        + "</stackTrace></flakyFailure>")
                + "</testsuite>\n");
        Run r = run(project);
        assertEquals(0, r.exit(), "SurefireCount should exit 0, stderr: " + r.err());
        assertEquals("3 2 1", r.out(), "expected 3 passed (one flaky), 2 failed (failure, error), 1 skipped");
    }

    @Test
    void addsUpEveryModuleAndIgnoresOtherReports() throws IOException, InterruptedException {
        report("module-a", "TEST-a.ATest.xml", "<testsuite tests=\"2\">\n" + testcase("a1", "") + testcase("a2", "")
                + "</testsuite>\n");
        report("module-b/sub", "TEST-b.BTest.xml", "<testsuite tests=\"2\">\n"
                + testcase("b1", "<failure message=\"no\"/>") + testcase("b2", "<skipped/>") + "</testsuite>\n");
        // Not Surefire test reports: a summary file in the folder and a failsafe report elsewhere.
        report("module-a", "demo.ATest.txt", "Tests run: 99");
        Path failsafe = Files.createDirectories(project.resolve("module-a/target/failsafe-reports"));
        Files.writeString(failsafe.resolve("TEST-it.ITest.xml"), "<testsuite>" + testcase("it", "") + "</testsuite>");
        Run r = run(project);
        assertEquals(0, r.exit(), "SurefireCount should exit 0, stderr: " + r.err());
        assertEquals("2 1 1", r.out(), "expected the two modules' Surefire test cases only");
    }

    @Test
    void noReportsCountsZero() throws IOException, InterruptedException {
        Files.createDirectories(project.resolve("src/main/java"));
        Run r = run(project);
        assertEquals(0, r.exit(), "SurefireCount should exit 0 without reports, stderr: " + r.err());
        assertEquals("0 0 0", r.out(), "a project without reports has no tests");
    }

    @Test
    void unreadableReportIsReportedAndSkipped() throws IOException, InterruptedException {
        report(".", "TEST-good.xml", "<testsuite>" + testcase("ok", "") + "</testsuite>");
        report(".", "TEST-broken.xml", "<testsuite><testcase name=\"x\">");
        report(".", "TEST-doctype.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE t [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                + "<testsuite>" + testcase("xxe", "&x;") + "</testsuite>");
        Run r = run(project);
        assertEquals(0, r.exit(), "SurefireCount should exit 0 despite unreadable reports, stderr: " + r.err());
        assertEquals("1 0 0", r.out(), "only the readable report should be counted");
        assertTrue(r.err().contains("TEST-broken.xml"), "stderr should name the broken report: " + r.err());
        assertTrue(r.err().contains("TEST-doctype.xml"), "a report with a DOCTYPE should be refused: " + r.err());
    }
}
