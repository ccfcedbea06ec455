package dev.pipelinex.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dashboard at {@code /}, driven end to end in headless Chromium by
 * {@code src/test/browser/dashboard.mjs} (playwright-core, the system's {@code /usr/bin/chromium}):
 * signing in, a refused submission, greeting-service followed live to SUCCEEDED with its test
 * counts and (no) secrets, vulnerable-shop's secrets listed, reports.zip downloaded, and another
 * submitter who sees none of it. Screenshots go to {@code target/browser-artefacts/}.
 */
@ExtendWith(ArquillianExtension.class)
class DashboardIT {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("it.ear")));
    }

    @Test
    void aPersonCanSubmitFollowAndReadJobsInTheBrowser() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "the dashboard test needs Chromium at " + CHROMIUM + " (apt-get install chromium)");
        assumeTrue(runs(List.of("node", "--version")) && runs(List.of("npm", "--version")),
                "the dashboard test needs node and npm on the PATH (apt-get install nodejs npm)");

        Path sources = Path.of(System.getProperty("it.projects")).getParent().resolve("browser");
        Path target = Path.of(System.getProperty("it.ear")).getParent();
        Path work = target.resolve("browser");
        Path artefacts = target.resolve("browser-artefacts");
        Files.createDirectories(work);
        Files.createDirectories(artefacts);
        try (var old = Files.list(artefacts)) {
            for (Path f : old.toList()) {
                Files.deleteIfExists(f);
            }
        }
        boolean lockChanged = !Files.exists(work.resolve("package-lock.json"))
                || Files.mismatch(sources.resolve("package-lock.json"), work.resolve("package-lock.json")) >= 0;
        for (String f : List.of("package.json", "package-lock.json", "dashboard.mjs")) {
            Files.copy(sources.resolve(f), work.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        if (lockChanged || !Files.isDirectory(work.resolve("node_modules/playwright-core"))) {
            int npm = run(List.of("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"), work, Map.of(),
                    artefacts.resolve("npm-ci.log"), 5);
            assertEquals(0, npm, "npm ci of the browser test: " + tail(artefacts.resolve("npm-ci.log")));
        }

        Files.write(work.resolve("greeting-service.zip"), Projects.zip("greeting-service"));
        Files.write(work.resolve("vulnerable-shop.zip"), Projects.zip("vulnerable-shop"));
        Files.writeString(work.resolve("not-a-zip.zip"), "this is a text file, not a ZIP\n");

        Api api = Api.local();
        Map<String, String> env = Map.of(
                "PX_BASE", api.base().toString(),
                "PX_USER", Api.SUBMITTER, "PX_PASSWORD", Api.SUBMITTER_PASSWORD,
                "PX_OTHER_USER", Api.OTHER, "PX_OTHER_PASSWORD", Api.OTHER_PASSWORD,
                "PX_GREETING_ZIP", work.resolve("greeting-service.zip").toString(),
                "PX_SHOP_ZIP", work.resolve("vulnerable-shop.zip").toString(),
                "PX_NOT_A_ZIP", work.resolve("not-a-zip.zip").toString(),
                "PX_ARTEFACTS", artefacts.toString());
        Path output = artefacts.resolve("dashboard.log");
        int exit = run(List.of("node", "dashboard.mjs"), work, env, output, 20);
        System.out.println(Files.readString(output, StandardCharsets.UTF_8));
        assertEquals(0, exit, "the dashboard in the browser (screenshots in " + artefacts + "): " + tail(output));
    }

    private static boolean runs(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int run(List<String> command, Path dir, Map<String, String> env, Path output, int minutes)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(command + " did not end within " + minutes + " minutes: " + tail(output));
        }
        return p.exitValue();
    }

    private static String tail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "(no output)";
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
