package dev.pipelinex.scanners.secrets;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.pipelinex.scanners.report.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The rules the secret scanner applies: the built-in file {@code secrets/rules.toml} and any
 * number of operator files of the same format merged over it. A rule with the id of an existing
 * one replaces it where it stands; a rule with {@code disabled = true} removes it; any other rule
 * is new and goes before the built-in ones (when two rules match the same text, the one listed
 * first is reported, so an operator's specific rule wins over a built-in generic one). Global
 * allowlists add up. Files are validated strictly: an unknown key, a missing or repeated id, a
 * regex that does not compile or a secret group the regex lacks is an error naming the file and
 * the rule.
 */
public final class RuleSet {

    /** The rule file format this scanner reads ({@code version = 1}). */
    public static final int FORMAT_VERSION = 1;
    public static final String BUILT_IN = "secrets/rules.toml";

    private static final Set<String> TOP_KEYS = Set.of("version", "title", "allowlist", "rules");
    private static final Set<String> RULE_KEYS = Set.of("id", "description", "severity", "keywords", "regex",
            "secret_group", "entropy", "path", "multiline", "allowlist", "tp", "fp", "sample_path", "disabled");
    private static final Set<String> ALLOWLIST_KEYS = Set.of("description", "regexes", "stopwords", "paths");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,79}");
    private static final TomlMapper TOML = new TomlMapper();

    private final List<SecretRule> rules;
    private final Allowlist allowlist;

    public RuleSet(List<SecretRule> rules, Allowlist allowlist) {
        this.rules = List.copyOf(rules);
        this.allowlist = allowlist;
    }

    public List<SecretRule> rules() {
        return rules;
    }

    /** The global allowlist: applies to every rule. */
    public Allowlist allowlist() {
        return allowlist;
    }

    public static RuleSet builtIn() {
        try (InputStream in = RuleSet.class.getClassLoader().getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException("the built-in rule file " + BUILT_IN + " is not on the classpath");
            }
            RuleFile file = parse(BUILT_IN, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return new RuleSet(List.of(), Allowlist.EMPTY).merge(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The built-in rules with the given files merged over them, in order. */
    public static RuleSet load(List<Path> extraFiles) {
        RuleSet set = builtIn();
        for (Path p : extraFiles) {
            String text;
            try {
                text = Files.readString(p, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new RuleFileException(p + ": no such rule file");
            } catch (IOException e) {
                throw new RuleFileException(p + ": cannot be read: " + e.getMessage());
            }
            set = set.merge(parse(p.toString(), text));
        }
        return set;
    }

    /** This set with a parsed rule file merged over it (see the class comment). */
    public RuleSet merge(RuleFile file) {
        List<SecretRule> merged = new ArrayList<>(rules);
        List<SecretRule> added = new ArrayList<>();
        for (RuleFile.Entry e : file.entries()) {
            int at = indexOf(merged, e.id());
            if (e.rule() == null) {
                if (at < 0) {
                    throw new RuleFileException(file.origin() + ": rule \"" + e.id()
                            + "\" is disabled, but no rule read before has that id");
                }
                merged.remove(at);
            } else if (at >= 0) {
                merged.set(at, e.rule());
            } else {
                added.add(e.rule());
            }
        }
        added.addAll(merged);
        return new RuleSet(added, allowlist.plus(file.allowlist()));
    }

    private static int indexOf(List<SecretRule> rules, String id) {
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /** A parsed rule file: its global allowlist and its rules in order ({@code rule} null: disabled). */
    public record RuleFile(String origin, Allowlist allowlist, List<Entry> entries) {
        public record Entry(String id, SecretRule rule) {
        }
    }

    /** Parses and validates one rule file; {@code origin} names it in errors. */
    public static RuleFile parse(String origin, String text) {
        JsonNode root;
        try {
            root = TOML.readTree(text);
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            throw new RuleFileException(origin + (at != null && at.getLineNr() > 0 ? ":" + at.getLineNr() : "")
                    + ": not valid TOML: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new RuleFileException(origin + ": not valid TOML: the file is empty");
        }
        unknownKeys(root, TOP_KEYS, origin);
        JsonNode version = root.get("version");
        if (version == null || !version.isIntegralNumber()) {
            throw new RuleFileException(origin + ": version is missing (write version = " + FORMAT_VERSION + ")");
        }
        if (version.asInt() != FORMAT_VERSION) {
            throw new RuleFileException(origin + ": version " + version.asText() + " is not supported (this scanner reads version "
                    + FORMAT_VERSION + ")");
        }
        Allowlist global = allowlist(root.get("allowlist"), origin + ": [allowlist]");
        JsonNode rulesNode = root.get("rules");
        List<RuleFile.Entry> entries = new ArrayList<>();
        if (rulesNode != null) {
            if (!rulesNode.isArray()) {
                throw new RuleFileException(origin + ": rules must be an array of tables ([[rules]])");
            }
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < rulesNode.size(); i++) {
                RuleFile.Entry entry = rule(rulesNode.get(i), origin, i);
                if (!ids.add(entry.id())) {
                    throw new RuleFileException(origin + ": rule \"" + entry.id() + "\" (rules[" + i + "]) repeats an id used before in the file");
                }
                entries.add(entry);
            }
        }
        return new RuleFile(origin, global, entries);
    }

    private static RuleFile.Entry rule(JsonNode node, String origin, int index) {
        String where = origin + ": rules[" + index + "]";
        if (node == null || !node.isObject()) {
            throw new RuleFileException(where + " must be a table");
        }
        JsonNode idNode = node.get("id");
        if (idNode == null || !idNode.isTextual() || idNode.asText().isBlank()) {
            throw new RuleFileException(where + ": id is missing");
        }
        String id = idNode.asText();
        String at = origin + ": rule \"" + id + "\" (rules[" + index + "])";
        if (!ID.matcher(id).matches()) {
            throw new RuleFileException(at + ": the id may use only letters, digits, '.', '_' and '-' (at most 80)");
        }
        unknownKeys(node, RULE_KEYS, at);
        if (bool(node, "disabled", false, at)) {
            return new RuleFile.Entry(id, null);
        }
        String description = requiredText(node, "description", at);
        String severityText = requiredText(node, "severity", at);
        Severity severity = Severity.parse(severityText).filter(s -> s.id().equals(severityText))
                .orElseThrow(() -> new RuleFileException(at + ": severity must be one of critical, high, medium, low, info, not \"" + severityText + "\""));
        Pattern regex = regex(requiredText(node, "regex", at), at + ": regex");
        int groups = regex.matcher("").groupCount();
        int secretGroup = groups > 0 ? 1 : 0;
        JsonNode sg = node.get("secret_group");
        if (sg != null) {
            if (!sg.isIntegralNumber()) {
                throw new RuleFileException(at + ": secret_group must be a whole number");
            }
            secretGroup = sg.asInt();
            if (secretGroup < 0 || secretGroup > groups) {
                throw new RuleFileException(at + ": secret_group " + secretGroup + " is out of range: the regex has "
                        + groups + (groups == 1 ? " group" : " groups"));
            }
        }
        double entropy = 0;
        JsonNode en = node.get("entropy");
        if (en != null) {
            if (!en.isNumber() || en.asDouble() < 0 || en.asDouble() > 8) {
                throw new RuleFileException(at + ": entropy must be a number from 0 to 8 (bits per character)");
            }
            entropy = en.asDouble();
        }
        List<String> keywords = new ArrayList<>();
        for (String k : texts(node, "keywords", at)) {
            if (k.isEmpty() || !k.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                throw new RuleFileException(at + ": keyword \"" + k + "\" must be non-empty printable ASCII");
            }
            keywords.add(k.toLowerCase(java.util.Locale.ROOT));
        }
        JsonNode pathNode = node.get("path");
        Pattern path = null;
        if (pathNode != null) {
            if (!pathNode.isTextual()) {
                throw new RuleFileException(at + ": path must be a string (a regex)");
            }
            path = regex(pathNode.asText(), at + ": path");
        }
        boolean multiline = bool(node, "multiline", false, at);
        Allowlist allowlist = allowlist(node.get("allowlist"), at + ": allowlist");
        List<String> tp = texts(node, "tp", at);
        List<String> fp = texts(node, "fp", at);
        JsonNode sp = node.get("sample_path");
        String samplePath = "sample.txt";
        if (sp != null) {
            if (!sp.isTextual() || sp.asText().isBlank()) {
                throw new RuleFileException(at + ": sample_path must be a relative path");
            }
            samplePath = sp.asText();
        }
        if (path != null && !(tp.isEmpty() && fp.isEmpty()) && !path.matcher(samplePath).find()) {
            throw new RuleFileException(at + ": sample_path \"" + samplePath + "\" does not match the rule's path, so its tp and fp samples could not be checked");
        }
        return new RuleFile.Entry(id, new SecretRule(id, description, severity, keywords, regex, secretGroup, entropy,
                path, multiline, allowlist, tp, fp, samplePath, origin));
    }

    private static Allowlist allowlist(JsonNode node, String where) {
        if (node == null) {
            return Allowlist.EMPTY;
        }
        if (!node.isObject()) {
            throw new RuleFileException(where + " must be a table");
        }
        unknownKeys(node, ALLOWLIST_KEYS, where);
        if (node.has("description") && !node.get("description").isTextual()) {
            throw new RuleFileException(where + ": description must be a string");
        }
        List<Pattern> regexes = new ArrayList<>();
        for (String r : texts(node, "regexes", where)) {
            regexes.add(regex(r, where + ": regexes"));
        }
        List<Pattern> paths = new ArrayList<>();
        for (String r : texts(node, "paths", where)) {
            paths.add(regex(r, where + ": paths"));
        }
        List<String> stopwords = texts(node, "stopwords", where);
        if (stopwords.stream().anyMatch(String::isEmpty)) {
            throw new RuleFileException(where + ": stopwords must not be empty strings");
        }
        return new Allowlist(regexes, stopwords, paths);
    }

    private static Pattern regex(String text, String where) {
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw new RuleFileException(where + " does not compile: " + e.getDescription()
                    + (e.getIndex() >= 0 ? " near index " + e.getIndex() : "") + " in " + text);
        }
    }

    private static void unknownKeys(JsonNode node, Set<String> known, String where) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                throw new RuleFileException(where + ": unknown key \"" + key + "\" (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String requiredText(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new RuleFileException(where + ": " + key + " is missing");
        }
        return v.asText();
    }

    private static boolean bool(JsonNode node, String key, boolean fallback, String where) {
        JsonNode v = node.get(key);
        if (v == null) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw new RuleFileException(where + ": " + key + " must be true or false");
        }
        return v.asBoolean();
    }

    private static List<String> texts(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new RuleFileException(where + ": " + key + " must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual()) {
                throw new RuleFileException(where + ": " + key + " must be an array of strings");
            }
            out.add(item.asText());
        }
        return out;
    }
}
