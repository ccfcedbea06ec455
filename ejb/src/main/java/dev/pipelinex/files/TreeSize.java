package dev.pipelinex.worker;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;

/**
 * How much disk a job's folder takes, as {@code du} would count it: every entry in blocks of
 * {@value #BLOCK} bytes, a folder as one block. Links are counted, never followed, so a job
 * cannot make another folder count as its own or hide its files behind one. The walk stops as
 * soon as it passes the limit it is given, so that a job far over its quota costs no more to
 * measure than one at it; entries that vanish or cannot be read while it walks count as nothing.
 */
final class DiskUse {

    static final long BLOCK = 4096;

    private DiskUse() {
    }

    /** The bytes under {@code dir}, or a figure above {@code stopAbove} as soon as the walk passes it. */
    static long of(Path dir, long stopAbove) {
        long[] total = {0};
        try {
            Files.walkFileTree(dir, EnumSet.noneOf(java.nio.file.FileVisitOption.class), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                            total[0] += BLOCK;
                            return total[0] > stopAbove ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            total[0] += blocks(attrs.size());
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
