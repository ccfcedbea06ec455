package dev.pipelinex.admission;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code maven} contract, for plain Maven Java projects (libraries, servlet WARs, reactors
 * of modules): a {@code pom.xml} at the root and at least one {@code .java} file under a
 * {@code src/main/java} folder, at the root or in a module. Missing tests are a warning.
 */
public final class MavenContract implements StackContract {

    public static final String ID = "maven";

    private static final Set<String> SKIPPED = Set.of(".git", "target", "node_modules", ".mvn");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String framework() {
        return "none";
    }

    @Override
    public String describe() {
        return "a pom.xml at the root and Java sources under src/main/java, at the root or in modules";
    }

    @Override
    public Verdict check(Path source) {
        List<String> reasons = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (!Files.isRegularFile(source.resolve("pom.xml"))) {
            reasons.add("no pom.xml at the root of the project");
        }
        int[] mainSources = {0};
        int[] testSources = {0};
        try {
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return !dir.equals(source) && SKIPPED.contains(dir.getFileName().toString())
                            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    String path = source.relativize(file).toString().replace('\\', '/');
                    if (attrs.isRegularFile() && path.endsWith(".java")) {
                        if (path.startsWith("src/main/java/") || path.contains("/src/main/java/")) {
                            mainSources[0]++;
                        } else if (path.startsWith("src/test/java/") || path.contains("/src/test/java/")) {
                            testSources[0]++;
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (mainSources[0] == 0) {
            reasons.add("no .java file under a src/main/java folder (at the root or in a module)");
        }
        if (testSources[0] == 0) {
            warnings.add("no tests under src/test/java: the test stage will report 0 tests");
        }
        return new Verdict(reasons, warnings);
    }
}
