package dev.pipelinex.scanners.sca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipelinex.scanners.Args;
import dev.pipelinex.scanners.report.Reports;
import dev.pipelinex.scanners.report.SarifSchema;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sca command end to end on the fixture reactor and fixture advisories (not the curated file). */
class ScaCommandTest {

    private static final ObjectMapper JSON = Reports.json();

    private static int sca(String... argv) throws Exception {
        return new ScaCommand().run(Args.parse(List.of(argv)));
    }

    /** The results of the run, keyed "module|package|ruleId". */
    private static Map<String, JsonNode> results(Path out) throws Exception {
        Map<String, JsonNode> byKey = new HashMap<>();
        for (JsonNode r : JSON.readTree(out.resolve("sca.sarif").toFile()).at("/runs/0/results")) {
            String key = r.at("/properties/module").asText() + "|" + r.at("/properties/package").asText() + "|"
                    + r.path("ruleId").asText();
            assertTrue(byKey.put(key, r) == null, "one finding per module, package and vulnerability: " + key);
        }
        return byKey;
    }

    @Test
    void scansTheReactorAndReportsEveryVulnerableDependencyWithItsPath(@TempDir Path tmp) throws Exception {
        Path src = Fixtures.project(tmp.resolve("src"));
        Path out = tmp.resolve("out");
        long started = System.currentTimeMillis() - 1500;
        assertEquals(0, sca("--source", src.toString(), "--out", out.toString(), "--no-curated",
                "--advisories", Fixtures.resource("osv").toString(), "--started-ms", String.valueOf(started)));

        assertEquals(Set.of(), SarifSchema.violations(out.resolve("sca.sarif")));
        JsonNode sarif = JSON.readTree(out.resolve("sca.sarif").toFile());
        assertEquals("PipelineX SCA", sarif.at("/runs/0/tool/driver/name").asText());
        JsonNode data = sarif.at("/runs/0/properties/advisory_data/0");
        assertEquals("osv", data.path("source").asText());
        assertEquals("2026-10-30", data.path("date").asText());
        assertEquals(5, data.path("count").asInt());

        Map<String, JsonNode> results = results(out);
        assertEquals(Set.of(
                "com.example:demo-core|pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1|GHSA-jfh8-c2jp-5v3q",
                "com.example:demo-core|pkg:maven/org.apache.commons/commons-text@1.8|GHSA-599f-7c49-w659",
                "com.example:demo-core|pkg:maven/junit/junit@4.12|GHSA-269g-pwp5-87pp",
                "com.example:demo-service|pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1|GHSA-jfh8-c2jp-5v3q",
                "com.example:demo-service|pkg:maven/org.apache.commons/commons-text@1.8|GHSA-599f-7c49-w659",
                "com.example:demo-service|pkg:maven/jakarta.platform/jakarta.jakartaee-api@10.0.0|PX-TEST-0001"),
                results.keySet());

        // Log4Shell from two sources (GHSA and its CVE record) is one finding naming both.
        JsonNode log4j = results.get("com.example:demo-core|pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1|GHSA-jfh8-c2jp-5v3q");
        assertEquals("error", log4j.path("level").asText());
        assertEquals("critical", log4j.at("/properties/severity").asText());
        assertEquals("core/pom.xml", log4j.at("/locations/0/physicalLocation/artifactLocation/uri").asText());
        assertEquals(13, log4j.at("/locations/0/physicalLocation/region/startLine").asInt());
        assertEquals(List.of("GHSA-jfh8-c2jp-5v3q", "CVE-2021-44228"), texts(log4j.at("/properties/ids")));
        assertEquals(List.of("CVE-2021-44228"), texts(log4j.at("/properties/cves")));
        assertEquals("2.16.0", log4j.at("/properties/fixed_version").asText(), "the second source fixes it in 2.16.0 only");
        assertTrue(log4j.at("/properties/direct").asBoolean());
        assertEquals("compile", log4j.at("/properties/scope").asText());
        assertEquals("org.apache.logging.log4j:log4j-core 2.14.1 is affected by CVE-2021-44228 (GHSA-jfh8-c2jp-5v3q): "
                + "Remote code injection in Log4j. Fixed in 2.16.0. Brought in by com.example:demo-core → "
                + "org.apache.logging.log4j:log4j-core 2.14.1 (compile).", log4j.at("/message/text").asText());

        // Transitive, two levels down in the service: the line is that of the direct dependency bringing it.
        JsonNode text = results.get("com.example:demo-service|pkg:maven/org.apache.commons/commons-text@1.8|GHSA-599f-7c49-w659");
        assertEquals("service/pom.xml", text.at("/locations/0/physicalLocation/artifactLocation/uri").asText());
        assertEquals(14, text.at("/locations/0/physicalLocation/region/startLine").asInt());
        assertFalse(text.at("/properties/direct").asBoolean());
        assertEquals(List.of("com.example:demo-service:1.0-SNAPSHOT", "com.example:demo-core:1.0-SNAPSHOT",
                "org.apache.commons:commons-configuration2:2.7", "org.apache.commons:commons-text:1.8"),
                texts(text.at("/properties/dependency_path")));
        assertTrue(text.at("/message/text").asText().endsWith("Brought in by com.example:demo-service → com.example:demo-core "
                + "1.0-SNAPSHOT → org.apache.commons:commons-configuration2 2.7 → org.apache.commons:commons-text 1.8 (compile)."));
        assertEquals(18, results.get("com.example:demo-core|pkg:maven/org.apache.commons/commons-text@1.8|GHSA-599f-7c49-w659")
                .at("/locations/0/physicalLocation/region/startLine").asInt());

        // Test and provided dependencies are reported with their scope.
        JsonNode junit = results.get("com.example:demo-core|pkg:maven/junit/junit@4.12|GHSA-269g-pwp5-87pp");
        assertEquals("test", junit.at("/properties/scope").asText());
        assertEquals("medium", junit.at("/properties/severity").asText());
        assertEquals(23, junit.at("/locations/0/physicalLocation/region/startLine").asInt());
        assertTrue(junit.at("/message/text").asText().endsWith("(test)."));
        JsonNode api = results.get("com.example:demo-service|pkg:maven/jakarta.platform/jakarta.jakartaee-api@10.0.0|PX-TEST-0001");
        assertEquals("provided", api.at("/properties/scope").asText());
        assertEquals("medium", api.at("/properties/severity").asText(), "CVSS v4 only: MEDIUM");
        assertTrue(api.at("/properties/fixed_version").isMissingNode());
        assertTrue(api.at("/message/text").asText().contains("No fixed version is known."));

        // Fingerprints: stable per module, package and vulnerability, distinct across modules.
        assertEquals(ScaScan.fingerprint("com.example:demo-core", "org.apache.logging.log4j:log4j-core", "GHSA-jfh8-c2jp-5v3q"),
                log4j.at("/partialFingerprints/pipelinex~1v1").asText());
        Set<String> prints = new HashSet<>();
        results.values().forEach(r -> prints.add(r.at("/partialFingerprints/pipelinex~1v1").asText()));
        assertEquals(6, prints.size());

        // Rules: one per vulnerability, with CWE tags and the advisory's link.
        JsonNode rules = sarif.at("/runs/0/tool/driver/rules");
        assertEquals(4, rules.size());
        JsonNode log4shell = null;
        for (JsonNode r : rules) {
            if (r.path("id").asText().equals("GHSA-jfh8-c2jp-5v3q")) {
                log4shell = r;
            }
        }
        assertEquals("https://nvd.nist.gov/vuln/detail/CVE-2021-44228", log4shell.path("helpUri").asText());
        assertTrue(texts(log4shell.at("/properties/tags")).containsAll(List.of("external/cwe/cwe-917", "external/cwe/cwe-502")));

        JsonNode result = JSON.readTree(out.resolve("result.json").toFile());
        assertEquals("sca", result.path("stage").asText());
        assertEquals("PASSED", result.path("status").asText());
        assertTrue(result.path("duration_ms").asLong() >= 1500);
        assertEquals("sca: 6 findings (4 critical, 2 medium) in 40 dependencies; advisories of 2026-10-30 (5 from osv)",
                result.path("message").asText());
        JsonNode summary = result.path("summary");
        assertEquals(4, summary.at("/findings/critical").asInt());
        assertEquals(2, summary.at("/findings/medium").asInt());
        assertEquals(40, summary.path("dependencies").asInt());
        assertEquals(4, summary.path("vulnerable_packages").asInt());
        assertEquals(5, summary.at("/advisories/count").asInt());
        assertEquals("2026-10-30", summary.at("/advisories/date").asText());
        assertEquals("osv", summary.at("/advisories/sources/0/source").asText());
    }

