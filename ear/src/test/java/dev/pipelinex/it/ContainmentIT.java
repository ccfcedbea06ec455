package dev.pipelinex.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A hostile project's Maven, under the runner of this run: it reaches no service on the host's
 * loopback (a port this test listens on counts every connection), and what it writes into its
 * own Maven repository, checksums and all, never reaches another account's job.
 */
@ExtendWith(ArquillianExtension.class)
class ContainmentIT {

    static final Api api = Api.local();
    static final Duration JOB_TIME = Duration.ofMinutes(8);
    static final String BUILD_ONLY = """
            {"stack": {"language": "java", "framework": "none", "build_tool": "maven"},
             "pipeline": {"run_build": true, "run_unit_tests": false, "run_sast": false,
                          "run_sca": false, "run_secret_scan": false}}""";

    static ServerSocket bait;
    static final AtomicInteger connections = new AtomicInteger();

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("it.ear")));
    }

    /** The repository the test server allows besides Maven Central, up so that it answers what it lacks. */
    static TestRepository allowed;

    /** A service on the host's loopback, as WildFly's management port or a broker would be: it counts who connects. */
    @BeforeAll
    static void listen() throws IOException {
        allowed = new TestRepository();
        bait = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!bait.isClosed()) {
                try (Socket s = bait.accept()) {
                    connections.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        }, "bait");
        t.setDaemon(true);
        t.start();
    }

    @AfterAll
    static void close() throws IOException {
        bait.close();
        allowed.close();
    }

    static String pom(String artifact, String extra) {
        return """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.example.hostile</groupId>
                  <artifactId>%s</artifactId>
                  <version>1.0</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  %s
                </project>
                """.formatted(artifact, extra);
    }

    static Map<String, byte[]> project(String pom) {
        Map<String, byte[]> files = new TreeMap<>();
        files.put("pom.xml", pom.getBytes(StandardCharsets.UTF_8));
        files.put("src/main/java/com/example/hostile/App.java",
                "package com.example.hostile;\npublic class App {\n}\n".getBytes(StandardCharsets.UTF_8));
        return files;
    }

    String log(Api as, String job, String stage) {
        Api.Reply r = as.get("api/jobs/" + job + "/reports/" + stage + "/log");
        assertEquals(200, r.status(), r.body());
        return r.body();
    }

    static double refusals() {
        for (String line : api.get("metrics").body().split("\n")) {
            if (line.startsWith("pipelinex_repository_requests_total{outcome=\"refused\"} ")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no repository refusals in /metrics");
    }

    @Test
    void aRepositoryOnALoopbackPortNamedByThePomGetsNoConnection() throws Exception {
        int port = bait.getLocalPort();
        String repos = """
                <repositories><repository><id>bait</id><url>http://127.0.0.1:%1$d/repo</url></repository></repositories>
                <pluginRepositories><pluginRepository><id>bait-plugins</id><url>http://127.0.0.1:%1$d/plugins</url></pluginRepository></pluginRepositories>
                <dependencies><dependency><groupId>com.example.bait</groupId><artifactId>bait</artifactId><version>1.0</version></dependency></dependencies>
                """.formatted(port);
        double refusedBefore = refusals();
        int before = connections.get();
        Api.Reply created = api.upload(Projects.zip(project(pom("loopback", repos))), BUILD_ONLY);
        assertEquals(201, created.status(), created.body());
        String id = created.json().path("job_id").asText();
        JsonNode job = api.awaitFinal(id, JOB_TIME);

        assertEquals("FAILED", job.path("state").path("state").asText(), job.toString());
        String resolve = log(api, id, "resolve");
        assertTrue(resolve.contains("com.example.bait:bait:1.0 is not served by the allowed repositories"),
                "the refusal is clear in the stage's log: " + resolve);
        assertEquals(before, connections.get(), "no stage connected to the loopback port the POM named");
        assertTrue(refusals() > refusedBefore, "the proxy counts its refusals");
    }

    @Test
    void codeInMavensJvmReachesNothingAndWhatItPlantsInItsRepositoryReachesNoOtherJob() throws Exception {
        int port = bait.getLocalPort();
        Map<String, byte[]> files = project(pom("planter", ""));
        files.put(".mvn/agent.jar", agentJar());
        // The stage's working folder: the project itself under the local runner, /job in a container.
        String jar = "docker".equals(System.getProperty("it.runner")) ? "source/.mvn/agent.jar" : ".mvn/agent.jar";
        files.put(".mvn/jvm.config", ("-javaagent:" + jar + "=" + port + "\n").getBytes(StandardCharsets.UTF_8));
        int before = connections.get();
        Api.Reply created = api.upload(Projects.zip(files), BUILD_ONLY);
        assertEquals(201, created.status(), created.body());
        String first = created.json().path("job_id").asText();
        api.awaitFinal(first, JOB_TIME);
        String resolve = log(api, first, "resolve");
        assertTrue(resolve.contains("AGENT planted"), "the agent ran in the resolve stage's Maven and wrote its repository: " + resolve);
        assertFalse(resolve.contains("AGENT reached"), "nothing outside the stage answered: " + resolve);
        assertFalse(resolve.contains("AGENT wrote the shared cache"), "the shared cache is read-only to stages: " + resolve);
        assertEquals(before, connections.get(), "no connection to the host's loopback");

        // Another account's job that depends on the planted coordinate does not get it.
        Api other = api.as(Api.OTHER, Api.OTHER_PASSWORD);
        String dependsOnIt = """
                <dependencies><dependency><groupId>com.example.trojan</groupId><artifactId>lib</artifactId><version>1.0</version></dependency></dependencies>
                """;
        Api.Reply second = other.upload(Projects.zip(project(pom("victim", dependsOnIt))), BUILD_ONLY);
        assertEquals(201, second.status(), second.body());
        String victim = second.json().path("job_id").asText();
        JsonNode job = other.awaitFinal(victim, JOB_TIME);
        assertEquals("FAILED", job.path("state").path("state").asText(), job.toString());
        String victimLog = log(other, victim, "resolve");
        assertTrue(victimLog.contains("com.example.trojan:lib:1.0 is not served by the allowed repositories"), victimLog);
        Path cache = Path.of(System.getProperty("it.workspaces")).resolveSibling("it-maven-cache");
        assertFalse(Files.exists(cache.resolve("repository/com/example/trojan")), "nothing of the job's in the shared cache");
    }

    /**
     * A Java agent that Maven's JVM loads from the project's {@code .mvn/jvm.config}: it tries the
     * host's loopback port and a cloud's metadata address, plants a jar with a matching
     * {@code .sha1} in its Maven repository, and tries the shared cache too; it prints what worked.
     */
    static byte[] agentJar() throws IOException {
        String source = """
                import java.io.*;
                import java.net.*;
                import java.nio.file.*;
                import java.security.MessageDigest;
                public class Agent {
                    public static void premain(String args) {
                        int port = Integer.parseInt(args);
                        for (String host : new String[] {"127.0.0.1", "169.254.169.254", "172.17.0.1"}) {
                            int p = host.equals("127.0.0.1") ? port : 80;
                            try (Socket s = new Socket()) {
                                s.connect(new InetSocketAddress(host, p), 1500);
                                System.out.println("AGENT reached " + host + ":" + p);
                            } catch (Exception e) {
                                System.out.println("AGENT no route to " + host + ":" + p + " (" + e.getMessage() + ")");
                            }
                        }
                        plant(System.getenv("MAVEN_REPO_LOCAL"), "planted");
                        String tail = System.getenv("MAVEN_REPO_TAIL");
                        if (tail != null && !tail.isEmpty()) {
                            plant(tail.split(",")[0], "wrote the shared cache");
                        }
                    }
                    static void plant(String repo, String said) {
                        try {
                            Path dir = Paths.get(repo, "com/example/trojan/lib/1.0");
                            Files.createDirectories(dir);
                            byte[] jar = "trojan".getBytes();
                            byte[] pom = "<project><modelVersion>4.0.0</modelVersion><groupId>com.example.trojan</groupId><artifactId>lib</artifactId><version>1.0</version></project>".getBytes();
                            write(dir.resolve("lib-1.0.jar"), jar);
                            write(dir.resolve("lib-1.0.pom"), pom);
                            System.out.println("AGENT " + said + " in " + repo);
                        } catch (Exception e) {
                            System.out.println("AGENT could not write " + repo + " (" + e + ")");
                        }
                    }
                    static void write(Path f, byte[] b) throws Exception {
                        Files.write(f, b);
                        StringBuilder hex = new StringBuilder();
                        for (byte x : MessageDigest.getInstance("SHA-1").digest(b)) {
                            hex.append(String.format("%02x", x));
                        }
                        Files.write(Paths.get(f + ".sha1"), hex.toString().getBytes());
                    }
                }
                """;
        Path dir = Files.createTempDirectory("agent");
        Files.writeString(dir.resolve("Agent.java"), source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "--release", "17", "-d", dir.toString(), dir.resolve("Agent.java").toString());
        assertEquals(0, rc, "the agent compiles");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(new Attributes.Name("Premain-Class"), "Agent");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, mf)) {
            out.putNextEntry(new JarEntry("Agent.class"));
            out.write(Files.readAllBytes(dir.resolve("Agent.class")));
            out.closeEntry();
        }
        for (Path f : List.of(dir.resolve("Agent.class"), dir.resolve("Agent.java"), dir)) {
            Files.deleteIfExists(f);
        }
        return bytes.toByteArray();
    }
}
