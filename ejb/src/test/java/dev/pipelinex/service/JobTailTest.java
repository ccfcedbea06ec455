package dev.pipelinex.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobState;
import dev.pipelinex.job.JobStatus;
import dev.pipelinex.job.StageState;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.job.Workspaces;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobTailTest {

    static final List<String> STAGES = List.of("build", "test");
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00.123456Z");

    @TempDir
    Path root;

    Workspace job() {
        Workspace ws = new Workspaces(root).create();
        JobFiles.writeStatus(ws, JobStatus.queued(ws.jobId(), List.of(StageState.pending("build"),
                StageState.pending("test")), T0));
        return ws;
    }

    static void append(Workspace ws, String stage, String text) throws Exception {
        Path log = ws.stageLog(stage);
        Files.createDirectories(log.getParent());
        Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void aNewFollowerGetsTheStateThenOnlyWhatChanges() throws Exception {
        Workspace ws = job();
        JobTail.Step first = JobTail.since(ws, STAGES, JobTail.Cursor.START);
        assertEquals(List.of("state"), first.events().stream().map(JobTail.Event::type).toList());
        assertTrue(first.events().get(0).data().contains("\"QUEUED\""));
        assertTrue(!first.events().get(0).data().contains("\n"), "one line of JSON per event");

        JobTail.Step idle = JobTail.since(ws, STAGES, first.cursor());
        assertEquals(List.of(), idle.events(), "nothing changed, nothing sent");

        append(ws, "build", "one\ntwo\npart");
        JobTail.Step lines = JobTail.since(ws, STAGES, idle.cursor());
        assertEquals(List.of("one", "two"), lines.events().stream().map(JobTail.Event::data).toList(),
                "complete lines only");
        append(ws, "build", "ial\r\n");
        JobTail.Step rest = JobTail.since(ws, STAGES, lines.cursor());
        assertEquals(List.of("partial"), rest.events().stream().map(JobTail.Event::data).toList());
    }

    @Test
    void theCursorIsTheEventIdAndResumesExactlyAfterIt() throws Exception {
        Workspace ws = job();
        append(ws, "build", "b1\nb2\nb3\n");
        append(ws, "test", "t1\n");
        JobTail.Step all = JobTail.since(ws, STAGES, JobTail.Cursor.START);
        assertEquals(List.of("log", "log", "log", "log", "state"), all.events().stream().map(JobTail.Event::type).toList(),
                "logs before the state read ahead of them");
        String idOfB2 = all.events().get(1).cursor().format();
        JobTail.Step resumed = JobTail.since(ws, STAGES, JobTail.Cursor.parse(idOfB2));
        assertEquals(List.of("b3", "t1"), resumed.events().stream().filter(e -> e.type().equals("log"))
                .map(JobTail.Event::data).toList());
        assertEquals(all.cursor(), JobTail.Cursor.parse(all.cursor().format()), "the id format round-trips");
    }

    @Test
    void aFinalStateComesAfterTheLastLines() throws Exception {
        Workspace ws = job();
        JobTail.Step before = JobTail.since(ws, STAGES, JobTail.Cursor.START);
        append(ws, "test", "last line\n");
        JobStatus done = JobFiles.readStatus(ws).orElseThrow().running(1, "local", T0.plusSeconds(1))
                .finished(JobState.SUCCEEDED, null, T0.plusSeconds(2));
        JobFiles.writeStatus(ws, done);
        JobTail.Step after = JobTail.since(ws, STAGES, before.cursor());
        assertEquals(List.of("log", "state"), after.events().stream().map(JobTail.Event::type).toList());
        assertTrue(after.status().orElseThrow().state().isFinal());
        assertTrue(after.last(), "final, and every log read: nothing more to tell");
        assertTrue(!before.last(), "a running job has more to tell");
    }

    @Test
    void aFinishedJobsLongLogTakesSeveralStepsAndTheLastComesAfterAllOfIt() throws Exception {
        Workspace ws = job();
        String row = "x".repeat(99) + "\n";
        int rows = 3 * JobTail.MAX_READ / row.length();
        append(ws, "test", row.repeat(rows));
        JobFiles.writeStatus(ws, JobFiles.readStatus(ws).orElseThrow().running(1, "local", T0.plusSeconds(1))
                .finished(JobState.SUCCEEDED, null, T0.plusSeconds(2)));
        JobTail.Cursor cursor = JobTail.Cursor.START;
        int lines = 0;
        int steps = 0;
        JobTail.Step step;
        do {
            step = JobTail.since(ws, STAGES, cursor);
            cursor = step.cursor();
            lines += (int) step.events().stream().filter(e -> e.type().equals("log")).count();
            steps++;
        } while (!step.last() && steps < 10);
        assertEquals(rows, lines, "every line, not only the first step's");
        assertTrue(steps >= 3, "a step reads at most MAX_READ of a log: " + steps);
    }

    @Test
    void aRestartedLogIsReadFromItsStart() throws Exception {
        Workspace ws = job();
        append(ws, "build", "first attempt, a long line\n");
        JobTail.Step one = JobTail.since(ws, STAGES, JobTail.Cursor.START);
        Files.writeString(ws.stageLog("build"), "again\n");
        JobTail.Step two = JobTail.since(ws, STAGES, one.cursor());
        assertEquals(List.of("again"), two.events().stream().map(JobTail.Event::data).toList());
    }

    @Test
    void idsThisServerDidNotMakeStartFromTheBeginning() {
        for (String id : List.of("", "x", "-5", "12;build=-1", "12;BUILD=3", "12;build", "9".repeat(2000))) {
            assertEquals(JobTail.Cursor.START, JobTail.Cursor.parse(id), id);
        }
        assertEquals(new JobTail.Cursor(12, Map.of("build", 3L)), JobTail.Cursor.parse("12;build=3"));
    }

    @Test
    void aVeryLongLineIsCutIntoPieces() throws Exception {
        Workspace ws = job();
        append(ws, "build", "x".repeat(JobTail.MAX_LINE * 2 + 10) + "\n");
        JobTail.Step s = JobTail.since(ws, STAGES, JobTail.Cursor.START);
        List<String> pieces = s.events().stream().filter(e -> e.type().equals("log")).map(JobTail.Event::data).toList();
        assertEquals(3, pieces.size());
        assertEquals(JobTail.MAX_LINE * 2 + 10, pieces.stream().mapToInt(String::length).sum());
    }
}
