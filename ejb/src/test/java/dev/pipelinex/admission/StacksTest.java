package dev.pipelinex.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.job.JobRequest;
import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import org.junit.jupiter.api.Test;

class StacksTest {

    private final Stacks stacks = new Stacks();

    private static JobRequest request(String language, String framework, String buildTool, String java, String maven) {
        return new JobRequest(new JobRequest.Stack(language, framework, buildTool), new JobRequest.Versions(java, maven),
                JobRequest.PipelineOptions.ALL);
    }

    private void assertUnsupported(JobRequest r, String... fragments) {
        RequestRefusedException e = assertThrows(RequestRefusedException.class, () -> stacks.contractFor(r),
                "request " + r + " should be refused");
        assertEquals(Refusal.UNSUPPORTED_STACK, e.refusal(), "an unserved stack or version should be UNSUPPORTED_STACK");
        for (String f : fragments) {
            assertTrue(e.detail().contains(f), "the refusal should mention '" + f + "': " + e.detail());
        }
    }

    @Test
    void javaSpringBootMavenIsServedByTheSpringBootMavenContract() {
        StackContract c = stacks.contractFor(request("java", "spring-boot", "maven", "17", "3.9"));
        assertEquals(SpringBootMavenContract.ID, c.id(), "java/spring-boot/maven should get the spring-boot-maven contract");
    }

    @Test
    void stackNamesAreMatchedIgnoringCase() {
        assertEquals(SpringBootMavenContract.ID, stacks.contractFor(request("Java", "Spring-Boot", "MAVEN", "17", "3.9")).id(),
                "stack names should match regardless of case");
    }

    @Test
    void unsupportedStackIsRefusedNamingTheServedStack() {
        assertUnsupported(request("java", "spring-boot", "gradle", "17", "3.9"), "java/spring-boot/gradle",
                "java/spring-boot/maven");
        assertUnsupported(request("kotlin", "spring-boot", "maven", "17", "3.9"), "java/spring-boot/maven");
        assertUnsupported(request("java", "quarkus", "maven", "17", "3.9"), "java/spring-boot/maven");
    }

    @Test
    void java21IsRefusedNamingTheServedJavaVersions() {
        assertUnsupported(request("java", "spring-boot", "maven", "21", "3.9"), "Java 21", "served Java versions: 17");
    }

    @Test
    void maven36IsRefusedNamingTheServedMavenVersions() {
        assertUnsupported(request("java", "spring-boot", "maven", "17", "3.6"), "Maven 3.6", "served Maven versions: 3.9");
    }

    @Test
    void mavenVersionThatOnlySharesAPrefixIsRefused() {
        assertUnsupported(request("java", "spring-boot", "maven", "17", "3.90"), "Maven 3.90");
        assertUnsupported(request("java", "spring-boot", "maven", "17", "3"), "Maven 3 ");
    }

    @Test
    void maven3911IsAccepted() {
        assertEquals(SpringBootMavenContract.ID, stacks.contractFor(request("java", "spring-boot", "maven", "17", "3.9.11")).id(),
                "a 3.9.x patch version should be served by Maven 3.9");
    }
}
