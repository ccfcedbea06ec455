package dev.pipelinex.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.job.JobRequest;
import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import java.util.List;
import org.junit.jupiter.api.Test;

class StacksTest {

    /** A runner with JDK 17 and JDK 25: Java 17, 21 (served by 25) and 25, but not 26. */
    private final Stacks stacks = new Stacks(List.of("17", "21", "25", "26"),
            dev.pipelinex.runner.JavaHomes.parse("17=/jdk17,25=/jdk25"));

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
        assertUnsupported(request("java", "quarkus", "maven", "17", "3.9"), "java/spring-boot/maven", "java/none/maven");
    }

    @Test
    void aJavaReleaseWithoutAJdkAtLeastAsNewIsRefusedNamingTheServedOnes() {
        assertUnsupported(request("java", "spring-boot", "maven", "26", "3.9"), "Java 26", "served Java versions: 17, 21, 25");
        assertUnsupported(request("java", "none", "maven", "11", "3.9"), "Java 11", "served Java versions: 17, 21, 25");
        assertEquals(List.of("17", "21", "25"), stacks.javaVersions());
    }

    @Test
    void onlyJdk17ServesOnlyJava17() {
        Stacks only17 = new Stacks(List.of("17", "21", "25"), dev.pipelinex.runner.JavaHomes.parse("17=/jdk17"));
        assertEquals(List.of("17"), only17.javaVersions());
    }

    @Test
    void plainMavenProjectsGetTheMavenContract() {
        StackContract c = stacks.contractFor(request("java", "none", "maven", "21", "3.9"));
        assertEquals(MavenContract.ID, c.id());
        assertEquals("java-maven", c.pipeline(), "both stacks run the same scripts");
        assertEquals(stacks.contractFor(request("java", "spring-boot", "maven", "25", "3.9")).pipeline(), c.pipeline());
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
