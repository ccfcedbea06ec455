package dev.pipelinex.scanners.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SarifTest {

    private static final Rule SQL = new Rule("SQL_INJECTION", "SQL injection", "Untrusted data reaches a SQL query.",
            null, Severity.HIGH, List.of("external/cwe/cwe-89"));

    @Test
    void aLogWithFindingsAndASuppressionValidatesAgainstTheSchema() {
        Finding open = new Finding("SQL_INJECTION", Severity.HIGH, "query built from a parameter",
                "src/main/java/a/B.java", 12, 12, "abc", null, Map.of("cwe", "CWE-89"));
        Finding suppressed = open.suppressedBecause("listed in the baseline");
        ObjectNode log = Sarif.log(new Sarif.Tool("t", "1", "https://example.org/t"), List.of(SQL),
                List.of(open, suppressed), Map.of("data_date", "2026-01-01"));

        assertEquals(Set.of(), SarifSchema.violations(log));
        JsonNode results = log.at("/runs/0/results");
        assertEquals("error", results.at("/0/level").asText());
        assertEquals(0, results.at("/0/ruleIndex").asInt());
        assertEquals("src/main/java/a/B.java", results.at("/0/locations/0/physicalLocation/artifactLocation/uri").asText());
        assertTrue(results.at("/0/suppressions").isMissingNode());
        assertEquals("listed in the baseline", results.at("/1/suppressions/0/justification").asText());
        assertEquals("8.0", log.at("/runs/0/tool/driver/rules/0/properties/security-severity").asText());
    }

    @Test
    void theSchemaRejectsABrokenLog() {
        ObjectNode log = Sarif.log(new Sarif.Tool("t", null, null), List.of(SQL), List.of(), Map.of());
        log.put("version", "9.9");
        assertFalse(SarifSchema.violations(log).isEmpty());
    }

    @Test
    void resultSummaryCountsOpenFindingsBySeverityAndSuppressedApart() {
        Finding high = new Finding("R", Severity.HIGH, "m", "a", 1, 1, "f", null, Map.of());
        Finding low = new Finding("R", Severity.LOW, "m", "a", 2, 2, "g", null, Map.of());
        List<Finding> all = List.of(high, low, low.suppressedBecause("x"));
        JsonNode summary = Reports.summary(all, Map.of());
        assertEquals(1, summary.at("/findings/high").asInt());
        assertEquals(1, summary.at("/findings/low").asInt());
        assertEquals(0, summary.at("/findings/critical").asInt());
        assertEquals(1, summary.at("/suppressed").asInt());
        assertEquals("secrets: 2 findings (1 high, 1 low), 1 suppressed", Reports.message("secrets", all));
        assertEquals("secrets: no findings", Reports.message("secrets", List.of()));
    }
}
