package dev.pipelinex.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.ResultStatus;
import dev.pipelinex.job.StageResult;
import dev.pipelinex.job.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResolveMemoTest {

    private static final String JAR = "org/demo/lib/1.0/lib-1.0.jar";
    private static final String POM = "org/demo/lib/1.0/lib-1.0.pom";

    @TempDir
    Path tmp;
    Path cache;
    Path userRepo;
    Path memoDir;
    ResolveMemo memo;

    @BeforeEach
    void setUp() throws IOException {
        cache = Files.createDirectories(tmp.resolve("cache"));
        userRepo = Files.createDirectories(tmp.resolve("user-m2"));
        memoDir = tmp.resolve("proxy").resolve("resolved");
        memo = new ResolveMemo(memoDir, List.of(cache, userRepo), "local test");
    }

    private StageCommand job(String id, String pom) throws IOException {
        Workspace ws = new Workspace(id, Files.createDirectories(tmp.resolve("jobs").resolve(id)));
        Files.createDirectories(ws.source().resolve("module"));
        Files.writeString(ws.source().resolve("pom.xml"), pom);
        Files.writeString(ws.source().resolve("module/pom.xml"), "<project>module</project>");
        Files.createDirectories(ws.source().resolve("target"));
        Files.writeString(ws.source().resolve("target/pom.xml"), "built: " + id);
        Path pipeline = Files.createDirectories(ws.pipelines().resolve("spring-boot-maven"));
        Files.writeString(pipeline.resolve("resolve.sh"), "echo resolve");
        return new StageCommand(ws, "spring-boot-maven", "resolve", Duration.ofMinutes(5), Map.of("JAVA_HOME", "/jdk17"));
    }

    private static void put(Path repo, String path) throws IOException {
        Files.createDirectories(repo.resolve(path).getParent());
        Files.writeString(repo.resolve(path), "x");
    }

    /** What a resolve stage that passed leaves: its artifact list. */
    private static void resolved(StageCommand cmd, String... artifacts) throws IOException {
        Files.createDirectories(cmd.workspace().output("resolve"));
        Files.write(cmd.workspace().output("resolve").resolve("artifacts.txt"), List.of(artifacts));
    }

    @Test
    void theKeyFollowsThePomsTheJdkAndThePipelineButNotBuildOutput() throws IOException {
        String a = memo.key(job("a", "<project>1</project>")).orElseThrow();
        assertEquals(a, memo.key(job("b", "<project>1</project>")).orElseThrow(), "target/ is not part of the key");
        assertNotEquals(a, memo.key(job("c", "<project>2</project>")).orElseThrow());

        StageCommand d = job("d", "<project>1</project>");
        StageCommand otherJdk = new StageCommand(d.workspace(), d.stackId(), d.stage(), d.timeout(), Map.of("JAVA_HOME", "/jdk21"));
        assertNotEquals(a, memo.key(otherJdk).orElseThrow());

        StageCommand e = job("e", "<project>1</project>");
        Files.writeString(e.pipelineDir().resolve("resolve.sh"), "echo resolve, newer");
        assertNotEquals(a, memo.key(e).orElseThrow());

        StageCommand f = job("f", "<project>1</project>");
        Files.createDirectories(f.workspace().source().resolve(".mvn"));
        Files.writeString(f.workspace().source().resolve(".mvn/extensions.xml"), "<extensions/>");
        assertNotEquals(a, memo.key(f).orElseThrow());

        assertNotEquals(a, new ResolveMemo(memoDir, List.of(cache), "docker other-image").key(job("g", "<project>1</project>")).orElseThrow());
    }

    @Test
    void aLaterJobWithTheSamePomsSkipsResolveWhileTheCacheHoldsEverything() throws IOException {
        StageCommand first = job("first", "<project>1</project>");
        String key = memo.key(first).orElseThrow();
        assertTrue(memo.reuse(first, key).isEmpty(), "nothing remembered yet");
        put(cache, JAR);
        put(userRepo, POM);
        resolved(first, JAR, POM);
        memo.remember(first, key);

        StageCommand second = job("second", "<project>1</project>");
        Optional<StageRun> run = memo.reuse(second, memo.key(second).orElseThrow());
        assertTrue(run.isPresent());
        assertEquals(0, run.get().exitCode());
        StageResult result = JobFiles.readResult(second.workspace(), "resolve").orElseThrow();
        assertEquals(ResultStatus.PASSED, result.status());
        assertTrue(result.message().contains("an earlier job resolved the same POMs"), result.message());
        assertFalse(result.message().contains("first") || Files.readString(second.log()).contains("first"),
                "the earlier job, maybe another account's, is not named to this one: " + result.message());
        assertTrue(Files.isRegularFile(memoDir.resolve(key + ".txt")), "the entry is kept in the server's own folder");
        try (var inCache = Files.walk(cache)) {
            assertTrue(inCache.noneMatch(f -> f.toString().endsWith(".txt")), "nothing of it is in the cache stages read");
        }
        assertTrue(Files.readString(second.log()).contains("nothing to download"));

        // An artifact gone from the cache: the stage runs again.
        Files.delete(cache.resolve(JAR));
        StageCommand third = job("third", "<project>1</project>");
        assertTrue(memo.reuse(third, memo.key(third).orElseThrow()).isEmpty());
        assertFalse(Files.exists(third.workspace().resultFile("resolve")));
    }

    @Test
    void nothingIsRememberedWithoutAPlainArtifactList() throws IOException {
        put(cache, JAR);
        StageCommand noList = job("no-list", "<project>1</project>");
        String key = memo.key(noList).orElseThrow();
        memo.remember(noList, key);
        assertTrue(memo.reuse(job("next", "<project>1</project>"), key).isEmpty(), "a resolve with SNAPSHOTs writes no list");

        for (String hostile : List.of("../../etc/passwd.jar", "/etc/x/y/z.jar", "org/demo/lib/1.0/lib-1.0.sh", "a/b.jar")) {
            StageCommand cmd = job("hostile", "<project>1</project>");
            resolved(cmd, JAR, hostile);
            memo.remember(cmd, key);
            assertTrue(memo.reuse(job("next", "<project>1</project>"), key).isEmpty(), hostile + " is refused");
        }
    }
}
