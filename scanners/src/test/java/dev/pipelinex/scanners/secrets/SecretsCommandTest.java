package dev.pipelinex.scanners.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipelinex.scanners.report.Reports;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsCommandTest {

    @TempDir
    Path dir;

    @Test
    void usageMistakesExitWith2AndWriteNothing() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        String out = dir.resolve("out").toString();
        assertUsage("--mode must be files or git, not \"history\"", "--source", src.toString(), "--out", out, "--mode", "history");
        assertUsage("option --source is required", "--out", out);
        assertUsage("option --out is required", "--source", src.toString());
        assertUsage("--source " + dir.resolve("none") + " is not a directory", "--source", dir.resolve("none").toString(), "--out", out);
        assertUsage("--max-commits must be a positive number", "--source", src.toString(), "--out", out, "--max-commits", "0");
        assertUsage("option --max-commits must be a number", "--source", src.toString(), "--out", out, "--max-commits", "lots");
        assertUsage("unknown option --max-commit", "--source", src.toString(), "--out", out, "--max-commit", "5");
        assertUsage("--rules needs a file", "--source", src.toString(), "--out", out, "--rules");
        assertFalse(Files.exists(dir.resolve("out")));
    }

    private static void assertUsage(String message, String... args) throws Exception {
        String[] argv = new String[args.length + 1];
        argv[0] = "secrets";
        System.arraycopy(args, 0, argv, 1, args.length);
        CommandRun run = CommandRun.of(argv);
        assertEquals(2, run.exitCode(), run.stderr());
        assertTrue(run.stderr().contains(message), run.stderr());
        assertTrue(run.stderr().contains("usage: pipelinex-scanners secrets --source DIR --out DIR"), run.stderr());
    }

    @Test
    void aCleanProjectPassesWithNoFindingsAndTheCounts() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("App.java"), "class App { String password = System.getenv(\"P\"); }\n");
        Files.write(src.resolve("logo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0});
        Path out = dir.resolve("out");
        long started = System.currentTimeMillis() - 1500;
        CommandRun run = CommandRun.of("secrets", "--source", src.toString(), "--out", out.toString(),
                "--started-ms", String.valueOf(started));
        assertEquals(0, run.exitCode(), run.stderr());
        JsonNode result = Reports.json().readTree(out.resolve("result.json").toFile());
        assertEquals("secrets", result.get("stage").asText());
        assertEquals("PASSED", result.get("status").asText());
        assertEquals("secrets: no findings", result.get("message").asText());
        assertTrue(result.get("duration_ms").asLong() >= 1500);
        assertEquals(1, result.at("/summary/files_scanned").asInt());
        assertEquals(1, result.at("/summary/files_skipped").asInt());
        assertEquals(0, result.at("/summary/commits_scanned").asInt());
        assertTrue(Files.exists(out.resolve("secrets.sarif")));
        assertTrue(run.stdout().startsWith("secrets: no findings\nscanned 1 files"), run.stdout());
    }

    @Test
    void theCommandIsRegistered() throws Exception {
        CommandRun run = CommandRun.of("help");
        assertEquals(0, run.exitCode());
        assertTrue(run.stderr().contains("  secrets --source DIR --out DIR [--mode files|git] [--rules FILE]..."), run.stderr());
    }
}
