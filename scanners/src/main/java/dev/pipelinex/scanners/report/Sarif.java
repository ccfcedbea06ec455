package dev.pipelinex.scanners.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one SARIF 2.1.0 log with a single run: the tool and its rules, then the findings with
 * repository-relative locations, a partial fingerprint, and suppressions for suppressed ones.
 */
public final class Sarif {

    public static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
    public static final String VERSION = "2.1.0";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Sarif() {
    }

    /** The tool that produced a run: its name, version and home page (may be null). */
    public record Tool(String name, String version, String informationUri) {
    }

    public static ObjectNode log(Tool tool, Collection<Rule> rules, List<Finding> findings,
                                 Map<String, Object> runProperties) {
        ObjectNode log = JSON.createObjectNode();
        log.put("$schema", SCHEMA);
        log.put("version", VERSION);
        ObjectNode run = log.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", tool.name());
        if (tool.version() != null) {
            driver.put("version", tool.version());
        }
        if (tool.informationUri() != null) {
            driver.put("informationUri", tool.informationUri());
        }
        ArrayNode ruleArray = driver.putArray("rules");
        Map<String, Integer> index = new HashMap<>();
        for (Rule r : rules) {
            if (index.containsKey(r.id())) {
                continue;
            }
            index.put(r.id(), index.size());
            ObjectNode rule = ruleArray.addObject();
            rule.put("id", r.id());
            if (r.name() != null) {
                rule.put("name", r.name());
            }
            rule.putObject("shortDescription").put("text", nonEmpty(r.name(), r.id()));
            rule.putObject("fullDescription").put("text", nonEmpty(r.description(), nonEmpty(r.name(), r.id())));
            if (r.helpUri() != null) {
                rule.put("helpUri", r.helpUri());
            }
            rule.putObject("defaultConfiguration").put("level", r.severity().sarifLevel());
            ObjectNode props = rule.putObject("properties");
            props.put("security-severity", r.severity().securitySeverity());
            props.put("severity", r.severity().id());
            ArrayNode tags = props.putArray("tags");
            tags.add("security");
            r.tags().forEach(tags::add);
        }
        run.putObject("originalUriBaseIds").putObject("SRCROOT").put("uri", "file:///");
        ArrayNode results = run.putArray("results");
        for (Finding f : findings) {
            ObjectNode result = results.addObject();
            result.put("ruleId", f.ruleId());
            Integer ruleIndex = index.get(f.ruleId());
            if (ruleIndex != null) {
                result.put("ruleIndex", ruleIndex);
            }
            result.put("level", f.severity().sarifLevel());
            result.putObject("message").put("text", nonEmpty(f.message(), f.ruleId()));
            ObjectNode location = result.putArray("locations").addObject();
            ObjectNode physical = location.putObject("physicalLocation");
            ObjectNode artifact = physical.putObject("artifactLocation");
            artifact.put("uri", f.path() == null ? "pom.xml" : f.path());
            artifact.put("uriBaseId", "SRCROOT");
            if (f.startLine() > 0) {
                ObjectNode region = physical.putObject("region");
                region.put("startLine", f.startLine());
                if (f.endLine() >= f.startLine()) {
                    region.put("endLine", f.endLine());
                }
            }
            if (f.fingerprint() != null) {
                result.putObject("partialFingerprints").put("pipelinex/v1", f.fingerprint());
            }
            if (f.suppressed()) {
                ObjectNode suppression = result.putArray("suppressions").addObject();
                suppression.put("kind", "external");
                suppression.put("status", "accepted");
                suppression.put("justification", f.suppression());
            }
            ObjectNode props = result.putObject("properties");
            props.put("severity", f.severity().id());
            props.put("security-severity", f.severity().securitySeverity());
            f.properties().forEach((k, v) -> props.set(k, JSON.valueToTree(v)));
        }
        if (runProperties != null && !runProperties.isEmpty()) {
            ObjectNode props = run.putObject("properties");
            runProperties.forEach((k, v) -> props.set(k, JSON.valueToTree(v)));
        }
        return log;
    }

    public static void write(Path file, ObjectNode log) throws IOException {
        Reports.writeAtomically(file, JSON.writeValueAsBytes(log));
    }

    private static String nonEmpty(String s, String fallback) {
        return s == null || s.isBlank() ? fallback : s;
    }
}
