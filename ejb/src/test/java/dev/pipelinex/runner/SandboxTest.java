package dev.pipelinex.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxTest {

    @TempDir
    Path dir;

    Path job() throws IOException {
        Path job = dir.resolve("job");
        for (String d : List.of("source", "reports", "m2", "pipelines")) {
            Files.createDirectories(job.resolve(d));
        }
        Files.writeString(job.resolve("state.json"), "{\"state\":\"RUNNING\"}");
        return job;
    }

    /** The arguments that follow each occurrence of {@code option}, in pairs. */
    static List<String> after(List<String> cmd, String option) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < cmd.size() - 1; i++) {
            if (cmd.get(i).equals(option)) {
                out.add(cmd.get(i + 1));
            }
        }
        return out;
    }

    @Test
    void onlyTheJobsProjectReportsAndRepositoryAreWritable() throws IOException {
        Path job = job();
        Path maven = Files.createDirectories(dir.resolve("maven"));
        List<String> cmd = new Sandbox("/usr/bin/bwrap", List.of(maven, dir.resolve("absent")))
                .command(job, "build", List.of("bash", "build.sh"));
        assertEquals(List.of(job.resolve("source").toString(), job.resolve("reports").toString(),
                job.resolve("m2").toString()), after(cmd, "--bind"));
        assertTrue(after(cmd, "--ro-bind").contains(job.toString()), "the job folder itself is read-only");
        assertTrue(after(cmd, "--ro-bind").contains(maven.toString()), "tools are read-only");
        assertFalse(after(cmd, "--ro-bind").contains(dir.resolve("absent").toString()), "missing folders are left out");
        assertTrue(cmd.contains("--unshare-net"), "no network for the build");
        assertEquals(List.of("10001"), after(cmd, "--uid"));
        assertEquals(List.of("bash", "build.sh"), cmd.subList(cmd.size() - 2, cmd.size()));
    }

    @Test
    void onlyResolveHasNetwork() throws IOException {
        List<String> cmd = new Sandbox("/usr/bin/bwrap", List.of()).command(job(), "resolve", List.of("true"));
        assertFalse(cmd.contains("--unshare-net"));
    }

    /** The real thing, where bubblewrap works on this machine. */
    @Test
    void aStageCannotWriteOutsideItsFoldersNorReachTheNetwork() throws Exception {
        Sandbox sandbox = new Sandbox("/usr/bin/bwrap", List.of());
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")) && sandbox.probe() == null, "bubblewrap works here");
        Path job = job();
        Path outside = Files.writeString(dir.resolve("outside.txt"), "untouched");
        String script = String.join("; ",
                "id -u > reports/uid",
                "echo built > source/out",
                "(ls " + dir + " >/dev/null) 2>/dev/null && ls " + dir + " > reports/listing",
                "(echo x > state.json) 2>/dev/null && echo wrote-state > reports/escape",
                // Where the sandbox lets this write happen at all, it lands in its private /tmp.
                "(echo x > " + outside + ") 2>/dev/null",
                "(exec 3<>/dev/tcp/127.0.0.1/22) 2>/dev/null && echo network >> reports/escape",
                "true");
        Process p = new ProcessBuilder(sandbox.command(job, "build", List.of("bash", "-c", script)))
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertEquals("10001", Files.readString(job.resolve("reports/uid")).trim());
        assertEquals("built", Files.readString(job.resolve("source/out")).trim());
        assertFalse(Files.exists(job.resolve("reports/escape")), () -> "escaped: " + read(job.resolve("reports/escape")));
        assertEquals("{\"state\":\"RUNNING\"}", Files.readString(job.resolve("state.json")));
        assertEquals("untouched", Files.readString(outside));
        if (Files.exists(job.resolve("reports/listing"))) {
            assertEquals("job", Files.readString(job.resolve("reports/listing")).trim(),
                    "only the job's own folder is visible beside it");
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
