package dev.pipelinex.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.job.Workspace;
import dev.pipelinex.job.Workspaces;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageOutputTest {

    private static final String MARKER = "--- compiled ---";
    private static final long CAP = 10_000;

    @TempDir
    Path tmp;

    private Workspace ws;

    @BeforeEach
    void setUp() {
        ws = new Workspaces(tmp).create();
    }

    private StageCommand command(StageCommand.Split split) {
        return new StageCommand(ws, "spring-boot-maven", "build", Duration.ofMinutes(1), Map.of(), false,
                StageCommand.Project.WORK, List.of("build", "test"), split, CAP);
    }

    private static void print(StageOutput out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String read(Path log) throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    @Test
    void aLogUnderItsCapIsWrittenWhole() throws IOException {
        try (StageOutput out = new StageOutput(command(null))) {
            print(out, "one\ntwo\nthree without an end");
        }
        assertEquals("one\ntwo\nthree without an end\n", read(ws.stageLog("build")));
    }

    @Test
    void outputPastTheCapIsDiscardedAndTheLogSaysWhereAndHowMuch() throws IOException {
        String line = "x".repeat(99) + "\n"; // 100 bytes
        try (StageOutput out = new StageOutput(command(null))) {
            for (int i = 0; i < 1_000; i++) {
                print(out, line);
            }
            out.note("[PIPELINE] a note past the cap");
        }
        String log = read(ws.stageLog("build"));
        List<String> lines = log.lines().toList();
        long kept = lines.stream().filter(line.strip()::equals).count();
        assertEquals(CAP / 100, kept, "every whole line under the cap is kept, none after it");
        assertTrue(log.contains("[PIPELINE] log cut at 10000 bytes, its cap (pipelinex.stage.max-log-bytes=10000)"), log);
        String note = "[PIPELINE] a note past the cap\n";
        assertEquals("[PIPELINE] " + (900 * 100 + note.length()) + " bytes of output were discarded past the log's cap",
                lines.get(lines.size() - 1));
        assertFalse(log.contains("a note past the cap"), "a note past the cap is discarded as well");
        assertTrue(Files.size(ws.stageLog("build")) < CAP + 300, "the log stays within its cap and two lines");
    }

    @Test
    void aLongLineWithoutAnEndCannotPassTheCap() throws IOException {
        try (StageOutput out = new StageOutput(command(null))) {
            print(out, "y".repeat(1 << 20));
        }
        assertTrue(Files.size(ws.stageLog("build")) < CAP + 300);
        assertTrue(read(ws.stageLog("build")).contains("bytes of output were discarded"));
    }

    @Test
    void whatTheLogHeldBeforeCountsTowardsItsCap() throws IOException {
        Files.createDirectories(ws.stageLog("build").getParent());
        Files.writeString(ws.stageLog("build"), "z".repeat((int) CAP - 50) + "\n");
        try (StageOutput out = new StageOutput(command(null))) {
            print(out, "a".repeat(29) + "\n" + "b".repeat(29) + "\n");
        }
        String log = read(ws.stageLog("build"));
        assertTrue(log.contains("a".repeat(29) + "\n"), "the first line still fits");
        assertFalse(log.contains("b".repeat(29)), "the second would pass the cap");
        assertTrue(log.contains("[PIPELINE] 30 bytes of output were discarded past the log's cap"), log);
    }

    @Test
    void theSplitsMarkerIsSeenPastTheCapAndTheNextLogHasACapOfItsOwn() throws IOException {
        AtomicInteger reached = new AtomicInteger();
        try (StageOutput out = new StageOutput(command(new StageCommand.Split(MARKER, "test", reached::incrementAndGet)))) {
            print(out, ("c".repeat(99) + "\n").repeat(200));
            print(out, MARKER + "\n");
            print(out, "the tests' first line\n");
            print(out, ("d".repeat(99) + "\n").repeat(200));
        }
        assertEquals(1, reached.get(), "the marker past the build log's cap still splits the output");
        String build = read(ws.stageLog("build"));
        assertTrue(build.endsWith("[PIPELINE] 10000 bytes of output were discarded past the log's cap\n"), build);
        assertFalse(build.contains(MARKER));
        String test = read(ws.stageLog("test"));
        assertTrue(test.startsWith("[PIPELINE] START test\nthe tests' first line\n"), test);
        assertTrue(test.contains("log cut at"), "the test log has its own cap");
        assertTrue(Files.size(ws.stageLog("test")) < CAP + 300);
    }
}
