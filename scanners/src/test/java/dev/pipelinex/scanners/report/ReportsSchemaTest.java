package dev.pipelinex.scanners.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The result.json {@link Reports#writeResult} writes has the shape of the server's schema 1
 * ({@code dev.pipelinex.job.ResultSchema}, which this module cannot depend on): {@code schema} 1
 * first and exactly the fields {@code schema, stage, status, duration_ms, message, summary}.
 */
class ReportsSchemaTest {

    private static final List<String> FIELDS = List.of("schema", "stage", "status", "duration_ms", "message", "summary");

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void aScannerResultHasSchema1FirstAndExactlyTheSchemaFields(@TempDir Path dir) throws Exception {
        Finding open = new Finding("SQL_INJECTION", Severity.HIGH, "query built from a parameter",
                "src/main/java/a/B.java", 12, 12, "abc", null, Map.of());
        List<Finding> findings = List.of(open, open.suppressedBecause("listed in the baseline"));
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("dependencies", 40);
        extra.put("advisories", Map.of("count", 3, "sources", List.of(Map.of("name", "osv", "count", 3))));

        Reports.writeResult(dir, "sca", "PASSED", System.currentTimeMillis() - 5, Reports.message("sca", findings),
                Reports.summary(findings, extra));

        String text = Files.readString(dir.resolve("result.json"));
        JsonNode result = Reports.json().readTree(text);
        assertEquals(FIELDS, fieldNames(result), "expected the fields of schema 1 in this order, was: " + text);
        assertTrue(text.replaceAll("\\s", "").startsWith("{\"schema\":1,"), "expected schema 1 as the first field, was: " + text);
        assertTrue(result.get("schema").isInt(), "expected schema to be the number 1, was: " + result.get("schema"));
        assertEquals("sca", result.get("stage").asText());
        assertTrue(result.get("duration_ms").canConvertToLong() && result.get("duration_ms").asLong() >= 0,
                "expected duration_ms a whole number at least 0, was: " + result.get("duration_ms"));
        assertEquals(List.of("critical", "high", "medium", "low", "info"), fieldNames(result.at("/summary/findings")),
                "expected a count of every severity");
        assertEquals(1, result.at("/summary/findings/high").asInt());
        assertEquals(1, result.at("/summary/suppressed").asInt());
        assertEquals(List.of("findings", "suppressed", "dependencies", "advisories"), fieldNames(result.get("summary")),
                "expected the extras after findings and suppressed");
    }

    @Test
    void anErrorResultWithoutSummaryStillHasEveryField(@TempDir Path dir) throws Exception {
        Reports.writeResult(dir, "sca", "ERROR", 0, "sca could not scan the dependencies: no tree", null);

        JsonNode result = Reports.json().readTree(dir.resolve("result.json").toFile());
        assertEquals(FIELDS, fieldNames(result), "expected the fields of schema 1 in this order, was: " + result);
        assertEquals(1, result.get("schema").intValue());
        assertEquals(0, result.get("duration_ms").asLong(), "expected duration_ms 0 when the start is unknown");
        assertTrue(result.get("summary").isObject() && result.get("summary").isEmpty(),
                "expected an empty summary object, was: " + result.get("summary"));
    }
}
