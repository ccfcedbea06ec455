package dev.pipelinex.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MavenContractTest {

    @TempDir
    Path src;

    private final MavenContract contract = new MavenContract();

    private void file(String rel) throws IOException {
        Path p = src.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "x");
    }

    @Test
    void aReactorWithSourcesOnlyInNestedModulesIsAccepted() throws IOException {
        file("pom.xml");
        file("services/pricing/pom.xml");
        file("services/pricing/src/main/java/a/Pricing.java");
        file("services/pricing/src/test/java/a/PricingTest.java");
        Verdict v = contract.check(src);
        assertEquals(Outcome.ACCEPTED, v.outcome(), v.toString());
    }

    @Test
    void aLibraryWithoutSpringBootIsAcceptedAndMissingTestsAreAWarning() throws IOException {
        file("pom.xml");
        file("src/main/java/a/Lib.java");
        Verdict v = contract.check(src);
        assertEquals(Outcome.ACCEPTED_WITH_ISSUES, v.outcome(), v.toString());
        assertTrue(v.warnings().get(0).contains("no tests"), v.toString());
    }

    @Test
    void noPomOrNoMainSourcesIsRefusedSayingWhy() throws IOException {
        file("src/main/java/a/Lib.java");
        assertEquals(List.of("no pom.xml at the root of the project"), contract.check(src).reasons());
        file("pom.xml");
        Files.delete(src.resolve("src/main/java/a/Lib.java"));
        file("target/classes/src/main/java/Gen.java");
        assertTrue(contract.check(src).reasons().get(0).contains("no .java file under a src/main/java folder"),
                "sources under target/ do not count");
    }
}
