package dev.pipelinex.scanners.sca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.scanners.report.Reports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DependencyTreeTest {

    @Test
    void readsTheTreeTheDependencyPluginWrites() throws Exception {
        List<DependencyNode> trees = DependencyNode.read(Fixtures.resource("project/service/tree.json"), Reports.json());
        assertEquals(1, trees.size());
        DependencyNode root = trees.get(0);
        assertEquals("com.example:demo-service:1.0-SNAPSHOT", root.gav());
        assertEquals("war", root.type());
        assertEquals("", root.scope());
        Map<String, DependencyNode> direct = root.children().stream()
                .collect(Collectors.toMap(DependencyNode::pkg, Function.identity()));
        assertEquals("compile", direct.get("com.example:demo-core").scope());
        assertEquals("provided", direct.get("jakarta.platform:jakarta.jakartaee-api").scope());
        DependencyNode databind = direct.get("com.fasterxml.jackson.core:jackson-databind");
        assertTrue(databind.optional(), "\"optional\": \"true\" is a string in the plugin's output");
        assertFalse(direct.get("com.example:demo-core").optional());
        DependencyNode core = direct.get("com.example:demo-core");
        DependencyNode configuration = core.children().stream().filter(n -> n.artifactId().equals("commons-configuration2"))
                .findFirst().orElseThrow();
        assertTrue(configuration.children().stream().anyMatch(n -> n.gav().equals("org.apache.commons:commons-text:1.8")));
    }

    @Test
    void readsTreesAppendedToOneFile() throws Exception {
        List<DependencyNode> trees = DependencyNode.read(Fixtures.resource("project/all-trees.json"), Reports.json());
        assertEquals(List.of("com.example:demo-parent", "com.example:demo-core", "com.example:demo-service"),
                trees.stream().map(DependencyNode::pkg).toList());
    }

    @Test
    void aBrokenTreeFileIsAnError(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("t.json");
        Files.writeString(file, "{\"groupId\": \"g\", \"artifactId\": ");
        assertThrows(IOException.class, () -> DependencyNode.read(file, Reports.json()));
        Files.writeString(file, "{\"groupId\": \"g\"}");
        assertThrows(IOException.class, () -> DependencyNode.read(file, Reports.json()));
    }

    @Test
    void eachModuleTreeIsFoundUnderItsOwnBasedirAndKnowsItsPom(@TempDir Path dir) throws Exception {
        Path src = Fixtures.project(dir);
        // A build folder's classes are not searched; another file elsewhere is not a tree.
        Files.createDirectories(src.resolve("core/target/classes/target/pipelinex"));
        Files.writeString(src.resolve("core/target/classes/target/pipelinex/dependency-tree.json"), "not json");
        List<Path> files = TreeFiles.find(src, List.of());
        assertEquals(3, files.size());
        Poms poms = new Poms(src);
        List<Module> modules = TreeFiles.modules(src, files, poms, Reports.json());
        Map<String, String> pomOf = modules.stream().collect(Collectors.toMap(Module::id, Module::pomPath));
        assertEquals(Map.of("com.example:demo-parent", "pom.xml", "com.example:demo-core", "core/pom.xml",
                "com.example:demo-service", "service/pom.xml"), pomOf);
    }

    @Test
    void treesAppendedToOneFileAreMatchedToTheirPomsByCoordinates(@TempDir Path dir) throws Exception {
        Path src = Fixtures.project(dir);
        Files.copy(Fixtures.resource("project/all-trees.json"), src.resolve("trees.json"));
        List<Path> files = TreeFiles.find(src, List.of("trees.json"));
        List<Module> modules = TreeFiles.modules(src, files, new Poms(src), Reports.json());
        assertEquals(List.of("pom.xml", "core/pom.xml", "service/pom.xml"), modules.stream().map(Module::pomPath).toList());
        assertEquals(3, TreeFiles.find(src, List.of("**/target/pipelinex/*.json", "target/pipelinex/*.json")).size());
        assertThrows(IOException.class, () -> TreeFiles.find(src, List.of("missing.json")));
    }

    @Test
    void dependencyLinesPointAtTheArtifactIdOfTheDeclaration(@TempDir Path dir) throws Exception {
        Path src = Fixtures.project(dir);
        Files.writeString(src.resolve("core/pom.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <parent>
                    <groupId>com.example</groupId>
                    <artifactId>demo-parent</artifactId>
                    <version>1.0-SNAPSHOT</version>
                  </parent>
                  <artifactId>demo-core</artifactId>
                  <dependencyManagement>
                    <dependencies>
                      <dependency>
                        <groupId>org.apache.logging.log4j</groupId>
                        <artifactId>log4j-core</artifactId>
                        <version>2.14.1</version>
                      </dependency>
                    </dependencies>
                  </dependencyManagement>
                  <dependencies>
                    <dependency>
                      <groupId>org.apache.commons</groupId>
                      <artifactId>commons-configuration2</artifactId>
                      <exclusions>
                        <exclusion>
                          <groupId>org.apache.logging.log4j</groupId>
                          <artifactId>log4j-core</artifactId>
                        </exclusion>
                      </exclusions>
                    </dependency>
                    <dependency>
                      <groupId>${project.groupId}.logging</groupId>
                      <artifactId>log4j-core</artifactId>
                    </dependency>
                    <dependency>
                      <groupId>org.apache.logging.log4j</groupId>
                      <artifactId>log4j-core</artifactId>
                    </dependency>
                  </dependencies>
                </project>
                """);
        Poms poms = new Poms(src);
        assertEquals(22, poms.dependencyLine("core/pom.xml", "org.apache.commons", "commons-configuration2"));
        assertEquals(36, poms.dependencyLine("core/pom.xml", "org.apache.logging.log4j", "log4j-core"),
                "the project's own declaration, not the managed one, an exclusion or another group");
        assertEquals(0, poms.dependencyLine("core/pom.xml", "junit", "junit"));
        assertEquals(0, poms.dependencyLine("nothing/pom.xml", "junit", "junit"));
        assertEquals("com.example", poms.pom("core/pom.xml").orElseThrow().groupId(), "inherited from the parent");
    }
}
