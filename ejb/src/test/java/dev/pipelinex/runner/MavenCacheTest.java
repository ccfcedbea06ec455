package dev.pipelinex.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MavenCacheTest {

    private static final String LIB = "org/example/lib/1.0";

    @TempDir
    Path tmp;

    private Path repo;
    private Path cacheRoot;
    private MavenCache cache;

    @BeforeEach
    void setUp() throws IOException {
        repo = Files.createDirectories(tmp.resolve("m2"));
        cacheRoot = Files.createDirectories(tmp.resolve("cache"));
        cache = new MavenCache(cacheRoot);
    }

    private static String sha1(String content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(content.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code rel} into the job repository and, unless {@code sha1} is null, its {@code .sha1}. */
    private Path artifact(String rel, String content, String sha1) throws IOException {
        Path file = repo.resolve(rel);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        if (sha1 != null) {
            Files.writeString(file.resolveSibling(file.getFileName() + ".sha1"), sha1);
        }
        return file;
    }

    private List<String> cacheFiles() throws IOException {
        try (Stream<Path> walk = Files.walk(cacheRoot)) {
            return walk.filter(Files::isRegularFile).map(p -> cacheRoot.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void verifiedJarAndPomAreCopiedWithTheirChecksums() throws IOException {
        artifact(LIB + "/lib-1.0.jar", "jar bytes", sha1("jar bytes"));
        // Maven's .sha1 may carry the file name after the checksum, and upper-case hex.
        artifact(LIB + "/lib-1.0.pom", "<project/>", sha1("<project/>").toUpperCase() + "  lib-1.0.pom\n");

        assertEquals(2, cache.promote(repo), "both verified artifacts should be promoted");

        assertEquals("jar bytes", Files.readString(cacheRoot.resolve(LIB + "/lib-1.0.jar")), "the jar's content");
        assertEquals(sha1("jar bytes"), Files.readString(cacheRoot.resolve(LIB + "/lib-1.0.jar.sha1")),
                "the jar's checksum should come along");
        assertEquals("<project/>", Files.readString(cacheRoot.resolve(LIB + "/lib-1.0.pom")), "the pom's content");
        assertTrue(Files.isRegularFile(cacheRoot.resolve(LIB + "/lib-1.0.pom.sha1")), "the pom's checksum");
        assertEquals(List.of(LIB + "/lib-1.0.jar", LIB + "/lib-1.0.jar.sha1", LIB + "/lib-1.0.pom",
                LIB + "/lib-1.0.pom.sha1"), cacheFiles(), "nothing else, no temporary file, should be left");
    }

    @Test
    void artifactWhoseChecksumDoesNotMatchIsSkipped() throws IOException {
        artifact(LIB + "/bad-1.0.jar", "tampered", sha1("original"));
        artifact(LIB + "/good-1.0.jar", "good", sha1("good"));

        assertEquals(1, cache.promote(repo), "only the verified artifact should count");
        assertFalse(Files.exists(cacheRoot.resolve(LIB + "/bad-1.0.jar")), "a mismatching artifact is not promoted");
        assertFalse(Files.exists(cacheRoot.resolve(LIB + "/bad-1.0.jar.sha1")), "nor its checksum");
        assertTrue(Files.exists(cacheRoot.resolve(LIB + "/good-1.0.jar")), "the verified one is promoted");
    }

    @Test
    void artifactWithoutChecksumIsSkipped() throws IOException {
        artifact(LIB + "/lib-1.0.jar", "jar bytes", null);
        Files.writeString(repo.resolve(LIB + "/lib-1.0.jar.md5"), "whatever");

        assertEquals(0, cache.promote(repo), "an artifact without .sha1 cannot be verified");
        assertEquals(List.of(), cacheFiles(), "nothing should be promoted");
    }

    @Test
    void emptyOrHugeChecksumFileIsNotAMatch() throws IOException {
        artifact(LIB + "/empty-1.0.jar", "a", "");
        artifact(LIB + "/huge-1.0.jar", "b", sha1("b") + " ".repeat(2000));

        assertEquals(0, cache.promote(repo), "neither checksum file verifies its artifact");
        assertEquals(List.of(), cacheFiles(), "nothing should be promoted");
    }

    @Test
    void existingCacheFileIsNeverReplaced() throws IOException {
        Path cached = cacheRoot.resolve(LIB + "/lib-1.0.jar");
        Files.createDirectories(cached.getParent());
        Files.writeString(cached, "the cache's own bytes");
        Files.writeString(cached.resolveSibling("lib-1.0.jar.sha1"), sha1("the cache's own bytes"));
        artifact(LIB + "/lib-1.0.jar", "the job's bytes", sha1("the job's bytes"));

        assertEquals(0, cache.promote(repo), "an artifact already in the cache is not promoted again");
        assertEquals("the cache's own bytes", Files.readString(cached), "the cached artifact should be unchanged");
        assertEquals(sha1("the cache's own bytes"), Files.readString(cached.resolveSibling("lib-1.0.jar.sha1")),
                "the cached checksum should be unchanged");
    }

    @Test
    void otherFilesAreIgnored() throws IOException {
        artifact(LIB + "/_remote.repositories", "lib-1.0.jar>central=\n", sha1("lib-1.0.jar>central=\n"));
        artifact("org/example/lib/maven-metadata-central.xml", "<metadata/>", sha1("<metadata/>"));
        artifact(LIB + "/lib-1.0.jar.lastUpdated", "x", sha1("x"));
        artifact(LIB + "/lib-1.0.tar.gz", "y", sha1("y"));

        assertEquals(0, cache.promote(repo), "only .jar and .pom files are promoted");
        assertEquals(List.of(), cacheFiles(), "nothing should be promoted");
    }

    @Test
    void symbolicLinkIsNotPromoted() throws IOException {
        Path outside = Files.writeString(tmp.resolve("secret.jar"), "outside");
        Path link = repo.resolve(LIB + "/lib-1.0.jar");
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, outside);
        Files.writeString(link.resolveSibling("lib-1.0.jar.sha1"), sha1("outside"));

        assertEquals(0, cache.promote(repo), "a symbolic link in the job repository is not an artifact");
        assertEquals(List.of(), cacheFiles(), "nothing should be promoted");
    }

    @Test
    void returnsTheCountAcrossTheWholeRepository() throws IOException {
        artifact("a/a/1/a-1.jar", "a", sha1("a"));
        artifact("b/b/2/b-2.pom", "b", sha1("b"));
        artifact("c/c/3/c-3.jar", "c", sha1("c"));
        artifact("c/c/3/c-3.pom", "not c", sha1("c"));

        assertEquals(3, cache.promote(repo), "three verified artifacts");
        assertEquals(0, cache.promote(repo), "a second promotion finds everything already cached");
    }

    @Test
    void missingCacheFolderIsCreated() throws IOException {
        MavenCache fresh = new MavenCache(tmp.resolve("new-cache"));
        artifact(LIB + "/lib-1.0.jar", "jar bytes", sha1("jar bytes"));

        assertEquals(1, fresh.promote(repo), "the artifact should be promoted");
        assertTrue(Files.isRegularFile(tmp.resolve("new-cache/" + LIB + "/lib-1.0.jar")), "into the new cache folder");
    }

    @Test
    void missingJobRepositoryPromotesNothing() throws IOException {
        assertEquals(0, cache.promote(tmp.resolve("no-such-m2")), "a job without a repository promotes nothing");
        assertEquals(List.of(), cacheFiles(), "nothing should be promoted");
    }

    @Test
    void twoJobsPromotingTheSameArtifactsAtOnceBothSucceed() throws Exception {
        // Two job repositories with the same 200 artifacts, promoted by two caches (two nodes) at once.
        Path other = Files.createDirectories(tmp.resolve("m2-other"));
        for (int i = 0; i < 200; i++) {
            String rel = LIB + "/lib-" + i + ".jar";
            artifact(rel, "jar " + i, sha1("jar " + i));
            Path copy = other.resolve(rel);
            Files.createDirectories(copy.getParent());
            Files.writeString(copy, "jar " + i);
            Files.writeString(copy.resolveSibling(copy.getFileName() + ".sha1"), sha1("jar " + i));
        }
        MavenCache otherNode = new MavenCache(cacheRoot);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(() -> cache.promote(repo));
            var b = pool.submit(() -> otherNode.promote(other));
            int total = a.get() + b.get();
            assertTrue(total >= 200 && total <= 400, "every artifact promoted once or twice, never failed: " + total);
        } finally {
            pool.shutdownNow();
        }
        List<String> files = cacheFiles();
        assertEquals(400, files.size(), "200 jars with their checksums and no temporary file left: " + files.size());
        for (int i = 0; i < 200; i++) {
            assertEquals("jar " + i, Files.readString(cacheRoot.resolve(LIB + "/lib-" + i + ".jar")));
        }
    }
}
