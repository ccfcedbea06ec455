package dev.pipelinex.index;

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
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobIndexTest {

    private static final List<String> PLAN = List.of("resolve", "build");
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path root;

    private int made;

    /** A job of {@code account}, made {@code made} seconds after T0, in {@code state}. */
    private Workspace job(Workspaces w, String account, JobState state) {
        Workspace ws = w.create();
        Instant created = T0.plusSeconds(made++);
        JobFiles.writeMetadata(ws, new JobMetadata(ws.jobId(), created, JobSource.upload("p.zip"),
                new JobRequest.Stack("java", "spring-boot", "maven"), new JobRequest.Versions("17", "3.9"),
                JobRequest.PipelineOptions.ALL, "spring-boot-maven", new JobMetadata.Admission("ACCEPTED", List.of()),
                PLAN, account));
        JobFiles.writeStatus(ws, JobStatus.queued(ws.jobId(), StagePlan.initialStates(PLAN), created));
        move(ws, state);
        return ws;
    }

    /** Writes state.json as the worker of any node would. */
    private static void move(Workspace ws, JobState state) {
        JobStatus s = JobFiles.readStatus(ws).orElseThrow();
        if (state == s.state()) {
            return;
        }
        if (s.state() == JobState.QUEUED) {
            s = s.running(1, "local", Instant.now());
        }
        if (state.isFinal()) {
            s = s.finished(state, null, Instant.now());
        }
        JobFiles.writeStatus(ws, s);
    }

    @Test
    void countsWhatTheWorkspacesHoldByStateAndByAccount() {
        Workspaces w = new Workspaces(root);
        job(w, "ann", JobState.QUEUED);
        job(w, "ann", JobState.QUEUED);
        job(w, "ann", JobState.RUNNING);
        job(w, "bob", JobState.QUEUED);
        job(w, "bob", JobState.SUCCEEDED);
        job(w, "bob", JobState.FAILED);
        JobIndex index = new JobIndex(w);
        assertEquals(6, index.size());
        assertEquals(3, index.queued());
        assertEquals(new JobIndex.Counts(2, 1), index.of("ann"));
        assertEquals(new JobIndex.Counts(1, 0), index.of("bob"), "finished jobs are not the account's active ones");
        assertEquals(JobIndex.Counts.NONE, index.of("cy"));
        assertEquals(1, index.countsByState().get(JobState.SUCCEEDED));
        assertEquals(1, index.countsByState().get(JobState.FAILED));
        assertEquals(0, index.countsByState().get(JobState.CANCELLED));
        assertTrue(index.othersWaiting("ann", 0), "bob has a job waiting");
        assertTrue(index.othersWaiting("bob", 0));
        assertTrue(index.othersWaiting("bob", 2), "ann runs one job, fewer than two");
        assertFalse(index.othersWaiting("bob", 1), "ann is at one running job: a free worker is of no use to her");
    }

    @Test
    void followsJobsThatAnotherNodeAddsMovesAndRemoves() {
        Workspaces w = new Workspaces(root);
        JobIndex index = new JobIndex(w);
        assertEquals(0, index.size());
        Workspace a = job(w, "ann", JobState.QUEUED);
        Workspace b = job(w, "bob", JobState.QUEUED);
        assertEquals(2, index.queued(), "new folders in the root are seen at the next refresh");
        move(a, JobState.RUNNING);
        assertEquals(new JobIndex.Counts(0, 1), index.of("ann"), "a state written elsewhere is seen");
        move(a, JobState.CANCELLED);
        move(b, JobState.SUCCEEDED);
        assertEquals(JobIndex.Counts.NONE, index.of("ann"));
        assertEquals(0, index.queued());
        assertEquals(1, index.countsByState().get(JobState.CANCELLED));
        assertFalse(index.othersWaiting("ann", 0));
        w.delete(a);
        assertEquals(1, index.size(), "a removed workspace is dropped");
        assertEquals(0, index.countsByState().get(JobState.CANCELLED));
    }

    @Test
    void aFolderWithoutMetadataIsCountedOnceItsAdmissionEnds() throws Exception {
        Workspaces w = new Workspaces(root);
        JobIndex index = new JobIndex(w);
        Workspace half = w.create(); // an admission in progress
        Files.writeString(root.resolve("not-a-job"), "x");
        assertEquals(0, index.size());
        JobFiles.writeMetadata(half, new JobMetadata(half.jobId(), T0, JobSource.upload("p.zip"),
                new JobRequest.Stack("java", "spring-boot", "maven"), new JobRequest.Versions("17", "3.9"),
                JobRequest.PipelineOptions.ALL, "spring-boot-maven", new JobMetadata.Admission("ACCEPTED", List.of()),
                PLAN, "ann"));
        assertEquals(1, index.size(), "seen once metadata.json is there");
        assertEquals(JobIndex.Counts.NONE, index.of("ann"), "no state yet: counted in no state");
        JobFiles.writeStatus(half, JobStatus.queued(half.jobId(), StagePlan.initialStates(PLAN), T0));
        assertEquals(new JobIndex.Counts(1, 0), index.of("ann"));
    }

    @Test
    void aFinalStateIsNeverReadAgain() throws Exception {
        Workspaces w = new Workspaces(root);
        Workspace done = job(w, "ann", JobState.SUCCEEDED);
        JobIndex index = new JobIndex(w);
        assertEquals(1, index.countsByState().get(JobState.SUCCEEDED));
        Files.writeString(done.stateFile(), "{ not json"); // a final state never changes, so it is not looked at
        assertEquals(1, index.countsByState().get(JobState.SUCCEEDED));
    }

    @Test
    void aJobThisNodeAdmitsIsCountedAtOnce() {
        Workspaces w = new Workspaces(root);
        JobIndex index = new JobIndex(w);
        index.size();
        Workspace ws = job(w, "ann", JobState.QUEUED);
        index.added(ws, JobFiles.readMetadata(ws), JobFiles.readStatus(ws).orElseThrow());
        assertEquals(new JobIndex.Counts(1, 0), index.of("ann"));
        assertEquals(1, index.size(), "and once, though the listing finds it too");
    }

    @Test
    void pagesAreNewestFirstAmongTheVisibleJobs() {
        Workspaces w = new Workspaces(root);
        for (int i = 0; i < 5; i++) {
            job(w, i % 2 == 0 ? "ann" : "bob", JobState.SUCCEEDED); // ann: 0, 2, 4; bob: 1, 3
        }
        JobIndex index = new JobIndex(w);
        JobIndex.Page all = index.page(m -> true, 0, 3);
        assertEquals(5, all.total());
        assertEquals(List.of(T0.plusSeconds(4), T0.plusSeconds(3), T0.plusSeconds(2)),
                all.entries().stream().map(e -> e.metadata().createdAt()).toList());
        JobIndex.Page anns = index.page(m -> "ann".equals(m.submittedBy()), 1, 10);
        assertEquals(3, anns.total(), "the total counts what the caller may see");
        assertEquals(List.of(T0.plusSeconds(2), T0.plusSeconds(0)),
                anns.entries().stream().map(e -> e.metadata().createdAt()).toList());
        assertEquals(List.of(), index.page(m -> true, 10, 5).entries());
    }
}
