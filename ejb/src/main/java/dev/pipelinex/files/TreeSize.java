package dev.pipelinex.files;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;

/**
 * How much a folder holds: {@link #disk} as {@code du} would count it (every entry in blocks of
 * {@value #BLOCK} bytes, a folder as one block: a job's quota), {@link #bytes} as the sum of its
 * files' sizes (an unpacked project's limit). Links are counted, never followed, so nobody can
 * make another folder count as theirs or hide files behind one. The walk stops as soon as it
 * passes the limit it is given, so a folder far over it costs no more to measure than one at
 * it; entries that vanish or cannot be read while it walks count as nothing.
 */
public final class TreeSize {

    public static final long BLOCK = 4096;

    private TreeSize() {
    }

    /** The disk {@code dir} takes, in blocks, or a figure above {@code stopAbove} as soon as the walk passes it. */
    public static long disk(Path dir, long stopAbove) {
        return walk(dir, stopAbove, true);
    }

    /** The sizes of the files under {@code dir}, or a figure above {@code stopAbove} as soon as the walk passes it. */
    public static long bytes(Path dir, long stopAbove) {
        return walk(dir, stopAbove, false);
    }

    private static long walk(Path dir, long stopAbove, boolean inBlocks) {
        long[] total = {0};
        try {
            Files.walkFileTree(dir, EnumSet.noneOf(java.nio.file.FileVisitOption.class), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                            total[0] += inBlocks ? BLOCK : 0;
                            return total[0] > stopAbove ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            total[0] += inBlocks ? blocks(attrs.size()) : attrs.size();
                            return total[0] > stopAbove ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult postVisitDirectory(Path d, IOException e) {
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            // the folder is gone or unreadable: what was counted stands
        }
        return total[0];
    }

    private static long blocks(long size) {
        return Math.max(1, (size + BLOCK - 1) / BLOCK) * BLOCK;
    }
}
