package dev.pipelinex.scanners.secrets;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scans the files of a project tree. Never follows a symbolic link; leaves out the folders
 * {@link #SKIPPED_DIRS} and skips (and counts) symbolic links, files over
 * {@link #MAX_FILE_BYTES}, binary files (a NUL byte in the first {@link #BINARY_PROBE} bytes),
 * unreadable files and the paths of the global allowlist. Files are scanned in parallel.
 */
public final class TreeScanner {

    public static final long MAX_FILE_BYTES = 2L * 1024 * 1024;
    public static final int BINARY_PROBE = 8192;
    public static final Set<String> SKIPPED_DIRS = Set.of(".git", "target", "node_modules", "build");

    /** What a scan found and how many files it read and skipped. */
    public record Result(List<Occurrence> occurrences, int filesScanned, int filesSkipped, long bytesScanned) {
    }

    private TreeScanner() {
    }

    public static int defaultThreads() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    public static Result scan(Path source, SecretMatcher matcher, int threads) throws IOException {
        Path root = source.toRealPath();
        List<Path> files = new ArrayList<>();
        AtomicInteger skipped = new AtomicInteger();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(root) && SKIPPED_DIRS.contains(dir.getFileName().toString())) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (!attrs.isRegularFile() || attrs.size() > MAX_FILE_BYTES || matcher.skipsPath(relative(root, file))) {
                    skipped.incrementAndGet();
                } else {
                    files.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                skipped.incrementAndGet();
                return FileVisitResult.CONTINUE;
            }
        });
        List<Occurrence> found = new ArrayList<>();
        AtomicInteger scanned = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        List<List<Occurrence>> perFile;
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));
        try {
            perFile = pool.submit(() -> files.parallelStream().map(f -> {
                byte[] data;
                try {
                    data = Files.readAllBytes(f);
                } catch (IOException e) {
                    skipped.incrementAndGet();
                    return List.<Occurrence>of();
                }
                if (data.length > MAX_FILE_BYTES || isBinary(data)) {
                    skipped.incrementAndGet();
                    return List.<Occurrence>of();
                }
                String path = relative(root, f);
                List<SecretMatcher.Hit> hits;
                try {
                    hits = matcher.scan(path, data, 0, data.length, 1);
                } catch (StackOverflowError e) {
                    // a pathological line the regex engine cannot follow: the file counts as skipped
                    skipped.incrementAndGet();
                    return List.<Occurrence>of();
                }
                scanned.incrementAndGet();
                bytes.addAndGet(data.length);
                return hits.stream().map(h -> new Occurrence(path, h, null)).toList();
            }).toList()).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("the scan was interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the scan failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        perFile.forEach(found::addAll);
        found.sort(Comparator.comparing(Occurrence::path).thenComparingInt(o -> o.hit().line())
                .thenComparingInt(o -> o.hit().column()));
        return new Result(found, scanned.get(), skipped.get(), bytes.get());
    }

    static String relative(Path root, Path file) {
        String rel = root.relativize(file).toString();
        return file.getFileSystem().getSeparator().equals("/") ? rel : rel.replace(file.getFileSystem().getSeparator(), "/");
    }

    /** A NUL byte in the first {@link #BINARY_PROBE} bytes. */
    static boolean isBinary(byte[] data) {
        int n = Math.min(data.length, BINARY_PROBE);
        for (int i = 0; i < n; i++) {
            if (data[i] == 0) {
                return true;
            }
        }
        return false;
    }

    /** True when a directory of the path (not its file name) is one of {@link #SKIPPED_DIRS}. */
    static boolean inSkippedDir(String path) {
        String[] parts = path.split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            if (SKIPPED_DIRS.contains(parts[i])) {
                return true;
            }
        }
        return false;
    }
}
