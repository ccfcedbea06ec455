package dev.pipelinex.files;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.files.NoFollow.Copy;
import dev.pipelinex.files.NoFollow.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pins that NoFollow never follows a link below its root and never opens a special file. */
class NoFollowTest {

    private static final Limits LOOSE = new Limits(1 << 20, 1 << 30, 1000);
    private static final Duration NO_HANG = Duration.ofSeconds(10);

    @TempDir
    Path tree;

    @TempDir
    Path dest;

    @TempDir
    Path outside;

    private static Path write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content, UTF_8);
    }

    private static Path write(Path file, int bytes) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, new byte[bytes]);
    }

    private static List<Path> everythingUnder(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(p -> !p.equals(dir)).map(dir::relativize).sorted().toList();
        }
    }

    private static void mkfifo(Path fifo) throws Exception {
        int exit;
        try {
            exit = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        } catch (IOException noMkfifo) {
            exit = -1;
        }
        Assumptions.assumeTrue(exit == 0, "mkfifo is needed to make a FIFO");
    }

    private static Path nest(Path root, int levels) throws IOException {
        Path deep = root;
        for (int i = 0; i < levels; i++) {
            deep = deep.resolve("d");
        }
        return Files.createDirectories(deep);
    }

    // copyTree

    @Test
    void aCopyOfNestedFoldersKeepsPathsAndContents() throws IOException {
        write(tree.resolve("top.txt"), "top");
        write(tree.resolve("a/b/c/deep.txt"), "deep");
        write(tree.resolve("a/mid.txt"), "mid");
        Files.createDirectories(tree.resolve("a/empty"));
        Path to = dest.resolve("made/by/copy");

        Copy copy = NoFollow.copyTree(tree, to, LOOSE, p -> true);

        assertEquals(new Copy(3, 10, List.of()), copy, "three files of 3 + 4 + 3 bytes copied, nothing refused");
        assertEquals("top", Files.readString(to.resolve("top.txt")), "top.txt keeps its content");
        assertEquals("deep", Files.readString(to.resolve("a/b/c/deep.txt")), "a/b/c/deep.txt keeps its content");
        assertEquals("mid", Files.readString(to.resolve("a/mid.txt")), "a/mid.txt keeps its content");
        assertTrue(Files.isDirectory(to.resolve("a/empty")), "an empty folder is copied too");
    }

    @Test
    void aLinkToAFileOutsideIsRefusedNotCopied() throws IOException {
        Path secret = write(outside.resolve("secret"), "server secret");
        write(tree.resolve("sub/ok.txt"), "ok");
        Files.createSymbolicLink(tree.resolve("sub/secret-link"), secret);

        Copy copy = NoFollow.copyTree(tree, dest, LOOSE, p -> true);

        assertEquals(List.of("sub/secret-link: a symbolic link, not copied"), copy.refused(),
                "the link is named as refused");
        assertFalse(Files.exists(dest.resolve("sub/secret-link"), LinkOption.NOFOLLOW_LINKS),
                "neither the link nor its target is copied");
        assertEquals(List.of(Path.of("sub"), Path.of("sub/ok.txt")), everythingUnder(dest),
                "only the regular file is copied");
    }

    @Test
    void aLinkToAFolderOutsideIsRefusedAndNothingFromItIsCopied() throws IOException {
        write(outside.resolve("keys/id_rsa"), "private key");
        write(tree.resolve("ok.txt"), "ok");
        Files.createSymbolicLink(tree.resolve("keys"), outside.resolve("keys"));

        Copy copy = NoFollow.copyTree(tree, dest, LOOSE, p -> true);

        assertEquals(List.of("keys: a symbolic link, not copied"), copy.refused(), "the folder link is refused");
        assertEquals(List.of(Path.of("ok.txt")), everythingUnder(dest), "nothing from behind the link is copied");
    }

    @Test
    void aFifoIsRefusedWithoutHanging() throws Exception {
        mkfifo(tree.resolve("pipe"));
        write(tree.resolve("ok.txt"), "ok");

        Copy copy = assertTimeoutPreemptively(NO_HANG, () -> NoFollow.copyTree(tree, dest, LOOSE, p -> true),
                "opening a FIFO would wait for a writer; it must not be opened at all");

        assertEquals(List.of("pipe: a FIFO or other special file, not copied"), copy.refused(), "the FIFO is refused");
        assertEquals(List.of(Path.of("ok.txt")), everythingUnder(dest), "only the regular file is copied");
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedNotTruncated() throws IOException {
        write(tree.resolve("big.bin"), 1001);
        write(tree.resolve("fits.bin"), 1000);

        Copy copy = NoFollow.copyTree(tree, dest, new Limits(1000, 1 << 20, 100), p -> true);

        assertEquals(List.of("big.bin: larger than 1000 bytes, not copied"), copy.refused(),
                "the file one byte over the limit is refused");
        assertFalse(Files.exists(dest.resolve("big.bin")), "no truncated copy of the large file is left");
        assertEquals(1000, Files.size(dest.resolve("fits.bin")), "a file exactly at the limit is copied whole");
        assertEquals(1, copy.files(), "one file copied");
    }

    @Test
    void filesPastTheCountLimitAreRefused() throws IOException {
        write(tree.resolve("one"), "1");
        write(tree.resolve("two"), "2");
        write(tree.resolve("three"), "3");

        Copy copy = NoFollow.copyTree(tree, dest, new Limits(100, 100, 2), p -> true);

        assertEquals(2, copy.files(), "two files copied under a limit of two");
        assertEquals(2, everythingUnder(dest).size(), "two files present in the copy");
        assertEquals(1, copy.refused().size(), "the third file is refused: " + copy.refused());
        assertTrue(copy.refused().get(0).endsWith(": over the limit of 2 files, not copied"),
                "refused for the file count, was " + copy.refused());
    }

    @Test
    void filesPastTheTotalByteLimitAreRefused() throws IOException {
        write(tree.resolve("a"), 10);
        write(tree.resolve("b"), 10);
        write(tree.resolve("c"), 10);

        Copy copy = NoFollow.copyTree(tree, dest, new Limits(100, 25, 100), p -> true);

        assertEquals(2, copy.files(), "two files of 10 bytes fit in 25 bytes");
        assertEquals(20, copy.bytes(), "20 bytes copied");
        assertEquals(2, everythingUnder(dest).size(), "two files present in the copy");
        assertEquals(1, copy.refused().size(), "the third file is refused: " + copy.refused());
        assertTrue(copy.refused().get(0).endsWith(": over the limit of 25 bytes in all, not copied"),
                "refused for the total size, was " + copy.refused());
    }

    @Test
    void theIncludePredicateSkipsAFolderAndEverythingUnderItSilently() throws IOException {
        write(tree.resolve("src/Main.java"), "class Main {}");
        write(tree.resolve("target/classes/Main.class"), "bytes");
        Files.createSymbolicLink(tree.resolve("target/link"), outside);

        Copy copy = NoFollow.copyTree(tree, dest, LOOSE, p -> !p.startsWith("target"));

        assertEquals(new Copy(1, 13, List.of()), copy, "only src/Main.java copied; the skipped folder is not reported");
        assertEquals(List.of(Path.of("src"), Path.of("src/Main.java")), everythingUnder(dest),
                "nothing from the skipped folder is copied");
    }

    @Test
    void copiesGetPlainModesKeepingOnlyTheOwnersExecuteBit() throws IOException {
        Path script = write(tree.resolve("bin/run.sh"), "#!/bin/sh");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(tree.resolve("bin"), PosixFilePermissions.fromString("rwx------"));

        Path data = write(tree.resolve("bin/data.txt"), "shared");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rw-rw-rw-"));
        Path other = write(tree.resolve("bin/others-only"), "x");
        Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rw-r-xr-x"));

        NoFollow.copyTree(tree, dest, LOOSE, p -> true);

        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(dest.resolve("bin/run.sh"))),
                "a file its owner could run stays runnable (mvnw, a project's scripts), writable by no one else");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dest.resolve("bin/data.txt"))),
                "any other copied file is 0644 whatever the source's mode");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dest.resolve("bin/others-only"))));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(dest.resolve("bin"))),
                "a copied folder is 0755 whatever the source's mode");
    }

    @Test
    void foldersNestedPastTheDepthLimitAreRefused() throws IOException {
        write(nest(tree, 70).resolve("deep.txt"), "deep");
        write(nest(tree, 10).resolve("shallow.txt"), "shallow");

        Copy copy = NoFollow.copyTree(tree, dest, LOOSE, p -> true);

        assertEquals(1, copy.files(), "only the shallow file is copied");
        assertTrue(Files.exists(nest(dest, 10).resolve("shallow.txt")), "the shallow file is in the copy");
        assertEquals(List.of("d/".repeat(64) + "d: more than 64 folders deep, not copied"), copy.refused(),
                "the 65th nested folder is refused");
    }

    @Test
    void aRootThatIsALinkIsRefused() throws IOException {
        write(outside.resolve("secret"), "server secret");
        Path link = Files.createSymbolicLink(tree.resolve("root"), outside);

        assertThrows(IOException.class, () -> NoFollow.copyTree(link, dest, LOOSE, p -> true),
                "a root that is a link must be refused, not followed");
        assertEquals(List.of(), everythingUnder(dest), "nothing copied from behind the root link");
    }

    @Test
    void aMissingRootCopiesNothing() throws IOException {
        Path to = dest.resolve("never");

        Copy copy = NoFollow.copyTree(tree.resolve("missing"), to, LOOSE, p -> true);

        assertEquals(new Copy(0, 0, List.of()), copy, "a missing root means nothing to do");
        assertFalse(Files.exists(to), "the destination is not made for nothing");
    }

    // deleteTree

    @Test
    void deleteTreeRemovesALinkToAFolderOutsideButNotTheFilesBehindIt() throws IOException {
        Path kept = write(outside.resolve("keep/important.txt"), "keep me");
        Path keptFile = write(outside.resolve("alone.txt"), "keep me too");
        Path doomed = tree.resolve("job");
        write(doomed.resolve("a/b/file.txt"), "bye");
        Files.createSymbolicLink(doomed.resolve("a/to-outside"), outside.resolve("keep"));
        Files.createSymbolicLink(doomed.resolve("to-file"), keptFile);

        NoFollow.deleteTree(doomed);

        assertFalse(Files.exists(doomed, LinkOption.NOFOLLOW_LINKS), "the tree is removed");
        assertEquals("keep me", Files.readString(kept), "the file behind the folder link is left intact");
        assertEquals("keep me too", Files.readString(keptFile), "the file behind the file link is left intact");
    }

    @Test
    void deleteTreeOfARootThatIsALinkRemovesOnlyTheLink() throws IOException {
        Path kept = write(outside.resolve("important.txt"), "keep me");
        Path link = Files.createSymbolicLink(tree.resolve("root"), outside);

        NoFollow.deleteTree(link);

        assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS), "the link itself is removed");
        assertEquals("keep me", Files.readString(kept), "the link's target folder keeps its files");
    }

    @Test
    void deleteTreeOfAMissingFolderDoesNothing() throws IOException {
        NoFollow.deleteTree(tree.resolve("missing"));
        NoFollow.deleteTree(tree.resolve("missing/below"));

        assertTrue(Files.isDirectory(tree), "nothing else is touched");
    }

    @Test
    void deleteTreeRemovesAFifoWithoutHanging() throws Exception {
        Path doomed = Files.createDirectories(tree.resolve("job"));
        mkfifo(doomed.resolve("pipe"));

        assertTimeoutPreemptively(NO_HANG, () -> NoFollow.deleteTree(doomed),
                "a FIFO must be unlinked, not opened");

        assertFalse(Files.exists(doomed, LinkOption.NOFOLLOW_LINKS), "the tree with the FIFO is removed");
    }

    @Test
    void deleteTreeRemovesATreeNestedPastTheDepthLimit() throws IOException {
        Path doomed = tree.resolve("job");
        write(nest(doomed, 200).resolve("deep.txt"), "deep");

        NoFollow.deleteTree(doomed);

        assertFalse(Files.exists(doomed, LinkOption.NOFOLLOW_LINKS), "a 200 folders deep tree is removed whole");
        assertEquals(List.of(), everythingUnder(tree), "nothing moved up for a later pass is left behind");
    }

    // readFile

    @Test
    void readFileOfANormalFileReturnsItsBytes() throws IOException {
        write(tree.resolve("report.xml"), "<ok/>");

        Optional<byte[]> bytes = NoFollow.readFile(tree, "report.xml", 100);

        assertTrue(bytes.isPresent(), "an existing file is read");
        assertArrayEquals("<ok/>".getBytes(UTF_8), bytes.get(), "the file's bytes are returned");
    }

    @Test
    void readFileOfALinkThrows() throws IOException {
        Path secret = write(outside.resolve("secret"), "server secret");
        Files.createSymbolicLink(tree.resolve("report.xml"), secret);

        IOException e = assertThrows(IOException.class, () -> NoFollow.readFile(tree, "report.xml", 100),
                "a link must not be followed");
        assertTrue(e.getMessage().contains("symbolic link"), "the message says it is a link, was: " + e.getMessage());
    }

    @Test
    void readFileInAFolderThatIsALinkThrows() throws IOException {
        write(outside.resolve("report.xml"), "elsewhere");
        Path link = Files.createSymbolicLink(tree.resolve("reports"), outside);

        assertThrows(IOException.class, () -> NoFollow.readFile(link, "report.xml", 100),
                "the folder link must not be followed either");
    }

    @Test
    void readFileOfAMissingFileIsEmpty() throws IOException {
        assertTrue(NoFollow.readFile(tree, "missing.xml", 100).isEmpty(), "a missing file reads as empty");
        assertTrue(NoFollow.readFile(tree.resolve("no-folder"), "missing.xml", 100).isEmpty(),
                "a file in a missing folder reads as empty");
    }

    @Test
    void readFileOfAFileOverTheLimitThrows() throws IOException {
        write(tree.resolve("big.xml"), 101);

        assertThrows(IOException.class, () -> NoFollow.readFile(tree, "big.xml", 100),
                "a file one byte over the limit must be refused");
    }

    @Test
    void readFileOfAFifoThrowsWithoutHanging() throws Exception {
        mkfifo(tree.resolve("pipe"));

        assertTimeoutPreemptively(NO_HANG,
                () -> assertThrows(IOException.class, () -> NoFollow.readFile(tree, "pipe", 100),
                        "a FIFO is not a regular file"),
                "a FIFO must not be opened");
    }

    @Test
    void readFileRejectsANameWithASeparator() {
        assertThrows(IllegalArgumentException.class, () -> NoFollow.readFile(tree, "sub/report.xml", 100),
                "only a single file name is accepted");
        assertThrows(IllegalArgumentException.class, () -> NoFollow.readFile(tree, "..", 100),
                "\"..\" is not a file name");
    }
}
