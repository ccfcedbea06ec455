package dev.pipelinex.job;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspacesTest {

    @TempDir
    Path tmp;

    private static void writeMetadata(Workspace ws) {
        JobFiles.writeMetadata(ws, new JobMetadata(ws.jobId(), Instant.EPOCH, JobSource.upload("p.zip"),
                new JobRequest.Stack("java", "spring-boot", "maven"), new JobRequest.Versions("17", "3.9"),
                JobRequest.PipelineOptions.ALL, "spring-boot-maven", new JobMetadata.Admission("ACCEPTED", List.of()),
                List.of("build")));
    }

    @Test
    void createMakesAUuidFolderWithEmptySourceAndReports() throws IOException {
        Workspaces workspaces = new Workspaces(tmp.resolve("root"));
        Workspace ws = workspaces.create();
        assertEquals(ws.jobId(), UUID.fromString(ws.jobId()).toString(), "the job id should be a canonical UUID");
        assertEquals(workspaces.root().resolve(ws.jobId()), ws.dir(), "the job folder should be named by its id");
        assertTrue(Files.isDirectory(ws.source()), "source/ should exist");
        assertTrue(Files.isDirectory(ws.reports()), "reports/ should exist");
        try (var s = Files.list(ws.source())) {
            assertEquals(0, s.count(), "source/ should be empty");
        }
        assertNotEquals(ws.jobId(), workspaces.create().jobId(), "two workspaces should get different ids");
    }

    @Test
    void workspacePathsFollowTheLayout() {
        Workspace ws = new Workspace("id", Path.of("/w/id"));
        assertEquals(Path.of("/w/id/reports/test/test.log"), ws.stageLog("test"), "the stage log path");
        assertEquals(Path.of("/w/id/reports/test/result.json"), ws.resultFile("test"), "the result path");
        assertEquals(Path.of("/w/id/reports/pipeline.log"), ws.pipelineLog(), "the pipeline log path");
        assertEquals(Path.of("/w/id/pipelines"), ws.pipelines(), "the pipelines path");
        assertEquals(Path.of("/w/id/metadata.json"), ws.metadataFile(), "the metadata path");
        assertEquals(Path.of("/w/id/state.json"), ws.stateFile(), "the state path");
    }

    @Test
    void findReturnsAWorkspaceOnlyOnceItsMetadataIsWritten() {
        Workspaces workspaces = new Workspaces(tmp);
        Workspace ws = workspaces.create();
        assertTrue(workspaces.find(ws.jobId()).isEmpty(), "a workspace without metadata.json should not be found");
        writeMetadata(ws);
        assertEquals(ws, workspaces.find(ws.jobId()).orElseThrow(), "a workspace with metadata.json should be found");
    }

    @Test
    void findRefusesIdsThatAreNotCanonicalUuids() throws IOException {
        Path root = tmp.resolve("root");
        Workspaces workspaces = new Workspaces(root);
        Workspace ws = workspaces.create();
        writeMetadata(ws);
        // A folder beside the root that "../x" would reach if the id were used as a path.
        Workspace outside = new Workspace("x", tmp.resolve("x"));
        Files.createDirectories(outside.dir());
        writeMetadata(outside);
        for (String id : new String[] {"../x", "..", "x", "", ws.jobId().toUpperCase(Locale.ROOT),
                ws.jobId() + "/..", "../root/" + ws.jobId(), ws.jobId() + " ", ws.jobId().replace("-", "")}) {
            assertTrue(workspaces.find(id).isEmpty(), "id '" + id + "' should not find a workspace");
        }
        assertTrue(workspaces.find(null).isEmpty(), "a null id should not find a workspace");
    }

    @Test
    void allListsOnlyFoldersWithMetadata() throws IOException {
        Workspaces workspaces = new Workspaces(tmp);
        Workspace a = workspaces.create();
        Workspace b = workspaces.create();
        Workspace c = workspaces.create();
        writeMetadata(a);
        writeMetadata(c);
        Workspace stray = new Workspace("not-a-uuid", tmp.resolve("not-a-uuid"));
        Files.createDirectories(stray.dir());
        writeMetadata(stray);
        Files.writeString(tmp.resolve(UUID.randomUUID().toString()), "a file, not a folder");
        Set<String> ids = workspaces.all().stream().map(Workspace::jobId).collect(Collectors.toSet());
        assertEquals(Set.of(a.jobId(), c.jobId()), ids,
                "all() should list the UUID folders with metadata.json and nothing else (not " + b.jobId() + ")");
    }

    @Test
    void allOfAMissingRootIsEmpty() {
        assertEquals(List.of(), new Workspaces(tmp.resolve("absent")).all(), "a missing root should hold no jobs");
    }

    @Test
    void deleteRemovesTheTreeButNotWhatASymlinkPointsTo() throws IOException {
        Path outsideDir = Files.createDirectories(tmp.resolve("outside"));
        Path outsideFile = Files.writeString(outsideDir.resolve("keep.txt"), "keep");
        Path outsideSingle = Files.writeString(tmp.resolve("single.txt"), "keep too");
        Workspaces workspaces = new Workspaces(tmp.resolve("root"));
        Workspace ws = workspaces.create();
        writeMetadata(ws);
        Files.writeString(Files.createDirectories(ws.source().resolve("src/main")).resolve("A.java"), "class A {}");
        Files.createSymbolicLink(ws.source().resolve("link-to-dir"), outsideDir);
        Files.createSymbolicLink(ws.source().resolve("src/link-to-file"), outsideSingle);
        Files.createSymbolicLink(ws.source().resolve("dangling"), tmp.resolve("nowhere"));

        workspaces.delete(ws);

        assertFalse(Files.exists(ws.dir(), LinkOption.NOFOLLOW_LINKS), "the job folder should be gone");
        assertEquals("keep", Files.readString(outsideFile), "the folder a link pointed to should be untouched");
        assertEquals("keep too", Files.readString(outsideSingle), "the file a link pointed to should be untouched");
        assertTrue(Files.isDirectory(workspaces.root()), "the root should remain");
    }

    @Test
    void deleteOfAMissingFolderDoesNothing() {
        assertDoesNotThrow(() -> Workspaces.deleteTree(tmp.resolve("absent")), "deleting a missing folder should not fail");
    }

    @Test
    void deleteOfALinkedFolderRemovesOnlyTheLink() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("keep.txt"), "keep");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), outside);
        Workspaces.deleteTree(link);
        assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS), "the link itself should be removed");
        assertEquals("keep", Files.readString(outside.resolve("keep.txt")), "the folder it pointed to should be untouched");
    }
}
