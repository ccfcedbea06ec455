package dev.pipelinex.scanners.sca;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The test fixtures under src/test/resources/sca. */
final class Fixtures {

    private Fixtures() {
    }

    static Path resource(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/sca/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The fixture reactor (a parent, core and service, captured from a real run of the tree goal)
     * copied to {@code dir}, each tree where the goal writes it: {@code <module>/target/pipelinex/dependency-tree.json}.
     */
    static Path project(Path dir) throws IOException {
        Path src = resource("project");
        for (String module : new String[] {"", "core/", "service/"}) {
            Files.createDirectories(dir.resolve(module + "target/pipelinex"));
            Files.copy(src.resolve(module + "pom.xml"), dir.resolve(module + "pom.xml"));
            Files.copy(src.resolve(module + "tree.json"), dir.resolve(module + TreeFiles.DEFAULT));
        }
        return dir;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