    @Test
    void theBomListsEveryModuleAndDependencyAndValidatesAgainstCycloneDx15(@TempDir Path tmp) throws Exception {
        Path src = Fixtures.project(tmp.resolve("src"));
        Path out = tmp.resolve("out");
        assertEquals(0, sca("--source", src.toString(), "--out", out.toString(), "--no-curated"));
        File bomFile = out.resolve("bom.cdx.json").toFile();
        assertEquals(List.of(), new JsonParser().validate(bomFile, Version.VERSION_15));
        JsonNode bom = JSON.readTree(bomFile);
        JsonNode broken = bom.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken.path("components").get(0)).put("scope", "test");
        assertFalse(new JsonParser().validate(JSON.writeValueAsBytes(broken), Version.VERSION_15).isEmpty(),
                "the schema check rejects a Maven scope where CycloneDX wants required, optional or excluded");
        assertEquals("CycloneDX", bom.path("bomFormat").asText());
        assertEquals("1.5", bom.path("specVersion").asText());
        assertTrue(bom.path("serialNumber").asText().matches("urn:uuid:[0-9a-f-]{36}"));
        assertEquals("PipelineX scanners", bom.at("/metadata/tools/components/0/name").asText());
        assertEquals("pkg:maven/com.example/demo-parent@1.0-SNAPSHOT", bom.at("/metadata/component/bom-ref").asText());

