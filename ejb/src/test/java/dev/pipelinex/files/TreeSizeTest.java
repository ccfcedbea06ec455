package dev.pipelinex.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskUseTest {

    @TempDir
    Path tmp;

    @Test
    void countsEveryEntryInWholeBlocks() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("job/a/b"));
        Files.write(dir.resolve("one"), new byte[1]);
        Files.write(dir.resolve("two"), new byte[4097]);
        Files.write(tmp.resolve("job/empty"), new byte[0]);
        // three folders, one block each; files of 1, 4097 and 0 bytes: 1, 2 and 1 blocks
        assertEquals(7 * DiskUse.BLOCK, DiskUse.of(tmp.resolve("job"), Long.MAX_VALUE));
    }

    @Test
    void aLinkCountsAsItselfAndIsNotFollowed() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.write(outside.resolve("big"), new byte[1 << 20]);
        Path job = Files.createDirectories(tmp.resolve("job"));
        Files.createSymbolicLink(job.resolve("to-folder"), outside);
        Files.createSymbolicLink(job.resolve("to-file"), outside.resolve("big"));
        long used = DiskUse.of(job, Long.MAX_VALUE);
        assertTrue(used < 4 * DiskUse.BLOCK, "the links' targets are not counted: " + used);
    }

    @Test
    void stopsOnceItPassesTheLimit() throws Exception {
        Path job = Files.createDirectories(tmp.resolve("job"));
        for (int i = 0; i < 100; i++) {
            Files.write(job.resolve("f" + i), new byte[10_000]);
        }
        long all = DiskUse.of(job, Long.MAX_VALUE);
        assertEquals(DiskUse.BLOCK + 100 * 3 * DiskUse.BLOCK, all);
        long cut = DiskUse.of(job, 10 * DiskUse.BLOCK);
        assertTrue(cut > 10 * DiskUse.BLOCK && cut < all, "the walk ends just past the limit: " + cut);
    }

    @Test
    void aMissingFolderTakesNothing() {
        assertEquals(0, DiskUse.of(tmp.resolve("gone"), Long.MAX_VALUE));
    }
}
