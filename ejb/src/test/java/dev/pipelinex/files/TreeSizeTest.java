package dev.pipelinex.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeSizeTest {

    @TempDir
    Path tmp;

    @Test
    void countsEveryEntryInWholeBlocks() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("job/a/b"));
        Files.write(dir.resolve("one"), new byte[1]);
        Files.write(dir.resolve("two"), new byte[4097]);
        Files.write(tmp.resolve("job/empty"), new byte[0]);
        // three folders, one block each; files of 1, 4097 and 0 bytes: 1, 2 and 1 blocks
        assertEquals(7 * TreeSize.BLOCK, TreeSize.disk(tmp.resolve("job"), Long.MAX_VALUE));
        assertEquals(4098, TreeSize.bytes(tmp.resolve("job"), Long.MAX_VALUE), "or the files' own sizes");
        assertTrue(TreeSize.bytes(tmp.resolve("job"), 100) > 100, "that walk stops past its limit too");
    }

    @Test
    void aLinkCountsAsItselfAndIsNotFollowed() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.write(outside.resolve("big"), new byte[1 << 20]);
        Path job = Files.createDirectories(tmp.resolve("job"));
        Files.createSymbolicLink(job.resolve("to-folder"), outside);
        Files.createSymbolicLink(job.resolve("to-file"), outside.resolve("big"));
        long used = TreeSize.disk(job, Long.MAX_VALUE);
        assertTrue(used < 4 * TreeSize.BLOCK, "the links' targets are not counted: " + used);
    }

    @Test
    void stopsOnceItPassesTheLimit() throws Exception {
        Path job = Files.createDirectories(tmp.resolve("job"));
        for (int i = 0; i < 100; i++) {
            Files.write(job.resolve("f" + i), new byte[10_000]);
        }
        long all = TreeSize.disk(job, Long.MAX_VALUE);
        assertEquals(TreeSize.BLOCK + 100 * 3 * TreeSize.BLOCK, all);
        long cut = TreeSize.disk(job, 10 * TreeSize.BLOCK);
        assertTrue(cut > 10 * TreeSize.BLOCK && cut < all, "the walk ends just past the limit: " + cut);
    }

    @Test
    void aMissingFolderTakesNothing() {
        assertEquals(0, TreeSize.disk(tmp.resolve("gone"), Long.MAX_VALUE));
    }
}
