package dev.pipelinex.job;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The schema of a stage's {@code result.json}, version {@value #VERSION}:
 * {@code {"schema": 1, "stage", "status", "duration_ms", "message", "summary"}}. A stage's process
 * may run a hostile project's code, so its result is data to check, never to believe as it comes:
 * types and sizes are checked, and control characters are taken out of every text.
 *
 * <p>The summary is an object of at most {@value #MAX_ENTRIES} entries whose keys are
 * {@code [a-z][a-z0-9_]{0,63}}; its values are numbers, booleans, null, texts, arrays of at most
 * {@value #MAX_ARRAY} elements or objects of the same rules, with objects and arrays nested at most
 * {@value #MAX_DEPTH} levels below the summary (the SCA scanner's
 * {@code summary.advisories.sources[{name, …}]} is three). Known entries have their types:
 * {@code tests{passed, failed, skipped}} and {@code findings{critical, high, medium, low, info}}
 * are counts, {@code tests_follow} is true or false.
 */
public final class ResultSchema {

    public static final int VERSION = 1;
    /** Characters kept of a message or any text of the summary. */
    public static final int MAX_MESSAGE = 2000;
    /** A result.json larger than this is refused. */
    public static final long MAX_BYTES = 1 << 20;

    private static final List<String> FIELDS = List.of("schema", "stage", "status", "duration_ms", "message", "summary");
    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    private static final int MAX_ENTRIES = 64;
    private static final int MAX_DEPTH = 3;
    private static final int MAX_ARRAY = 1000;
    private static final Map<String, List<String>> COUNTS = Map.of(
            "tests", List.of("passed", "failed", "skipped"),
            "findings", List.of("critical", "high", "medium", "low", "info"));

    /** A result that does not validate; the message says what is wrong, for a person to act on. */
    public static final class InvalidResult extends Exception {
        public InvalidResult(String message) {
            super(message);
        }
    }

    private ResultSchema() {
    }

    /** Parses and checks {@code json} as the result of {@code stage}; the result has its texts cleaned. */
    public static StageResult validate(String stage, byte[] json) throws InvalidResult {
        String what = "result.json of stage " + stage + " is invalid: ";
        if (json == null) {
            throw new InvalidResult(what + "it is empty");
        }
        if (json.length > MAX_BYTES) {
            throw new InvalidResult(what + "it is " + json.length + " bytes, more than the " + MAX_BYTES + " allowed");
        }
        JsonNode root;
        try (JsonParser parser = JobFiles.json().createParser(json)) {
            root = JobFiles.json().readTree(parser);
            if (root != null && parser.nextToken() != null) {
                throw new InvalidResult(what + "there is more after its JSON object");
            }
        } catch (IOException | RuntimeException e) {
            throw new InvalidResult(what + "the stage wrote an unreadable result.json, not well-formed JSON (" + clean(e.getMessage()) + ")");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidResult(what + "it is not a JSON object"
                    + (root == null || root.isMissingNode() ? " but empty" : " but " + kind(root)));
        }
        // The version first: a result of another version is refused as such, whatever else it holds.
        JsonNode schema = root.get("schema");
        if (schema == null || !schema.isInt() || schema.intValue() != VERSION) {
            throw new InvalidResult(what + (schema == null ? "it has no \"schema\" field" : "it is of schema " + shown(schema))
                    + "; this server reads schema " + VERSION);
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw new InvalidResult(what + "unknown field \"" + clean(field) + "\"; the fields are "
                        + String.join(", ", FIELDS));
            }
        }
        JsonNode stageNode = root.get("stage");
        if (stageNode == null || !stageNode.isTextual() || !stageNode.textValue().equals(stage)) {
            throw new InvalidResult(what + "its stage is " + (stageNode == null ? "missing" : shown(stageNode))
                    + ", expected \"" + stage + "\"");
        }
        JsonNode statusNode = root.get("status");
        ResultStatus status = null;
        if (statusNode != null && statusNode.isTextual()) {
            for (ResultStatus s : ResultStatus.values()) {
                if (s.name().equals(statusNode.textValue())) {
                    status = s;
                }
            }
        }
        if (status == null) {
            throw new InvalidResult(what + "status " + (statusNode == null ? "missing" : shown(statusNode))
                    + " is not one of PASSED, FAILED, ERROR, SKIPPED");
        }
        JsonNode duration = root.get("duration_ms");
        if (duration != null && !isCount(duration)) {
            throw new InvalidResult(what + "duration_ms " + shown(duration) + " is not a whole number of milliseconds, at least 0");
        }
        JsonNode message = root.get("message");
        if (message != null && !message.isNull() && !message.isTextual()) {
            throw new InvalidResult(what + "message must be text or null, not " + kind(message));
        }
        JsonNode summary = root.get("summary");
        if (summary != null && !summary.isObject()) {
            throw new InvalidResult(what + "summary must be an object, not " + kind(summary));
        }
        Map<String, Object> values = Map.of();
        if (summary != null) {
            check(summary, 0, "summary", what);
            for (Map.Entry<String, List<String>> c : COUNTS.entrySet()) {
                JsonNode counts = summary.get(c.getKey());
                if (counts == null) {
                    continue;
                }
                if (!counts.isObject()) {
                    throw new InvalidResult(what + "summary." + c.getKey() + " must be an object of "
                            + String.join(", ", c.getValue()) + ", not " + kind(counts));
                }
                for (String name : c.getValue()) {
                    JsonNode n = counts.get(name);
                    if (n == null || !isCount(n)) {
                        throw new InvalidResult(what + "summary." + c.getKey() + "." + name + " is "
                                + (n == null ? "missing" : shown(n)) + ", expected a whole number, at least 0");
                    }
                }
            }
            JsonNode follow = summary.get("tests_follow");
            if (follow != null && !follow.isBoolean()) {
                throw new InvalidResult(what + "summary.tests_follow is " + shown(follow) + ", expected true or false");
            }
            values = topLevel(summary);
        }
        return new StageResult(stage, status, duration == null ? 0 : duration.longValue(),
                message == null || message.isNull() ? null : clean(message.textValue()), values);
    }

    private static boolean isCount(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong() && n.longValue() >= 0;
    }

    /** {@code node} as it is written, cut short (it came from the stage: cleaned). */
    private static String shown(JsonNode node) {
        String s = node.toString();
        return clean(s.length() > 80 ? s.substring(0, 80) + "…" : s);
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "text";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static void check(JsonNode node, int depth, String path, String what) throws InvalidResult {
        if (!node.isContainerNode()) {
            return;
        }
        if (depth > MAX_DEPTH) {
            throw new InvalidResult(what + path + " is nested deeper than " + MAX_DEPTH + " levels below summary");
        }
        if (node.isObject()) {
            if (node.size() > MAX_ENTRIES) {
                throw new InvalidResult(what + path + " has " + node.size() + " entries, more than the "
                        + MAX_ENTRIES + " allowed");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!KEY.matcher(e.getKey()).matches()) {
                    throw new InvalidResult(what + "key \"" + clean(e.getKey()) + "\" in " + path
                            + " is not a lower-case letter followed by at most 63 lower-case letters, digits and _");
                }
                check(e.getValue(), depth + 1, path + "." + e.getKey(), what);
            }
        } else {
            if (node.size() > MAX_ARRAY) {
                throw new InvalidResult(what + path + " has " + node.size() + " elements, more than the "
                        + MAX_ARRAY + " allowed");
            }
            for (JsonNode element : node) {
                check(element, depth + 1, path + "[]", what);
            }
        }
    }

    /** The summary as a map, its texts cleaned; a null entry is left out (StageResult holds none). */
    private static Map<String, Object> topLevel(JsonNode summary) {
        @SuppressWarnings("unchecked")
        Map<String, Object> raw = JobFiles.json().convertValue(summary, Map.class);
        Map<String, Object> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            if (v != null) {
                out.put(k, cleanValue(v));
            }
        });
        return out;
    }

    private static Object cleanValue(Object v) {
        if (v instanceof String s) {
            return clean(s);
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, value) -> out.put(k, cleanValue(value)));
            return out;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(ResultSchema::cleanValue).toList();
        }
        return v;
    }

    /**
     * {@code text} on one line: every control character (below 0x20 and 0x7f–0x9f, newlines and
     * tabs included) becomes one space, and it is cut to {@value #MAX_MESSAGE} characters with a
     * trailing "…" when it is longer; null stays null.
     */
    public static String clean(String text) {
        if (text == null) {
            return null;
        }
        boolean cut = text.length() > MAX_MESSAGE;
        int end = cut ? MAX_MESSAGE : text.length();
        if (cut && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // not half of a character
        }
        StringBuilder sb = new StringBuilder(end + 1);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            sb.append(c < 0x20 || (c >= 0x7f && c <= 0x9f) ? ' ' : c);
        }
        if (cut) {
            sb.append('…');
        }
        return sb.toString();
    }
}
