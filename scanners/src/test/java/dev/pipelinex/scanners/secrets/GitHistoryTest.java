package dev.pipelinex.scanners.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipelinex.scanners.report.Finding;
import dev.pipelinex.scanners.report.Reports;
import dev.pipelinex.scanners.report.SarifSchema;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --mode git: the lines each commit added, on top of the working tree. */
class GitHistoryTest {

    @TempDir
    Path project;
    @TempDir
    Path out;

    private final Fakes fakes = new Fakes(21);
    private Git git;

    @BeforeEach
    void init() throws Exception {
        git = Git.init().setDirectory(project.toFile()).setInitialBranch("main").call();
    }

    @AfterEach
    void close() {
        git.close();
    }

    private RevCommit commit(String message) throws Exception {
        git.add().addFilepattern(".").call();
        git.add().addFilepattern(".").setUpdate(true).call();
        return git.commit().setMessage(message).setSign(false).setAuthor("Dev", "dev@acme.org")
                .setCommitter("Dev", "dev@acme.org").call();
    }

    private void write(String path, String text) throws IOException {
        Path f = project.resolve(path);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }

    private SecretScan.Outcome scan(SecretScan.Mode mode, int max) throws IOException {
        return SecretScan.run(project, RuleSet.builtIn(), mode, max, 1);
    }

    @Test
    void aSecretDeletedLaterIsFoundInTheHistoryOnly() throws Exception {
        write("README.md", "# app\n");
        commit("start");
        String token = fakes.githubPat();
        write("src/main/resources/app.properties", "name=app\nversion=1\ngithub.token=" + token + "\n");
        RevCommit added = commit("configure the client");
        write("src/main/resources/app.properties", "name=app\nversion=1\ngithub.token=${GITHUB_TOKEN}\n");
        commit("read the token from the environment");

        assertEquals(List.of(), scan(SecretScan.Mode.FILES, 1000).findings());

        SecretScan.Outcome o = scan(SecretScan.Mode.GIT, 1000);
        assertEquals(3, o.commitsScanned());
        assertEquals(1, o.findings().size());
        Finding f = o.findings().get(0);
        assertEquals("github-pat", f.ruleId());
        assertEquals("src/main/resources/app.properties", f.path());
        assertEquals(3, f.startLine());
        assertEquals(added.abbreviate(7).name(), f.properties().get("commit"));
        assertEquals("GitHub personal access token in src/main/resources/app.properties:3 of commit "
                + added.abbreviate(7).name() + " (ghp_…(40 chars))", f.message());
    }

    @Test
    void aSecretBothInTheFilesAndTheHistoryIsReportedOnceWhereItIsNow() throws Exception {
        String token = fakes.npmToken();
        write("app.env", "NPM_TOKEN=" + token + "\n");
        RevCommit first = commit("add the token");
        write("app.env", "# the registry token\n\nNPM_TOKEN=" + token + "\nOTHER=1\n");
        commit("document it");

        SecretScan.Outcome o = scan(SecretScan.Mode.GIT, 1000);
        assertEquals(1, o.findings().size());
        Finding f = o.findings().get(0);
        assertEquals(3, f.startLine(), "the working-tree occurrence wins");
        assertEquals(first.abbreviate(7).name(), f.properties().get("commit"), "the commit that added it");
        assertNull(scan(SecretScan.Mode.FILES, 1000).findings().get(0).properties().get("commit"));
    }

    @Test
    void aSecretAddedAgainByALaterCommitIsReportedOnceForTheOldestCommit() throws Exception {
        String token = fakes.npmToken();
        write("a.env", "T=" + token + "\n");
        RevCommit first = commit("add");
        write("a.env", "T=" + token + " # the registry\n");
        commit("comment");
        Files.delete(project.resolve("a.env"));
        commit("remove");
        SecretScan.Outcome o = scan(SecretScan.Mode.GIT, 1000);
        assertEquals(1, o.findings().size());
        assertEquals(first.abbreviate(7).name(), o.findings().get(0).properties().get("commit"));
    }

    @Test
    void historySkipsTheSameFilesAsTheTreeAndScansOnlyAddedLines() throws Exception {
        String old = fakes.npmToken();
        write("target/gen.env", "T=" + fakes.npmToken() + "\n");
        write("bin.dat", "T=" + fakes.npmToken() + "\u0000\n");
        write("a.env", "T=" + old + "\n");
        commit("one");
        Files.delete(project.resolve("a.env"));
        write("b.env", "X=1\n");
        commit("two");
        write("b.env", "X=1\nY=" + fakes.npmToken() + "\n");
        RevCommit third = commit("three");

        SecretScan.Outcome o = scan(SecretScan.Mode.GIT, 1000);
        assertEquals(List.of("a.env:1", "b.env:2"), o.findings().stream().map(f -> f.path() + ":" + f.startLine()).sorted().toList());
        Finding b = o.findings().stream().filter(f -> f.path().equals("b.env")).findFirst().orElseThrow();
        assertEquals(third.abbreviate(7).name(), b.properties().get("commit"));
    }