        Map<String, JsonNode> components = new HashMap<>();
        bom.path("components").forEach(c -> components.put(c.path("bom-ref").asText(), c));
        assertEquals(42, components.size(), "40 dependencies and the two other modules");
        assertEquals("application", components.get("pkg:maven/com.example/demo-service@1.0-SNAPSHOT").path("type").asText());
        assertEquals("library", components.get("pkg:maven/com.example/demo-core@1.0-SNAPSHOT").path("type").asText());
        JsonNode log4j = components.get("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
        assertEquals("required", log4j.path("scope").asText());
        assertEquals("org.apache.logging.log4j", log4j.path("group").asText());
        assertEquals("log4j-core", log4j.path("name").asText());
        assertEquals("2.14.1", log4j.path("version").asText());
        assertEquals("compile", log4j.at("/properties/0/value").asText());
        JsonNode junit = components.get("pkg:maven/junit/junit@4.12");
        assertEquals("optional", junit.path("scope").asText());
        assertEquals("test", junit.at("/properties/0/value").asText());
        assertEquals("provided", components.get("pkg:maven/jakarta.platform/jakarta.jakartaee-api@10.0.0").at("/properties/0/value").asText());

        Set<String> refs = new HashSet<>(components.keySet());
        refs.add(bom.at("/metadata/component/bom-ref").asText());
        Map<String, List<String>> edges = new HashMap<>();
        for (JsonNode d : bom.path("dependencies")) {
            assertTrue(refs.contains(d.path("ref").asText()));
            List<String> on = texts(d.path("dependsOn"));
            assertTrue(refs.containsAll(on), "every edge names a component: " + on);
            edges.put(d.path("ref").asText(), on);
        }
        assertEquals(refs, edges.keySet());
        assertTrue(edges.get("pkg:maven/com.example/demo-service@1.0-SNAPSHOT").contains("pkg:maven/com.example/demo-core@1.0-SNAPSHOT"));
        assertEquals(List.of("pkg:maven/commons-logging/commons-logging@1.2", "pkg:maven/org.apache.commons/commons-lang3@3.9",
                "pkg:maven/org.apache.commons/commons-text@1.8"), edges.get("pkg:maven/org.apache.commons/commons-configuration2@2.7"));
    }

