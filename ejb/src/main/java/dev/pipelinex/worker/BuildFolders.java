package dev.pipelinex.worker;

import dev.pipelinex.job.Workspaces;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The folders a Maven build writes in a project: {@code target/} beside each {@code pom.xml}
 * (outside {@code .git/}). A build stopped midway can leave half-written classes there, which the
 * compiler of a later build would take as up to date. A project that moves its build directory
 * elsewhere keeps what was left there.
 */
final class BuildFolders {

    private BuildFolders() {
    }

    /** Removes the build folders under {@code source}; returns how many there were. */
    static int remove(Path source) {
        List<Path> found = new ArrayList<>();
        try {
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                    if (dir.equals(source)) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (name.equals(".git")) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    if (name.equals("target") && Files.isRegularFile(dir.resolveSibling("pom.xml"))) {
                        found.add(dir);
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look for the build folders in " + source + ": " + e.getMessage(), e);
        }
        found.forEach(Workspaces::deleteTree);
        return found.size();
    }
}
