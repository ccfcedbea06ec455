package dev.pipelinex.job;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the job metadata a client sends, strictly: unknown fields, wrong types and missing
 * required values are refused with the field named, and so is a pipeline with every stage switched
 * off. Missing optional values take defaults:
 * {@code versions} Java 17 and Maven 3.9, every {@code pipeline} stage on. The document itself
 * is bounded: at most {@link #MAX_METADATA_CHARS} characters, {@link #MAX_DEPTH} levels of
 * nesting, numbers of at most 20 digits, one value per key, one JSON object and nothing after it.
 */
public final class MetadataParser {

    public static final int MAX_METADATA_CHARS = 16 * 1024;
    public static final String DEFAULT_JAVA = "17";
    public static final String DEFAULT_BUILD_TOOL = "3.9";
    /** Deepest nesting of objects and arrays a metadata document may have. */
    public static final int MAX_DEPTH = 8;

    private static final java.util.regex.Pattern JAVA_VERSION = java.util.regex.Pattern.compile("[1-9]\\d{0,2}");
    private static final java.util.regex.Pattern TOOL_VERSION =
            java.util.regex.Pattern.compile("[1-9]\\d{0,2}(\\.\\d{1,4}){0,2}");
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,39}");
    private static final ObjectReader READER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(20)
                    .maxStringLength(MAX_METADATA_CHARS)
                    .maxNameLength(100)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
            .reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

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
        // Surrounding spaces are a slip of the hand; any other whitespace or control character is refused with the URL.
        return new GitRequest(url.asText().replaceAll("^ +| +$", ""), read(root, Set.of("github_url")));
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
            if (!on[0] && !on[1] && !on[2] && !on[3] && !on[4]) {
                throw new RequestRefusedException(Refusal.NO_STAGE, "every stage is switched off, so the job would "
                        + "do nothing; switch on at least one of pipeline." + String.join(", pipeline.", TOGGLES));
            }
            options = new JobRequest.PipelineOptions(on[0], on[1], on[2], on[3], on[4], failOn, mode, pruning);
        }
        return new JobRequest(s, new JobRequest.Versions(java, buildTool), options);
    }

    private static JsonNode tree(String json) {
        if (json == null || json.isBlank()) {
            throw invalid("the metadata is empty; send a JSON object with at least 'stack'");
        }
        if (json.charAt(0) == '\uFEFF') {
            throw invalid("the metadata starts with a byte order mark; send plain UTF-8 JSON without one");
        }
        if (json.length() > MAX_METADATA_CHARS) {
            throw invalid("the metadata is " + json.length() + " characters long; the limit is "
                    + MAX_METADATA_CHARS);
        }
        com.fasterxml.jackson.core.JsonParser parser = null;
        try {
            parser = READER.createParser(json);
            JsonNode tree = READER.readTree(parser);
            // One JSON value and nothing after it: a second object would otherwise be ignored silently.
            if (parser.nextToken() != null) {
                throw invalid("the metadata is not valid JSON: there is more after the object"
                        + where(parser.currentLocation()));
            }
            return tree;
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage();
            if (why.startsWith("Duplicate field")) {
                why = why + "; each field may appear once";
            } else if (why.contains("nesting depth")) {
                why = "it is nested deeper than " + MAX_DEPTH + " levels";
            } else if (why.contains("Number value length")) {
                why = "a number is longer than 20 digits";
            } else if (why.contains("String value length") || why.contains("Name length")) {
                why = "a string or field name is too long";
            }
            throw invalid("the metadata is not valid JSON: " + printable(why) + field(parser)
                    + where(e.getLocation() != null ? e.getLocation() : parser == null ? null : parser.currentLocation()));
        } catch (java.io.IOException e) {
            throw invalid("the metadata cannot be read: " + e.getMessage());
        } finally {
            if (parser != null) {
                try {
                    parser.close();
                } catch (java.io.IOException e) {
                    // a parser over a string
                }
            }
        }
    }

    /** " at field 'versions.java'" for where the parser stopped inside an object, else "". */
    private static String field(com.fasterxml.jackson.core.JsonParser parser) {
        if (parser == null || parser.getParsingContext() == null) {
            return "";
        }
        String pointer = parser.getParsingContext().pathAsPointer().toString();
        if (pointer.isEmpty() || pointer.equals("/")) {
            return "";
        }
        return " at field '" + abbreviate(pointer.substring(1).replace('/', '.')) + "'";
    }

    private static String where(com.fasterxml.jackson.core.JsonLocation location) {
        return location == null || location.getLineNr() < 0 ? ""
                : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
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
        String text = v.asText().trim();
        if (!NAME.matcher(text).matches()) {
            throw invalid("field '" + prefix + field + "' must be a name such as \"java\", \"spring-boot\" or "
                    + "\"maven\" (letters, digits, '.', '_', '-'), got " + kind(v));
        }
        return text;
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
        java.util.regex.Pattern form = field.equals("java") ? JAVA_VERSION : TOOL_VERSION;
        if (!form.matcher(text).matches()) {
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
        String p = printable(s);
        return p.length() <= 40 ? p : p.substring(0, 40) + "…";
    }

    /** {@code s} with control and invisible characters shown as '?', safe to echo in a detail. */
    private static String printable(String s) {
        return s.replaceAll("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]", "?");
    }

    private static RequestRefusedException invalid(String detail) {
        return new RequestRefusedException(Refusal.INVALID_METADATA, detail);
    }
}
