package dev.pipelinex.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the job metadata a client sends, strictly: unknown fields, wrong types and missing
 * required values are refused with the field named. Missing optional values take defaults:
 * {@code versions} Java 17 and Maven 3.9, every {@code pipeline} stage on.
 */
public final class MetadataParser {

    public static final int MAX_METADATA_CHARS = 16 * 1024;
    public static final String DEFAULT_JAVA = "17";
    public static final String DEFAULT_BUILD_TOOL = "3.9";

    private static final Set<String> TOP = Set.of("stack", "versions", "pipeline");
    private static final Set<String> STACK = Set.of("language", "framework", "build_tool");
    private static final Set<String> VERSIONS = Set.of("java", "build_tool");
    /** The stage toggles of {@code pipeline}, in stage order. */
    public static final List<String> TOGGLES =
            List.of("run_build", "run_unit_tests", "run_sast", "run_sca", "run_secret_scan");
    private static final Set<String> PIPELINE = java.util.stream.Stream.concat(TOGGLES.stream(),
            java.util.stream.Stream.of("fail_on", "secret_scan_mode", "sast_pruning")).collect(java.util.stream.Collectors.toUnmodifiableSet());

    /** A GitHub submission: the repository URL beside the usual metadata. */
    public record GitRequest(String url, JobRequest request) {
    }

    public JobRequest parse(String json) {
        return read(object(tree(json), "metadata"), Set.of());
    }

    public GitRequest parseGit(String json) {
        ObjectNode root = object(tree(json), "request body");
        JsonNode url = root.get("github_url");
        if (url == null || !url.isTextual() || url.asText().isBlank()) {
            throw invalid("field 'github_url' is required and must be a string such as "
                    + "\"https://github.com/owner/repo.git\"");
        }
        return new GitRequest(url.asText().trim(), read(root, Set.of("github_url")));
    }

    private JobRequest read(ObjectNode root, Set<String> extra) {
        rejectUnknown(root, "", TOP, extra);
        JsonNode stackNode = root.get("stack");
        if (stackNode == null) {
            throw invalid("field 'stack' is required, for example "
                    + "{\"language\": \"java\", \"framework\": \"spring-boot\", \"build_tool\": \"maven\"}");
        }
        ObjectNode stack = object(stackNode, "stack");
        rejectUnknown(stack, "stack.", STACK, Set.of());
        JobRequest.Stack s = new JobRequest.Stack(
                requiredText(stack, "stack.", "language"),
                requiredText(stack, "stack.", "framework"),
                requiredText(stack, "stack.", "build_tool"));

        String java = DEFAULT_JAVA;
        String buildTool = DEFAULT_BUILD_TOOL;
        JsonNode versionsNode = root.get("versions");
        if (versionsNode != null && !versionsNode.isNull()) {
            ObjectNode versions = object(versionsNode, "versions");
            rejectUnknown(versions, "versions.", VERSIONS, Set.of());
            java = version(versions, "java", java);
            buildTool = version(versions, "build_tool", buildTool);
        }

        JobRequest.PipelineOptions options = JobRequest.PipelineOptions.ALL;
        JsonNode pipelineNode = root.get("pipeline");
        if (pipelineNode != null && !pipelineNode.isNull()) {
            ObjectNode pipeline = object(pipelineNode, "pipeline");
            rejectUnknown(pipeline, "pipeline.", PIPELINE, Set.of());
            boolean[] on = new boolean[TOGGLES.size()];
            for (int i = 0; i < on.length; i++) {
                on[i] = toggle(pipeline, TOGGLES.get(i));
            }
            String failOn = choice(pipeline, "fail_on", JobRequest.PipelineOptions.SEVERITIES, null);
            String mode = choice(pipeline, "secret_scan_mode", JobRequest.PipelineOptions.SECRET_SCAN_MODES, "files");
            boolean pruning = toggle(pipeline, "sast_pruning");
            options = new JobRequest.PipelineOptions(on[0], on[1], on[2], on[3], on[4], failOn, mode, pruning);
        }
        return new JobRequest(s, new JobRequest.Versions(java, buildTool), options);
    }

    private static JsonNode tree(String json) {
        if (json == null || json.isBlank()) {
            throw invalid("the metadata is empty; send a JSON object with at least 'stack'");
        }
        if (json.length() > MAX_METADATA_CHARS) {
            throw invalid("the metadata is " + json.length() + " characters long; the limit is "
                    + MAX_METADATA_CHARS);
        }
        try {
            // One JSON value and nothing after it: a second object would otherwise be ignored silently.
            return JobFiles.json().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(json);
        } catch (JsonProcessingException e) {
            throw invalid("the metadata is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ")"));
        }
    }

    private static ObjectNode object(JsonNode node, String name) {
        if (!(node instanceof ObjectNode o)) {
            throw invalid("'" + name + "' must be a JSON object, got " + kind(node));
        }
        return o;
    }

    private static void rejectUnknown(ObjectNode node, String prefix, Set<String> known, Set<String> extra) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            String name = it.next().getKey();
            if (!known.contains(name) && !extra.contains(name)) {
                throw invalid("unknown field '" + prefix + name + "'; allowed here: "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    private static String requiredText(ObjectNode node, String prefix, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw invalid("field '" + prefix + field + "' is required");
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw invalid("field '" + prefix + field + "' must be a non-empty string, got " + kind(v));
        }
        return v.asText().trim();
    }

    private static String version(ObjectNode node, String field, String fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        String text;
        if (v.isTextual()) {
            text = v.asText().trim();
        } else if (v.isIntegralNumber()) {
            text = v.asText();
        } else {
            throw invalid("field 'versions." + field + "' must be a string such as \"" + fallback
                    + "\", got " + kind(v));
        }
        if (!text.matches("\\d{1,3}(\\.\\d{1,4}){0,2}")) {
            throw invalid("field 'versions." + field + "' must be a version such as \"" + fallback
                    + "\", got \"" + abbreviate(text) + "\"");
        }
        return text;
    }

    private static boolean toggle(ObjectNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return true;
        }
        if (!v.isBoolean()) {
            throw invalid("field 'pipeline." + field + "' must be true or false, got " + kind(v));
        }
        return v.asBoolean();
    }

    /** One of {@code allowed} (case-insensitive), or {@code fallback} when absent. */
    private static String choice(ObjectNode node, String field, List<String> allowed, String fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        String text = v.isTextual() ? v.asText().trim().toLowerCase(java.util.Locale.ROOT) : null;
        if (text == null || !allowed.contains(text)) {
            throw invalid("field 'pipeline." + field + "' must be one of " + String.join(", ", allowed)
                    + ", got " + kind(v));
        }
        return text;
    }

    private static String kind(JsonNode v) {
        if (v == null || v.isNull()) {
            return "null";
        }
        if (v.isTextual()) {
            return "the string \"" + abbreviate(v.asText()) + "\"";
        }
        if (v.isNumber()) {
            return "the number " + v.asText();
        }
        if (v.isBoolean()) {
            return v.asText();
        }
        return v.isArray() ? "an array" : "an object";
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    private static RequestRefusedException invalid(String detail) {
        return new RequestRefusedException(Refusal.INVALID_METADATA, detail);
    }
}
