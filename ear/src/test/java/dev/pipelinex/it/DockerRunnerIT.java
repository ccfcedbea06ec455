package dev.pipelinex.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.pipelinex.runner.DockerRunner;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jobs in real runner containers (the server runs with pipelinex.runner=docker and a 60 s
 * stage deadline, 120 s for tests run in the build's Maven): the project's own tests probe their
 * sandbox from inside.
 */
@ExtendWith(ArquillianExtension.class)
class DockerRunnerIT {

    static final Api api = Api.local();
    static final Duration JOB_TIME = Duration.ofMinutes(10);
    static final String TESTS = "src/test/java/com/example/greeting/";

    /** Tests that pass only inside a hardened container: run as 10001, no network, read-only root. */
    static final String PROBE = """
            package com.example.greeting;
            import static org.junit.jupiter.api.Assertions.*;
            import java.io.IOException;
            import java.net.InetSocketAddress;
            import java.net.Socket;
            import java.nio.file.*;
            import org.junit.jupiter.api.Test;
            class SandboxProbeTest {
                @Test void runsAsUid10001() throws IOException {
                    String status = Files.readString(Path.of("/proc/self/status"));
                    assertTrue(status.lines().anyMatch(l -> l.matches("Uid:\\\\s+10001\\\\s.*")), status);
                }
                @Test void cannotOpenANetworkConnection() {
                    assertThrows(IOException.class, () -> {
                        try (Socket s = new Socket()) {
                            s.connect(new InetSocketAddress("127.0.0.1", %d), 2000);
                        }
                    }, "the PipelineX server on the host must not be reachable");
                }
                @Test void rootFilesystemIsReadOnly() {
                    assertThrows(IOException.class, () -> Files.writeString(Path.of("/opt/planted"), "x"));
                }
            }
            """.formatted(8080 + Integer.getInteger("it.port.offset", 0));

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("it.ear")));
    }

    @Test
    void projectTestsRunAsUid10001WithoutNetworkAndTheSecondRunDownloadsNothing() throws Exception {
        byte[] zip = Projects.zip("greeting-service", "", Map.of(TESTS + "SandboxProbeTest.java", PROBE), Set.of());
        JsonNode first = api.awaitFinal(PipelineIT.submitted(api.upload(zip, PipelineIT.METADATA)), JOB_TIME);
        assertEquals("SUCCEEDED", first.path("state").path("state").asText(), "job: " + first);
        assertEquals("docker", first.path("state").path("runner").asText());
        String firstId = first.path("job_id").asText();
        JsonNode tests = PipelineIT.result(firstId, "test").path("summary").path("tests");
        assertEquals(7, tests.path("passed").asInt(), "the sandbox probes pass inside the container: " + tests);
        assertEquals(0, tests.path("failed").asInt(), "tests: " + tests);

        JsonNode second = api.awaitFinal(PipelineIT.submitted(api.upload(zip, PipelineIT.METADATA)), JOB_TIME);
        assertEquals("SUCCEEDED", second.path("state").path("state").asText(), "job: " + second);
        JsonNode resolve = PipelineIT.result(second.path("job_id").asText(), "resolve");
        assertEquals(0, resolve.path("summary").path("artifacts").path("downloaded").asInt(),
                "the second job of a project finds everything in the shared cache: " + resolve);
        assertTrue(resolve.path("summary").path("artifacts").path("reused").asBoolean(),
                "with the same POMs, the second job reuses the first resolution instead of running Maven: " + resolve);
        assertEquals(List.of(), containers(), "no runner container is left after the jobs");
    }

    @Test
    void stagePastItsDeadlineFailsAndLeavesNoContainer() throws Exception {
        byte[] zip = Projects.zip("greeting-service", "", Map.of(TESTS + "SlowTest.java", """
                package com.example.greeting;
                import org.junit.jupiter.api.Test;
                class SlowTest {
                    @Test void takesForever() throws Exception { Thread.sleep(600_000); }
                }
                """), Set.of());
        JsonNode job = api.awaitFinal(PipelineIT.submitted(api.upload(zip, PipelineIT.METADATA)), JOB_TIME);
        assertEquals("FAILED", job.path("state").path("state").asText(), "job: " + job);
        JsonNode test = PipelineIT.result(job.path("job_id").asText(), "test");
        assertEquals("ERROR", test.path("status").asText(), "test result: " + test);
        assertTrue(test.path("message").asText().contains("deadline"), "the reason names the deadline: " + test);
        assertTrue(job.path("state").path("error").asText().contains("deadline"), job.path("state").toString());
        assertEquals(List.of(), containers(), "the killed stage's container was removed");
    }

    static List<String> containers() {
        DockerClient docker = DockerRunner.client("unix://" + System.getProperty("it.docker.socket"));
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(DockerRunner.JOB_LABEL)).exec()
                .stream().map(Container::getId).toList();
    }
}