    @Test
    void anImportedStoreGivesTheSameFindings(@TempDir Path tmp) throws Exception {
        Path src = Fixtures.project(tmp.resolve("src"));
        Path store = tmp.resolve("store");
        AdvisoryStore.importFrom(Fixtures.resource("osv"), store, JSON);
        Path out = tmp.resolve("out");
        assertEquals(0, sca("--source", src.toString(), "--out", out.toString(), "--no-curated", "--advisories", store.toString()));
        assertEquals(6, results(out).size());
        JsonNode result = JSON.readTree(out.resolve("result.json").toFile());
        assertTrue(result.path("message").asText().endsWith("advisories of 2026-10-30 (5 imported)"), result.path("message").asText());
    }

    @Test
    void theCuratedAdvisoriesComeFirstAndAreDescribed(@TempDir Path tmp) throws Exception {
        CuratedAdvisories curated = CuratedAdvisories.load(JSON);
        assertFalse(curated.name().isBlank());
        assertTrue(curated.date().matches("\\d{4}-\\d{2}-\\d{2}"));
        assertTrue(curated.count() > 0);
        for (Advisory a : curated.all()) {
            assertFalse(a.affected().isEmpty(), a.id() + " has Maven entries");
            a.affected().forEach(x -> assertTrue(x.pkg().contains(":"), a.id() + ": groupId:artifactId"));
        }
        Path src = Fixtures.project(tmp.resolve("src"));
        Path out = tmp.resolve("out");
        assertEquals(0, sca("--source", src.toString(), "--out", out.toString(), "--advisories", Fixtures.resource("osv").toString()));
        JsonNode sources = JSON.readTree(out.resolve("result.json").toFile()).at("/summary/advisories/sources");
        assertEquals(curated.name(), sources.at("/0/name").asText());
        assertEquals(curated.count(), sources.at("/0/count").asInt());
        assertEquals("osv", sources.at("/1/source").asText());
        assertEquals(Set.of(), SarifSchema.violations(out.resolve("sca.sarif")));
    }

    @Test
    void withoutATreeTheStageIsAnError(@TempDir Path tmp) throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("pom.xml"), "<project/>");
        Path out = tmp.resolve("out");
        assertEquals(1, sca("--source", src.toString(), "--out", out.toString()));
        JsonNode result = JSON.readTree(out.resolve("result.json").toFile());
        assertEquals("ERROR", result.path("status").asText());
        assertTrue(result.path("message").asText().contains("no dependency tree found"), result.path("message").asText());
        assertFalse(Files.exists(out.resolve("sca.sarif")));

        assertEquals(1, sca("--source", Fixtures.project(tmp.resolve("p")).toString(), "--out", out.toString(),
                "--advisories", tmp.resolve("missing").toString()));
        assertTrue(JSON.readTree(out.resolve("result.json").toFile()).path("message").asText().contains("do not exist"));
    }

    @Test
    void usageMistakesAreUsageErrors(@TempDir Path tmp) {
        assertThrows(Args.UsageException.class, () -> sca("--out", tmp.toString()));
        assertThrows(Args.UsageException.class, () -> sca("--source", tmp.toString()));
        assertThrows(Args.UsageException.class, () -> sca("--source", tmp.resolve("nope").toString(), "--out", tmp.toString()));
        assertThrows(Args.UsageException.class, () -> sca("--source", tmp.toString(), "--out", tmp.toString(), "--advisory", "x"));
        assertThrows(Args.UsageException.class, () -> new AdvisoriesImportCommand().run(Args.parse(List.of("--into", tmp.toString()))));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
