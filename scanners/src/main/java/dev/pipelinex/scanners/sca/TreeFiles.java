package dev.pipelinex.scanners.sca;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the dependency tree files of a source tree and tells which module each tree is. By
 * default every module's {@code target/pipelinex/dependency-tree.json}: with a relative
 * {@code -DoutputFile} the tree goal writes each reactor module's tree under its own basedir.
 */
public final class TreeFiles {

    public static final String DEFAULT = "target/pipelinex/dependency-tree.json";

    private static final Set<String> SKIP = Set.of(".git", ".svn", ".hg", "node_modules");

    private TreeFiles() {
    }

    /** The tree files: {@code patterns} are files or globs relative to the source; none means the default. */
    public static List<Path> find(Path source, List<String> patterns) throws IOException {
        Set<Path> found = new LinkedHashSet<>();
        if (patterns.isEmpty()) {
            walk(source, null, found);
        }
        for (String pattern : patterns) {
            Path p = source.resolve(pattern);
            if (Files.isRegularFile(p)) {
                found.add(p.toAbsolutePath().normalize());
            } else if (pattern.chars().anyMatch(c -> "*?[{".indexOf(c) >= 0)) {
                walk(source, FileSystems.getDefault().getPathMatcher("glob:" + pattern), found);
            } else {
                throw new IOException("the dependency tree file " + p + " does not exist");
            }
        }
        return new ArrayList<>(found);
    }

    private static void walk(Path source, PathMatcher glob, Set<Path> found) throws IOException {
        Path root = source.toAbsolutePath().normalize();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                String name = String.valueOf(dir.getFileName());
                if (!dir.equals(root) && SKIP.contains(name)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (glob == null && name.equals("target")) {
                    // Only the tree inside a build folder: no need to walk the classes.
                    Path tree = dir.getParent().resolve(DEFAULT);
                    if (Files.isRegularFile(tree)) {
                        found.add(tree);
                    }
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (glob != null && attrs.isRegularFile() && (glob.matches(root.relativize(file)) || glob.matches(file))) {
                    found.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * The modules of the tree files. A tree's pom is the one of the project whose build folder
     * holds the file, when that is the same project; otherwise the pom under the source whose
     * project has the root's groupId:artifactId; else the top pom.xml.
     */
    public static List<Module> modules(Path source, List<Path> files, Poms poms, ObjectMapper json) throws IOException {
        Map<String, Module> modules = new LinkedHashMap<>();
        for (Path file : files) {
            for (DependencyNode root : DependencyNode.read(file, json)) {
                String pom = pomOf(source, file, root, poms);
                modules.putIfAbsent(pom + "|" + root.pkg(), new Module(pom, root));
            }
        }
        return new ArrayList<>(modules.values());
    }

    private static String pomOf(Path source, Path file, DependencyNode root, Poms poms) throws IOException {
        Path src = source.toAbsolutePath().normalize();
        for (Path dir = file.toAbsolutePath().normalize().getParent(); dir != null && dir.startsWith(src);
             dir = dir.getParent()) {
            if (String.valueOf(dir.getFileName()).equals("target") && dir.getParent() != null) {
                String candidate = Poms.relative(src, dir.getParent().resolve("pom.xml"));
                Optional<Poms.Pom> pom = poms.pom(candidate);
                if (pom.isPresent() && root.artifactId().equals(pom.get().artifactId())) {
                    return candidate;
                }
                break;
            }
        }
        return poms.find(root.groupId(), root.artifactId()).orElse("pom.xml");
    }
}
