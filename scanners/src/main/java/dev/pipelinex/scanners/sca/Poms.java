package dev.pipelinex.scanners.sca;

import java.io.IOException;
import java.io.InputStream;
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
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * The pom.xml files of a source tree, read just enough to know each project's coordinates and
 * the line of each declared dependency's {@code <artifactId>}. No DTD or entity is resolved.
 */
public final class Poms {

    private static final Set<String> SKIP = Set.of(".git", ".svn", ".hg", "node_modules", "target", ".mvn");

    /** A dependency declared in a pom: where in the file, and how sure (0 = project dependencies). */
    record Declared(String groupId, String artifactId, int line, int rank) {
    }

    /** A pom's coordinates (groupId may come from the parent) and its declared dependencies. */
    record Pom(String path, String groupId, String artifactId, List<Declared> dependencies) {
    }

    private final Path root;
    private final Map<String, Optional<Pom>> cache = new HashMap<>();
    private List<String> all;

    public Poms(Path root) {
        this.root = root;
    }

    /** The pom at a path relative to the root, when it exists and parses. */
    Optional<Pom> pom(String relative) {
        return cache.computeIfAbsent(relative, r -> {
            Path file = root.resolve(r);
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            try {
                return Optional.of(parse(r, file));
            } catch (IOException | XMLStreamException e) {
                return Optional.empty();
            }
        });
    }

    /** The relative path of the pom whose project is {@code groupId:artifactId}, searched over the source tree. */
    Optional<String> find(String groupId, String artifactId) throws IOException {
        for (String path : allPoms()) {
            Optional<Pom> pom = pom(path);
            if (pom.isPresent() && pom.get().artifactId().equals(artifactId)
                    && (pom.get().groupId() == null || pom.get().groupId().equals(groupId))) {
                return Optional.of(path);
            }
        }
        return Optional.empty();
    }

    /** The line of the {@code <artifactId>} of the declaration of {@code groupId:artifactId} in a pom, 0 when none. */
    int dependencyLine(String pomPath, String groupId, String artifactId) {
        return pom(pomPath).flatMap(p -> p.dependencies().stream()
                        .filter(d -> artifactId.equals(d.artifactId()))
                        .filter(d -> d.groupId() == null || d.groupId().equals(groupId) || d.groupId().contains("${"))
                        .min(Comparator.comparingInt((Declared d) -> groupId.equals(d.groupId()) ? 0 : 1)
                                .thenComparingInt(Declared::rank)
                                .thenComparingInt(Declared::line)))
                .map(Declared::line).orElse(0);
    }

    private List<String> allPoms() throws IOException {
        if (all == null) {
            List<String> found = new ArrayList<>();
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return !dir.equals(root) && SKIP.contains(dir.getFileName().toString())
                            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (file.getFileName().toString().equals("pom.xml")) {
                        found.add(relative(root, file));
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
            // Shallow poms first: a module's own pom before test fixtures deeper down.
            found.sort(Comparator.comparingInt((String p) -> p.split("/").length).thenComparing(Comparator.naturalOrder()));
            all = found;
        }
        return all;
    }

    static String relative(Path root, Path file) {
        return root.toAbsolutePath().normalize().relativize(file.toAbsolutePath().normalize()).toString()
                .replace(java.io.File.separatorChar, '/');
    }

    static Pom parse(String path, Path file) throws IOException, XMLStreamException {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        String groupId = null;
        String parentGroupId = null;
        String artifactId = null;
        List<Declared> dependencies = new ArrayList<>();
        List<String> stack = new ArrayList<>();
        String depGroup = null;
        String depArtifact = null;
        int depLine = 0;
        StringBuilder text = new StringBuilder();
        try (InputStream in = Files.newInputStream(file)) {
            XMLStreamReader xml = factory.createXMLStreamReader(in);
            try {
                while (xml.hasNext()) {
                    int event = xml.next();
                    if (event == XMLStreamReader.START_ELEMENT) {
                        stack.add(xml.getLocalName());
                        text.setLength(0);
                        if (isDependency(stack) >= 0) {
                            depGroup = null;
                            depArtifact = null;
                            depLine = 0;
                        } else if (xml.getLocalName().equals("artifactId") && isDependency(stack.subList(0, stack.size() - 1)) >= 0) {
                            depLine = xml.getLocation().getLineNumber();
                        }
                    } else if (event == XMLStreamReader.CHARACTERS || event == XMLStreamReader.CDATA) {
                        text.append(xml.getText());
                    } else if (event == XMLStreamReader.END_ELEMENT) {
                        int rank = isDependency(stack);
                        String name = stack.remove(stack.size() - 1);
                        String value = text.toString().trim();
                        String at = String.join("/", stack);
                        if (at.equals("project")) {
                            if (name.equals("groupId")) {
                                groupId = value;
                            } else if (name.equals("artifactId")) {
                                artifactId = value;
                            }
                        } else if (at.equals("project/parent") && name.equals("groupId")) {
                            parentGroupId = value;
                        }
                        if (isDependency(stack) >= 0) {
                            if (name.equals("groupId")) {
                                depGroup = value;
                            } else if (name.equals("artifactId")) {
                                depArtifact = value;
                            }
                        }
                        if (rank >= 0 && depArtifact != null) {
                            dependencies.add(new Declared(depGroup, depArtifact, depLine, rank));
                        }
                        text.setLength(0);
                    }
                }
            } finally {
                xml.close();
            }
        }
        return new Pom(path, groupId != null ? groupId : parentGroupId, artifactId, List.copyOf(dependencies));
    }

    /** -1 unless the stack ends at a dependency of the project (0), a profile (1) or dependency management (2). */
    private static int isDependency(List<String> stack) {
        String at = String.join("/", stack);
        if (at.equals("project/dependencies/dependency")) {
            return 0;
        }
        if (at.equals("project/profiles/profile/dependencies/dependency")) {
            return 1;
        }
        if (at.equals("project/dependencyManagement/dependencies/dependency")
                || at.equals("project/profiles/profile/dependencyManagement/dependencies/dependency")) {
            return 2;
        }
        return -1;
    }
}
