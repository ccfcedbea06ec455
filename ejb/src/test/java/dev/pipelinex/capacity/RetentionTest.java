package dev.pipelinex.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobMetadata;
import dev.pipelinex.job.JobRequest;
import dev.pipelinex.job.JobSource;
import dev.pipelinex.job.JobState;
import dev.pipelinex.job.JobStatus;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.job.Workspaces;
import dev.pipelinex.pipeline.StagePlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {

    static final Instant NOW = Instant.parse("2025-06-10T12:00:00Z");
    static final List<String> PLAN = List.of("resolve", "build");

    @TempDir
    Path root;

    static Workspace job(Workspaces workspaces, JobState state, Instant updated) {
        Workspace ws = workspaces.create();
        JobFiles.writeMetadata(ws, new JobMetadata(ws.jobId(), updated.minusSeconds(600), JobSource.upload("p.zip"),
                new JobRequest.Stack("java", "spring-boot", "maven"), new JobRequest.Versions("17", "3.9"),
                JobRequest.PipelineOptions.ALL, "spring-boot-maven", new JobMetadata.Admission("ACCEPTED", List.of()),
                PLAN));
        JobStatus s = JobStatus.queued(ws.jobId(), StagePlan.initialStates(PLAN), updated.minusSeconds(600));
        if (state != JobState.QUEUED) {
            s = s.running(1, "local", updated);
        }
        if (state.isFinal()) {
            s = s.finished(state, null, updated);
        }
        JobFiles.writeStatus(ws, new JobStatus(s.jobId(), s.state(), s.attempt(), s.runner(), s.stages(), s.error(),
                s.createdAt(), updated));
        return ws;
    }

    @Test
    void removesOnlyFinishedJobsOlderThanTheMaximumAge() {
        Workspaces workspaces = new Workspaces(root);
        Instant old = NOW.minus(Duration.ofHours(25));
        Instant recent = NOW.minus(Duration.ofHours(23));
        Map<String, Workspace> jobs = Map.of(
                "old succeeded", job(workspaces, JobState.SUCCEEDED, old),
                "old failed", job(workspaces, JobState.FAILED, old),
                "old cancelled", job(workspaces, JobState.CANCELLED, old),
                "recent succeeded", job(workspaces, JobState.SUCCEEDED, recent),
                "old running", job(workspaces, JobState.RUNNING, old),
                "old queued", job(workspaces, JobState.QUEUED, old));

        int removed = new Retention(workspaces, Duration.ofHours(24), Clock.fixed(NOW, ZoneOffset.UTC)).purge();

        assertEquals(3, removed, "the three old finished jobs");
        jobs.forEach((what, ws) -> {
            boolean gone = what.startsWith("old ") && !what.endsWith("running") && !what.endsWith("queued");
            assertEquals(gone, !Files.exists(ws.dir()), what + (gone ? " should be removed" : " should be kept"));
        });
    }

    @Test
    void workspaceWithoutStateOrUnreadableStateIsKept() throws Exception {
        Workspaces workspaces = new Workspaces(root);
        Workspace noState = job(workspaces, JobState.SUCCEEDED, NOW.minus(Duration.ofDays(30)));
        Files.delete(noState.stateFile());
        Workspace broken = job(workspaces, JobState.SUCCEEDED, NOW.minus(Duration.ofDays(30)));
        Files.writeString(broken.stateFile(), "{ not json");

        assertEquals(0, new Retention(workspaces, Duration.ofHours(1), Clock.fixed(NOW, ZoneOffset.UTC)).purge());
        assertTrue(Files.isDirectory(noState.dir()));
        assertTrue(Files.isDirectory(broken.dir()));
        assertFalse(workspaces.all().isEmpty());
    }
}