    @Test
    void aCommitThatChangesOtherLinesOfAFileDoesNotReportItsOlderSecret() throws Exception {
        String token = fakes.npmToken();
        write("a.env", "T=" + token + "\nX=1\n");
        commit("add");
        write("a.env", "T=" + token + "\nX=2\n");
        commit("change another line");
        write("a.env", "T=${NPM_TOKEN}\nX=2\n");
        commit("use the environment");
        assertEquals(List.of(), scan(SecretScan.Mode.GIT, 2).findings(), "the two newest commits add no secret");
        assertEquals(1, scan(SecretScan.Mode.GIT, 3).findings().size());
    }

    @Test
    void theWalkStopsAtMaxCommitsWithANote() throws Exception {
        write("old.env", "T=" + fakes.npmToken() + "\n");
        commit("old secret");
        Files.delete(project.resolve("old.env"));
        commit("remove it");
        for (int i = 0; i < 3; i++) {
            write("n.txt", "n=" + i + "\n");
            commit("change " + i);
        }
        SecretScan.Outcome o = scan(SecretScan.Mode.GIT, 3);
        assertEquals(3, o.commitsScanned());
        assertEquals(List.of(), o.findings(), "the oldest commits are past the limit");
        assertEquals(List.of("the history scan stopped after 3 commits (--max-commits); older commits were not scanned"), o.notes());
        assertEquals(1, scan(SecretScan.Mode.GIT, 5).findings().size());
    }

    @Test
    void commitsOfOtherBranchesAreScannedToo() throws Exception {
        write("README.md", "# app\n");
        commit("start");
        git.checkout().setCreateBranch(true).setName("feature").call();
        write("f.env", "T=" + fakes.npmToken() + "\n");
        commit("on a branch");
        git.checkout().setName("main").call();
        assertEquals(1, scan(SecretScan.Mode.GIT, 100).findings().size());
    }

    @Test
    void aBrokenRepositoryLeavesTheFilesScannedWithANote() throws Exception {
        write("a.env", "T=" + fakes.npmToken() + "\n");
        commit("one");
        git.close();
        try (Stream<Path> objects = Files.walk(project.resolve(".git/objects"))) {
            objects.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
        SecretScan.Outcome o = scan(SecretScan.Mode.GIT, 10);
        assertEquals(1, o.findings().size(), "the working tree is still scanned");
        assertEquals(1, o.notes().size());
        assertTrue(o.notes().get(0).startsWith("the history could not be scanned, so only the files were ("), o.notes().get(0));
    }

    @Test
    void theCommandReportsTheModeAndCommitsAndCopesWithoutARepository() throws Exception {
        write("a.env", "T=" + fakes.npmToken() + "\n");
        commit("one");
        CommandRun run = CommandRun.of("secrets", "--source", project.toString(), "--out", out.toString(), "--mode", "git");
        assertEquals(0, run.exitCode(), run.stderr());
        JsonNode result = Reports.json().readTree(out.resolve("result.json").toFile());
        assertEquals("git", result.at("/summary/mode").asText());
        assertEquals(1, result.at("/summary/commits_scanned").asInt());
        assertEquals(1, result.at("/summary/findings/high").asInt());
        Path sarif = out.resolve("secrets.sarif");
        assertEquals(Set.of(), SarifSchema.violations(sarif));
        JsonNode finding = Reports.json().readTree(sarif.toFile()).at("/runs/0/results/0");
        assertEquals(7, finding.at("/properties/commit").asText().length());
        assertEquals("git", Reports.json().readTree(sarif.toFile()).at("/runs/0/properties/mode").asText());

        Path plain = Files.createDirectories(out.resolve("plain"));
        Files.writeString(plain.resolve("x.env"), "X=1\n");
        Path out2 = out.resolve("out2");
        assertEquals(0, CommandRun.of("secrets", "--source", plain.toString(), "--out", out2.toString(), "--mode", "git").exitCode());
        JsonNode r2 = Reports.json().readTree(out2.resolve("result.json").toFile());
        assertTrue(r2.get("message").asText().endsWith("no git repository in the source folder, so only its files were scanned"));
        assertEquals(0, r2.at("/summary/commits_scanned").asInt());
    }
}
