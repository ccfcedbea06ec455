package dev.pipelinex.scanners.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the helper as the resolve stage does:
 * {@code pipelinex-scanners plugin-dependencies EFFECTIVE_POM OUT_DIR REPOSITORY...}.
 */
class PluginDependenciesTest {


    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private Run run(Path effective, Path out, Path... repositories) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "dev.pipelinex.scanners.Main", "plugin-dependencies", effective.toString(), out.toString()));
        for (Path r : repositories) {
            command.add(r.toString());
        }
        Path stdout = dir.resolve("stdout");
        Path stderr = dir.resolve("stderr");
        Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "PluginDependencies should finish within 2 minutes");
        return new Run(p.exitValue(), Files.readString(stdout).trim(), Files.readString(stderr));
    }

    /** The effective POM of a two-module reactor, as maven-help-plugin writes it. */
    private static final String REACTOR = """
            <?xml version="1.0" encoding="UTF-8"?>
            <projects>
              <project xmlns="http://maven.apache.org/POM/4.0.0">
                <groupId>demo</groupId><artifactId>parent</artifactId><version>1</version>
                <pluginRepositories>
                  <pluginRepository><id>extra</id><url>https://plugins.example.test/maven</url></pluginRepository>
                </pluginRepositories>
                <build><plugins>
                  <plugin>
                    <groupId>org.apache.maven.plugins</groupId><artifactId>maven-checkstyle-plugin</artifactId>
                    <version>3.6.0</version>
                    <dependencies>
                      <dependency>
                        <groupId>com.puppycrawl.tools</groupId><artifactId>checkstyle</artifactId><version>12.3.1</version>
                        <exclusions><exclusion><groupId>commons-logging</groupId><artifactId>*</artifactId></exclusion></exclusions>
                      </dependency>
                      <dependency><groupId>demo</groupId><artifactId>rules</artifactId><version>1</version></dependency>
                      <dependency><groupId>tools</groupId><artifactId>tools</artifactId><version>1</version>
                        <scope>system</scope><systemPath>/opt/tools.jar</systemPath></dependency>
                    </dependencies>
                  </plugin>
                  <plugin>
                    <groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId>
                    <version>3.14.1</version>
                  </plugin>
                </plugins></build>
              </project>
              <project xmlns="http://maven.apache.org/POM/4.0.0">
                <parent><groupId>demo</groupId><artifactId>parent</artifactId><version>1</version></parent>
                <artifactId>rules</artifactId><version>1</version>
                <build><plugins>
                  <plugin>
                    <groupId>org.apache.maven.plugins</groupId><artifactId>maven-checkstyle-plugin</artifactId>
                    <version>3.6.0</version>
                    <dependencies>
                      <dependency>
                        <groupId>com.puppycrawl.tools</groupId><artifactId>checkstyle</artifactId><version>12.3.1</version>
                        <exclusions><exclusion><groupId>commons-logging</groupId><artifactId>*</artifactId></exclusion></exclusions>
                      </dependency>
                      <dependency><groupId>demo</groupId><artifactId>rules</artifactId><version>1</version></dependency>
                    </dependencies>
                  </plugin>
                  <plugin>
                    <groupId>org.apache.maven.plugins</groupId><artifactId>maven-enforcer-plugin</artifactId>
                    <version>3.6.2</version>
                    <dependencies>
                      <dependency><groupId>org.codehaus.mojo</groupId><artifactId>extra-enforcer-rules</artifactId>
                        <version>1.12.0</version></dependency>
                    </dependencies>
                  </plugin>
                </plugins></build>
              </project>
            </projects>
            """;

    @Test
    void writesOneProjectPerPluginWhoseAddedDependenciesAreMissing() throws Exception {
        Path effective = Files.writeString(dir.resolve("effective-pom.xml"), REACTOR);
        Path repo = Files.createDirectories(dir.resolve("repo"));
        Path out = dir.resolve("out");

        Run run = run(effective, out, repo);

        assertEquals(0, run.exit(), run.err());
        // checkstyle (the same in both modules: once) and the enforcer's rules; the compiler adds nothing.
        assertEquals("2", run.out());
        String aggregator = Files.readString(out.resolve("pom.xml"));
        assertTrue(aggregator.contains("<module>p1</module>") && aggregator.contains("<module>p2</module>"), aggregator);
        assertTrue(aggregator.contains("<packaging>pom</packaging>"), aggregator);

        String checkstyle = Files.readString(out.resolve("p1/pom.xml"));
        assertTrue(checkstyle.contains("<artifactId>maven-checkstyle-plugin</artifactId>"), checkstyle);
        assertTrue(checkstyle.contains("<type>maven-plugin</type>"), checkstyle);
        assertTrue(checkstyle.contains("<version>12.3.1</version>"), checkstyle);
        assertTrue(checkstyle.contains("<scope>runtime</scope>"), checkstyle);
        assertTrue(checkstyle.contains("<groupId>commons-logging</groupId>"), "exclusions are kept: " + checkstyle);
        assertTrue(checkstyle.contains("<url>https://plugins.example.test/maven</url>"),
                "the project's plugin repositories are its repositories: " + checkstyle);
        assertFalse(checkstyle.contains("<artifactId>rules</artifactId>"), "a reactor module is built, not fetched: " + checkstyle);
        assertFalse(checkstyle.contains("<artifactId>tools</artifactId>"), "a system dependency is not fetched: " + checkstyle);

        String enforcer = Files.readString(out.resolve("p2/pom.xml"));
        assertTrue(enforcer.contains("<artifactId>extra-enforcer-rules</artifactId>"), enforcer);
    }

    @Test
    void writesNothingWhenEveryAddedDependencyIsInARepository() throws Exception {
        Path effective = Files.writeString(dir.resolve("effective-pom.xml"), REACTOR);
        Path own = Files.createDirectories(dir.resolve("own"));
        Path tail = dir.resolve("tail");
        // One in the job's repository, the other in the shared one behind it.
        Files.createDirectories(own.resolve("com/puppycrawl/tools/checkstyle/12.3.1"));
        Files.writeString(own.resolve("com/puppycrawl/tools/checkstyle/12.3.1/checkstyle-12.3.1.jar"), "jar");
        Files.createDirectories(tail.resolve("org/codehaus/mojo/extra-enforcer-rules/1.12.0"));
        Files.writeString(tail.resolve("org/codehaus/mojo/extra-enforcer-rules/1.12.0/extra-enforcer-rules-1.12.0.jar"), "jar");

        Run both = run(effective, dir.resolve("out"), own, tail);
        assertEquals(0, both.exit(), both.err());
        assertEquals("0", both.out());

        Run ownOnly = run(effective, dir.resolve("out2"), own);
        assertEquals("1", ownOnly.out(), "without the tail the enforcer's rules are missing");
        assertTrue(Files.readString(dir.resolve("out2/p1/pom.xml")).contains("extra-enforcer-rules"));
    }

    @Test
    void readsASingleProjectAndRefusesADoctype() throws Exception {
        Path single = Files.writeString(dir.resolve("single.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <groupId>demo</groupId><artifactId>app</artifactId><version>1</version>
                  <build><plugins><plugin>
                    <artifactId>maven-enforcer-plugin</artifactId><version>3.6.2</version>
                    <dependencies><dependency><groupId>org.codehaus.mojo</groupId>
                      <artifactId>extra-enforcer-rules</artifactId><version>1.12.0</version></dependency></dependencies>
                  </plugin></plugins></build>
                </project>
                """);
        Run run = run(single, dir.resolve("out"), dir.resolve("empty"));
        assertEquals("1", run.out(), run.err());
        assertTrue(Files.readString(dir.resolve("out/p1/pom.xml")).contains("<groupId>org.apache.maven.plugins</groupId>"),
                "a plugin without a groupId is one of Maven's own");

        Path hostile = Files.writeString(dir.resolve("hostile.xml"),
                "<!DOCTYPE project [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><project>&x;</project>");
        assertNotEquals(0, run(hostile, dir.resolve("out3")).exit());
    }
}
