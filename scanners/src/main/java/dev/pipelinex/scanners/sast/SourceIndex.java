package dev.pipelinex.scanners.sast;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The project's source files by name, to turn a path relative to a source root (what SpotBugs
 * reports, {@code com/example/Foo.java}) into a path relative to the repository root
 * ({@code service/src/main/java/com/example/Foo.java}).
 */
public final class SourceIndex {

    private static final Set<String> SKIPPED_DIRS = Set.of(".git", "node_modules", ".mvn", ".idea");
    private static final Set<String> EXTENSIONS = Set.of(".java", ".kt", ".groovy", ".scala");

    private final Map<String, List<String>> byFileName = new HashMap<>();

    private SourceIndex() {
    }

    public static SourceIndex of(Path root) throws IOException {
        SourceIndex index = new SourceIndex();
        Path base = root.toAbsolutePath().normalize();
        Files.walkFileTree(base, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                return !dir.equals(base) && SKIPPED_DIRS.contains(name)
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String name = file.getFileName().toString();
                int dot = name.lastIndexOf('.');
                if (attrs.isRegularFile() && dot > 0 && EXTENSIONS.contains(name.substring(dot))) {
                    String rel = base.relativize(file).toString().replace('\\', '/');
                    index.byFileName.computeIfAbsent(name, k -> new ArrayList<>()).add(rel);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE;
            }
        });
        return index;
    }

    /**
     * The repository path of a source-root-relative path: among the files that end with it,
     * sources of the project before generated ones (under {@code target/}), then the shortest.
     */
    public Optional<String> find(String sourcePath) {
        if (sourcePath == null || sourcePath.isBlank()) {
            return Optional.empty();
        }
        String wanted = sourcePath.replace('\\', '/');
        String name = wanted.substring(wanted.lastIndexOf('/') + 1);
        return byFileName.getOrDefault(name, List.of()).stream()
                .filter(p -> p.equals(wanted) || p.endsWith("/" + wanted))
                .min(Comparator.comparing((String p) -> p.contains("/target/") || p.startsWith("target/"))
                        .thenComparing(p -> !p.contains("src/main/"))
                        .thenComparingInt(String::length)
                        .thenComparing(Comparator.naturalOrder()));
    }
}
