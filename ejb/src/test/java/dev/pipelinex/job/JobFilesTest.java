package dev.pipelinex.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobFilesTest {

    @TempDir
    Path root;

    private Workspace workspace() {
        return new Workspaces(root).create();
    }

    private static JobMetadata metadata(String id) {
        return new JobMetadata(id, Instant.parse("2025-01-02T03:04:05.678Z"), JobSource.upload("demo.zip"),
                new JobRequest.Stack("java", "spring-boot", "maven"), new JobRequest.Versions("17", "3.9"),
                new JobRequest.PipelineOptions(true, false, true, true, false), "spring-boot-maven",
                new JobMetadata.Admission("ACCEPTED_WITH_ISSUES", List.of("no tests")), List.of("build", "sast", "sca"));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void metadataRoundTripsWithSnakeCaseKeysOnDisk() throws IOException {
        Workspace ws = workspace();
        JobMetadata m = metadata(ws.jobId());
        JobFiles.writeMetadata(ws, m);
        assertEquals(m, JobFiles.readMetadata(ws), "metadata read back should equal what was written");
        String json = Files.readString(ws.metadataFile());
        for (String key : List.of("\"job_id\"", "\"created_at\"", "\"stack_id\"", "\"build_tool\"",
                "\"run_unit_tests\"", "\"run_secret_scan\"")) {
            assertTrue(json.contains(key), "metadata.json should have the snake_case key " + key + ": " + json);
        }
        assertFalse(json.contains("jobId"), "metadata.json should not have camelCase keys: " + json);
        assertTrue(json.contains("\"2025-01-02T03:04:05.678Z\""), "times should be ISO-8601 strings: " + json);
        assertFalse(json.contains("\"url\""), "an upload source should not carry a null url: " + json);
    }

    @Test
    void gitSourceRoundTrips() {
        Workspace ws = workspace();
        JobMetadata m = new JobMetadata(ws.jobId(), Instant.parse("2025-01-02T03:04:05Z"),
                JobSource.git("https://github.com/o/r.git", "abc123"), new JobRequest.Stack("java", "spring-boot", "maven"),
                new JobRequest.Versions("17", "3.9"), JobRequest.PipelineOptions.ALL, "spring-boot-maven",
                new JobMetadata.Admission("ACCEPTED", List.of()), List.of("build"));
        JobFiles.writeMetadata(ws, m);
        assertEquals(m.source(), JobFiles.readMetadata(ws).source(), "a git source should read back as written");
    }

    @Test
    void statusRoundTripsWithDurationMsOnDisk() throws IOException {
        Workspace ws = workspace();
        Instant t0 = Instant.parse("2025-01-02T03:04:05Z");
        JobStatus s = JobStatus.queued(ws.jobId(), List.of(StageState.pending("build"), StageState.pending("test")), t0)
                .running(2, "local", t0.plusSeconds(1))
                .withStage("build", st -> st.started(t0.plusSeconds(2)), t0.plusSeconds(2))
                .withStage("build", st -> st.finished(StageStatus.PASSED, "ok", t0.plusMillis(3500)), t0.plusSeconds(4));
        JobFiles.writeStatus(ws, s);
        assertEquals(s, JobFiles.readStatus(ws).orElseThrow(), "state read back should equal what was written");
        JsonNode json = JobFiles.json().readTree(ws.stateFile().toFile());
        assertEquals(ws.jobId(), json.path("job_id").asText(), "state.json should have job_id: " + json);
        assertEquals("RUNNING", json.path("state").asText(), "state.json should have the state: " + json);
        assertEquals("2025-01-02T03:04:09Z", json.path("updated_at").asText(), "state.json should have updated_at: " + json);
        JsonNode build = json.path("stages").path(0);
        assertEquals(1500, build.path("duration_ms").asLong(-1), "the stage entry should have duration_ms: " + json);
        assertEquals("2025-01-02T03:04:07Z", build.path("started_at").asText(), "the stage should have started_at: " + json);
        assertEquals("2025-01-02T03:04:08.500Z", build.path("finished_at").asText(), "the stage should have finished_at: " + json);
        assertTrue(json.has("error") && json.get("error").isNull(), "a missing error should be written as null: " + json);
    }

    @Test
    void resultRoundTripsWithNestedSummary() throws IOException {
        Workspace ws = workspace();
        StageResult r = new StageResult("test", ResultStatus.FAILED, 1234, "1 of 3 tests failed",
                Map.of("tests", Map.of("passed", 2, "failed", 1, "skipped", 0)));
        JobFiles.writeResult(ws, r);
        assertTrue(Files.isRegularFile(ws.reports().resolve("test").resolve("result.json")),
                "the result should be written to reports/test/result.json");
        assertEquals(r, JobFiles.readResult(ws, "test").orElseThrow(), "the result read back should equal what was written");
        JsonNode json = JobFiles.json().readTree(ws.resultFile("test").toFile());
        assertEquals(1234, json.path("duration_ms").asLong(-1), "result.json should use duration_ms: " + json);
        assertEquals(1, json.path("summary").path("tests").path("failed").asInt(-1), "the summary should be nested: " + json);
    }

    @Test
    void resultAsAStageScriptWritesItIsRead() throws IOException {
        Workspace ws = workspace();
        Files.createDirectories(ws.stageReports("test"));
        Files.writeString(ws.resultFile("test"), "{\"stage\": \"test\", \"status\": \"PASSED\", \"duration_ms\": 42,"
                + " \"message\": \"3 passed\", \"summary\": {\"tests\": {\"passed\": 3}}, \"extra\": 1}\n");
        StageResult r = JobFiles.readResult(ws, "test").orElseThrow();
        assertEquals(ResultStatus.PASSED, r.status(), "the script's status should be read");
        assertEquals(42, r.durationMs(), "the script's duration_ms should be read");
        assertEquals(Map.of("tests", Map.of("passed", 3)), r.summary(), "the script's summary should be read");
    }

    @Test
    void missingFilesReadAsEmptyOrFailForMetadata() {
        Workspace ws = workspace();
        assertTrue(JobFiles.readStatus(ws).isEmpty(), "a job without state.json should have no status");
        assertTrue(JobFiles.readResult(ws, "build").isEmpty(), "a stage without result.json should have no result");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> JobFiles.readMetadata(ws),
                "reading absent metadata should fail");
        assertTrue(e.getMessage().contains(ws.jobId()), "the failure should name the job: " + e.getMessage());
    }

    @Test
    void unreadableJsonFailsWithTheFileNamed() throws IOException {
        Workspace ws = workspace();
        Files.writeString(ws.stateFile(), "{\"job_id\": ");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> JobFiles.readStatus(ws),
                "a truncated state.json should fail to read");
        assertTrue(e.getMessage().contains("state.json"), "the failure should name the file: " + e.getMessage());
    }

    @Test
    void writeReplacesTheFileAndLeavesNoTemporaryFiles() throws IOException {
        Workspace ws = workspace();
        Instant t = Instant.parse("2025-01-02T03:04:05Z");
        JobStatus s = JobStatus.queued(ws.jobId(), List.of(StageState.pending("build")), t);
        JobFiles.writeStatus(ws, s);
        JobStatus next = s.running(1, "local", t.plusSeconds(1));
        JobFiles.writeStatus(ws, next);
        assertEquals(next, JobFiles.readStatus(ws).orElseThrow(), "the second write should replace the first");
        JobFiles.writeResult(ws, new StageResult("build", ResultStatus.PASSED, 1, "ok", null));
        JobFiles.writeResult(ws, new StageResult("build", ResultStatus.FAILED, 2, "no", null));
        assertEquals(List.of("reports", "source", "state.json"), names(ws.dir()),
                "the job folder should hold no temporary files after writes");
        assertEquals(List.of("result.json"), names(ws.stageReports("build")),
                "the stage folder should hold only result.json after writes");
    }

    @Test
    void valueThatCannotBeSerialisedKeepsTheOldContent() throws IOException {
        Workspace ws = workspace();
        StageResult ok = new StageResult("build", ResultStatus.PASSED, 1, "ok", null);
        JobFiles.writeResult(ws, ok);
        Object unserialisable = new Object() {
            @SuppressWarnings("unused")
            public Object getSelf() {
                throw new IllegalStateException("cannot serialise");
            }
        };
        assertThrows(RuntimeException.class, () -> JobFiles.write(ws.resultFile("build"), unserialisable),
                "a value that cannot be serialised should fail the write");
        assertEquals(List.of("result.json"), names(ws.stageReports("build")),
                "a failed write should leave no temporary file");
        assertEquals(ok, JobFiles.readResult(ws, "build").orElseThrow(), "a failed write should keep the old content");
    }

    @Test
    void renameThatFailsRemovesTheTemporaryFile() throws IOException {
        Workspace ws = workspace();
        // A non-empty folder where the file should go: the temporary file is written, the rename fails.
        Path blocked = Files.createDirectories(ws.stageReports("build").resolve("result.json"));
        Files.writeString(blocked.resolve("inside"), "x");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> JobFiles.writeResult(ws, new StageResult("build", ResultStatus.PASSED, 1, "ok", null)),
                "a write whose rename fails should fail");
        assertTrue(e.getMessage().contains("result.json"), "the failure should name the file: " + e.getMessage());
        assertEquals(List.of("result.json"), names(ws.stageReports("build")),
                "the temporary file should be removed when the rename fails");
        assertEquals(List.of("inside"), names(blocked), "what was in the way should be left alone");
    }
}
