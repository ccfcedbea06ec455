package dev.pipelinex.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Plain Maven projects: a reactor of nested modules with a servlet WAR, on Java 21, and what
 * the installation says it serves.
 */
@ExtendWith(ArquillianExtension.class)
class MoreStacksIT {

    static final Api api = Api.local();
    static final Duration JOB_TIME = Duration.ofMinutes(10);
    static final String PLAIN_JAVA_21 = """
            {"stack": {"language": "java", "framework": "none", "build_tool": "maven"},
             "versions": {"java": "21", "build_tool": "3.9"}}""";

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("it.ear")));
    }

    /** The feature releases of the JDKs this machine has (the runner image copies the newer ones). */
    static List<Integer> hostJdks() throws IOException {
        List<Integer> releases = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path d : dirs.toList()) {
                Path release = d.resolve("release");
                if (!Files.isSymbolicLink(d) && Files.isRegularFile(release)) {
                    String v = Files.readString(release).replaceAll("(?s).*JAVA_VERSION=\"(\\d+).*", "$1");
                    if (v.matches("\\d+")) {
                        releases.add(Integer.parseInt(v));
                    }
                }
            }
        }
        return releases;
    }

    @Test
    void stacksListTheContractsAndTheJavaVersionsServed() throws Exception {
        Api.Reply reply = api.get("api/stacks");
        assertEquals(200, reply.status(), reply.body());
        JsonNode stacks = reply.json().path("stacks");
        List<String> ids = new ArrayList<>();
        stacks.forEach(s -> ids.add(s.path("id").asText()));
        assertEquals(List.of("spring-boot-maven", "maven"), ids);
        assertEquals("none", stacks.get(1).path("stack").path("framework").asText());
        assertTrue(stacks.get(0).path("contract").asText().contains("@SpringBootApplication"), stacks.toString());
        List<String> java = new ArrayList<>();
        stacks.get(0).path("versions").path("java").forEach(v -> java.add(v.asText()));
        assertTrue(java.contains("17"), "Java 17 is always served: " + java);
        if (hostJdks().stream().anyMatch(r -> r >= 25)) {
            assertEquals(List.of("17", "21", "25"), java, "a JDK 25 serves Java 21 and 25");
        }
        assertEquals("3.9", stacks.get(0).path("versions").path("build_tool").get(0).asText());
    }

    @Test
    void aJavaVersionNobodyServesIsRefusedWithTheServedList() {
        Api.Reply reply = api.upload(Projects.zip("inventory-reactor"), PLAIN_JAVA_21.replace("\"21\"", "\"19\""));
        assertEquals(422, reply.status(), reply.body());
        assertTrue(reply.json().path("detail").asText().contains("served Java versions: 17"), reply.body());
    }

    @Test
    void java21ReactorWithNestedModulesAndAWarRunsEveryStageOverEveryModule() throws Exception {
        Assumptions.assumeTrue(hostJdks().stream().anyMatch(r -> r >= 21), "this machine has no JDK 21 or newer");
        String id = PipelineIT.submitted(api.upload(Projects.zip("inventory-reactor"), PLAIN_JAVA_21));
        JsonNode job = api.awaitFinal(id, JOB_TIME);
        assertEquals("SUCCEEDED", job.path("state").path("state").asText(), "job: " + job);
        assertEquals("maven", job.path("metadata").path("stack_id").asText());
        assertEquals(List.of("PASSED", "PASSED", "PASSED", "PASSED", "PASSED", "PASSED"), PipelineIT.stageStatuses(job));

        JsonNode tests = PipelineIT.result(id, "test").path("summary").path("tests");
        assertEquals(6, tests.path("passed").asInt(), "2 + 3 (one @Nested) + 1 tests of three modules: " + tests);
        assertEquals(3, PipelineIT.result(id, "sast").path("summary").path("class_folders").asInt(),
                "SAST covers the classes of model, pricing and web");
        JsonNode sca = PipelineIT.result(id, "sca").path("summary");
        assertTrue(sca.path("modules").asInt() >= 3, "SCA reads every module's graph: " + sca);
        assertTrue(Files.isRegularFile(PipelineIT.workspace(id).resolve("work/web/target/web-1.0.0.war")),
                "the WAR module is packaged");
        String build = api.get("api/jobs/" + id + "/reports/build/log").body();
        assertTrue(build.contains("release 21"), "compiled with --release 21");
    }
}
