package dev.pipelinex.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpringBootMavenContractTest {

    private static final String APP = "package demo;\n\nimport org.springframework.boot.autoconfigure.SpringBootApplication;\n\n"
            + "@SpringBootApplication\npublic class DemoApplication {\n}\n";
    private static final String PLAIN = "package demo;\n\npublic class Service {\n}\n";

    @TempDir
    Path project;

    private final SpringBootMavenContract contract = new SpringBootMavenContract();

    private Path write(String relative, String content) throws IOException {
        Path file = project.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    private void acceptedProject() throws IOException {
        write("pom.xml", "<project/>");
        write("src/main/java/demo/DemoApplication.java", APP);
        write("src/main/java/demo/Service.java", PLAIN);
        write("src/test/java/demo/DemoApplicationTests.java", "package demo;\nclass DemoApplicationTests {}\n");
    }

    private static void assertRefusedFor(Verdict v, String fragment) {
        assertEquals(Outcome.REFUSED, v.outcome(), "the project should be refused, reasons: " + v.reasons());
        assertTrue(v.reasons().stream().anyMatch(r -> r.contains(fragment)),
                "a reason should mention '" + fragment + "', reasons: " + v.reasons());
    }

    @Test
    void idIsTheStackFolderName() {
        assertEquals("spring-boot-maven", contract.id(), "the contract id should be the pipeline folder name");
    }

    @Test
    void projectWithPomOneApplicationAndTestsIsAccepted() throws IOException {
        acceptedProject();
        Verdict v = contract.check(project);
        assertEquals(Outcome.ACCEPTED, v.outcome(), "a complete project should be ACCEPTED, got " + v);
        assertEquals(List.of(), v.reasons(), "an accepted project has no reasons");
        assertEquals(List.of(), v.warnings(), "a project with tests has no warnings");
    }

    @Test
    void missingPomIsRefused() throws IOException {
        acceptedProject();
        Files.delete(project.resolve("pom.xml"));
        assertRefusedFor(contract.check(project), "pom.xml");
    }

    @Test
    void pomInASubfolderDoesNotCount() throws IOException {
        acceptedProject();
        Files.delete(project.resolve("pom.xml"));
        write("module/pom.xml", "<project/>");
        assertRefusedFor(contract.check(project), "no pom.xml at the root");
    }

    @Test
    void missingSrcMainJavaIsRefused() throws IOException {
        write("pom.xml", "<project/>");
        write("src/main/kotlin/App.kt", "fun main() {}");
        assertRefusedFor(contract.check(project), "src/main/java");
    }

    @Test
    void srcMainJavaWithoutJavaFilesIsRefused() throws IOException {
        write("pom.xml", "<project/>");
        write("src/main/java/demo/README.txt", "@SpringBootApplication");
        assertRefusedFor(contract.check(project), "no .java file");
    }

    @Test
    void noSpringBootApplicationIsRefused() throws IOException {
        write("pom.xml", "<project/>");
        write("src/main/java/demo/Service.java", PLAIN);
        assertRefusedFor(contract.check(project), "no class annotated @SpringBootApplication");
    }

    @Test
    void twoSpringBootApplicationsAreRefusedNamingBoth() throws IOException {
        acceptedProject();
        write("src/main/java/other/OtherApplication.java", APP.replace("demo", "other").replace("Demo", "Other"));
        Verdict v = contract.check(project);
        assertRefusedFor(v, "more than one");
        String reason = v.reasons().get(0);
        assertTrue(reason.contains("DemoApplication.java") && reason.contains("OtherApplication.java"),
                "the reason should name both classes: " + reason);
    }

    @Test
    void annotationInALineCommentDoesNotCount() throws IOException {
        write("pom.xml", "<project/>");
        write("src/main/java/demo/Service.java", "package demo;\n// @SpringBootApplication\n  //@SpringBootApplication\n"
                + "public class Service {}\n");
        assertRefusedFor(contract.check(project), "no class annotated @SpringBootApplication");
    }

    @Test
    void annotationOnABlockCommentLineStartingWithStarDoesNotCount() throws IOException {
        write("pom.xml", "<project/>");
        write("src/main/java/demo/Service.java", "package demo;\n/**\n * @SpringBootApplication\n *@SpringBootApplication\n */\n"
                + "public class Service {}\n");
        assertRefusedFor(contract.check(project), "no class annotated @SpringBootApplication");
    }

    @Test
    void annotationInACommentBesideARealOneCountsOnce() throws IOException {
        acceptedProject();
        write("src/main/java/demo/Service.java", "package demo;\n// @SpringBootApplication\npublic class Service {}\n");
        assertEquals(Outcome.ACCEPTED, contract.check(project).outcome(),
                "a commented annotation in another file should not make a second application");
    }

    @Test
    void fullyQualifiedAnnotationCounts() throws IOException {
        write("pom.xml", "<project/>");
        write("src/main/java/demo/App.java", "package demo;\n\n@org.springframework.boot.autoconfigure.SpringBootApplication"
                + "(scanBasePackages = \"demo\")\npublic class App {}\n");
        write("src/test/java/demo/AppTest.java", "class AppTest {}");
        assertEquals(Outcome.ACCEPTED, contract.check(project).outcome(), "a fully-qualified annotation should count");
    }

    @Test
    void annotationWithALongerNameDoesNotCount() throws IOException {
        write("pom.xml", "<project/>");
        write("src/main/java/demo/App.java", "package demo;\n@SpringBootApplicationTest\npublic class App {}\n");
        assertRefusedFor(contract.check(project), "no class annotated @SpringBootApplication");
    }

    @Test
    void latin1SourceIsStillRead() throws IOException {
        write("pom.xml", "<project/>");
        Path file = project.resolve("src/main/java/demo/App.java");
        Files.createDirectories(file.getParent());
        Files.write(file, "package demo;\n// caf\u00e9\n@SpringBootApplication\npublic class App {}\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        write("src/test/java/demo/AppTest.java", "class AppTest {}");
        assertEquals(Outcome.ACCEPTED, contract.check(project).outcome(), "a file that is not UTF-8 should still be read");
    }

    @Test
    void noTestsIsAcceptedWithAWarning() throws IOException {
        acceptedProject();
        Files.delete(project.resolve("src/test/java/demo/DemoApplicationTests.java"));
        Verdict v = contract.check(project);
        assertEquals(Outcome.ACCEPTED_WITH_ISSUES, v.outcome(), "a project without tests should be ACCEPTED_WITH_ISSUES");
        assertEquals(List.of(), v.reasons(), "missing tests is not a reason to refuse");
        assertEquals(1, v.warnings().size(), "there should be one warning, got " + v.warnings());
        assertTrue(v.warnings().get(0).contains("no tests under src/test/java"), "the warning should say why: " + v.warnings());
    }

    @Test
    void noTestFolderAtAllIsAcceptedWithAWarning() throws IOException {
        write("pom.xml", "<project/>");
        write("src/main/java/demo/DemoApplication.java", APP);
        assertEquals(Outcome.ACCEPTED_WITH_ISSUES, contract.check(project).outcome(),
                "a project without src/test/java should be ACCEPTED_WITH_ISSUES");
    }
}
