package dev.pipelinex.scanners.sast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.scanners.Main;
import dev.pipelinex.scanners.report.Finding;
import dev.pipelinex.scanners.report.Reports;
import dev.pipelinex.scanners.report.SarifSchema;
import dev.pipelinex.scanners.report.Severity;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report of SpotBugs with FindSecBugs on a small flawed shop (the XML is a real run's). */
class SpotBugsReportTest {

    @TempDir
    Path repo;

    private Path spotbugsXml() throws IOException {
        Path xml = repo.resolve("spotbugs.xml");
        try (InputStream in = getClass().getResourceAsStream("/sast/spotbugs-shop.xml")) {
            Files.copy(in, xml, StandardCopyOption.REPLACE_EXISTING);
        }
        return xml;
    }

    private void source(String path) throws IOException {
        Path p = repo.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "class X {}");
    }

    @Test
    void findingsCarryRepositoryPathsCweAndSeverityAndLeaveOutInformationalPatterns() throws Exception {
        source("shop/src/main/java/com/example/shop/OrderController.java");
        source("shop/src/main/java/com/example/shop/PasswordHasher.java");
        source("shop/target/generated-sources/com/example/shop/PasswordHasher.java");
        SpotBugsReport.Result r = new SpotBugsReport().read(spotbugsXml(), SourceIndex.of(repo));

        Map<String, Finding> byRule = r.findings().stream().collect(Collectors.toMap(Finding::ruleId, f -> f, (a, b) -> a));
        assertFalse(byRule.containsKey("SPRING_ENDPOINT"), "informational patterns are left out");
        assertEquals(4, r.informationalLeftOut());

        Finding sql = byRule.get("SQL_INJECTION_SPRING_JDBC");
        assertEquals("shop/src/main/java/com/example/shop/OrderController.java", sql.path());
        assertEquals(24, sql.startLine());
        assertEquals(Severity.HIGH, sql.severity());
        assertEquals("CWE-89", sql.properties().get("cwe"));
        assertTrue(sql.message().contains("SQL injection") && sql.message().endsWith("(CWE-89)"), sql.message());

        assertEquals("CWE-78", byRule.get("COMMAND_INJECTION").properties().get("cwe"));
        assertEquals("CWE-22", byRule.get("PATH_TRAVERSAL_IN").properties().get("cwe"));
        Finding md5 = byRule.get("WEAK_MESSAGE_DIGEST_MD5");
        assertEquals(Severity.MEDIUM, md5.severity());
        assertEquals("shop/src/main/java/com/example/shop/PasswordHasher.java", md5.path(), "project sources before generated ones");
        assertEquals("CWE-327", byRule.get("DES_USAGE").properties().get("cwe"));
        assertEquals(Set.of("COMMAND_INJECTION", "PATH_TRAVERSAL_IN", "SQL_INJECTION_SPRING_JDBC", "WEAK_MESSAGE_DIGEST_MD5",
                "CIPHER_INTEGRITY", "DES_USAGE", "ECB_MODE"), byRule.keySet());
        // A source the index cannot find keeps SpotBugs' path and says so.
        Finding des = byRule.get("DES_USAGE");
        assertEquals("com/example/shop/TokenCipher.java", des.path());
        assertEquals(false, des.properties().get("source_found"));
    }

    @Test
    void lowConfidenceLowersTheSeverityAndUnlistedPatternsFollowTheirRank() {
        SpotBugsReport report = new SpotBugsReport();
        assertEquals(Severity.HIGH, report.baseSeverity("SQL_INJECTION_JDBC", 20));
        assertEquals(Severity.HIGH, report.baseSeverity("SOME_NEW_PATTERN", 5));
        assertEquals(Severity.MEDIUM, report.baseSeverity("SOME_NEW_PATTERN", 12));
        assertEquals(Severity.LOW, report.baseSeverity("SOME_NEW_PATTERN", 17));
    }

    @Test
    void theCommandWritesAValidSarifAndAResult() throws Exception {
        source("src/main/java/com/example/shop/OrderController.java");
        Path out = repo.resolve("out");
        int rc = Main.run(new String[] {"sast-report", "--spotbugs-xml", spotbugsXml().toString(),
                "--source", repo.toString(), "--out", out.toString(), "--started-ms", "1"});
        assertEquals(0, rc);
        assertEquals(Set.of(), SarifSchema.violations(out.resolve("sast.sarif")));
        JsonNode result = Reports.json().readTree(out.resolve("result.json").toFile());
        assertEquals("PASSED", result.get("status").asText());
        assertEquals(3, result.at("/summary/findings/high").asInt());
        assertEquals(4, result.at("/summary/findings/medium").asInt());
        JsonNode sarif = Reports.json().readTree(out.resolve("sast.sarif").toFile());
        assertEquals("src/main/java/com/example/shop/OrderController.java",
                sarif.at("/runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri").asText());
        assertTrue(sarif.at("/runs/0/tool/driver/rules/0/properties/tags").toString().contains("external/cwe/cwe-"));
    }

    @Test
    void aMissingReportIsAUsageError() {
        assertEquals(2, Main.run(new String[] {"sast-report", "--spotbugs-xml", repo.resolve("none.xml").toString(),
                "--source", repo.toString(), "--out", repo.toString()}));
    }

    @Test
    void twoDetectorsReportingOneFlawOnOneLineAreOneFinding() {
        Finding core = new Finding("SQL_NONCONSTANT_STRING_PASSED_TO_EXECUTE", Severity.HIGH, "core", "A.java", 9, 9, "a",
                null, Map.of("cwe", "CWE-89"));
        Finding fsb = new Finding("SQL_INJECTION_JDBC", Severity.HIGH, "fsb", "A.java", 9, 9, "b", null, Map.of("cwe", "CWE-89"));
        Finding otherLine = new Finding("SQL_INJECTION_JDBC", Severity.HIGH, "fsb", "A.java", 12, 12, "c", null,
                Map.of("cwe", "CWE-89"));
        Finding otherCwe = new Finding("ECB_MODE", Severity.MEDIUM, "ecb", "A.java", 9, 9, "d", null, Map.of("cwe", "CWE-327"));
        Finding des = new Finding("DES_USAGE", Severity.MEDIUM, "des", "A.java", 9, 9, "e", null, Map.of("cwe", "CWE-327"));
        java.util.List<Finding> merged = SpotBugsReport.mergeSameFlaw(java.util.List.of(core, fsb, otherLine, otherCwe, des));
        assertEquals(4, merged.size(), "ECB and DES on one line are two flaws: " + merged);
        assertEquals("SQL_INJECTION_JDBC", merged.get(0).ruleId(), "FindSecBugs' report is kept on a tie");
        assertEquals("SQL_NONCONSTANT_STRING_PASSED_TO_EXECUTE", merged.get(0).properties().get("also_reported_as"));
    }
}
