package dev.pipelinex.scanners.sast;

import dev.pipelinex.scanners.report.Finding;
import dev.pipelinex.scanners.report.Rule;
import dev.pipelinex.scanners.report.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Turns SpotBugs' XML report ({@code -xml:withMessages}) into findings: repository-relative
 * paths, the pattern's CWE, and a severity from {@code sast/severity.properties} lowered one
 * level for findings the detector reports with low confidence. Informational patterns and
 * non-security categories are left out.
 */
public final class SpotBugsReport {

    /** SpotBugs' own security patterns; every other security pattern comes from FindSecBugs. */
    private static final Set<String> CORE_PREFIXES = Set.of("SQL_NONCONSTANT", "SQL_PREPARED", "HRS_", "XSS_REQUEST_PARAMETER",
            "PT_", "DMI_");

    private final Map<String, Severity> severities = new LinkedHashMap<>();
    private final Set<String> informational;

    /**
     * The report's rules and findings; {@code sites} gives, by fingerprint, the method and sink
     * of each finding for the precision step ({@link InjectionPruner}).
     */
    public record Result(List<Rule> rules, List<Finding> findings, int informationalLeftOut, String spotbugsVersion,
                         Map<String, BugSite> sites) {
    }

    public SpotBugsReport() {
        Properties p = new Properties();
        try (InputStream in = SpotBugsReport.class.getResourceAsStream("/sast/severity.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        informational = Set.of(p.getProperty("informational", "").split(","));
        p.stringPropertyNames().stream().filter(k -> !k.equals("informational")).forEach(k ->
                severities.put(k, Severity.parse(p.getProperty(k)).orElseThrow(() ->
                        new IllegalStateException("severity.properties: bad severity for " + k))));
    }

    public Result read(Path xml, SourceIndex sources) throws IOException {
        Document doc = parse(xml);
        Element root = doc.getDocumentElement();
        Map<String, Element> patterns = new LinkedHashMap<>();
        for (Element p : children(root, "BugPattern")) {
            patterns.put(p.getAttribute("type"), p);
        }
        Map<String, Rule> rules = new LinkedHashMap<>();
        List<Finding> findings = new ArrayList<>();
        Map<String, BugSite> sites = new LinkedHashMap<>();
        int leftOut = 0;
        for (Element bug : children(root, "BugInstance")) {
            String type = bug.getAttribute("type");
            if (!"SECURITY".equals(bug.getAttribute("category")) || informational.contains(type)) {
                leftOut++;
                continue;
            }
            Severity base = baseSeverity(type, intAttr(bug, "rank", 20));
            int priority = intAttr(bug, "priority", 2);
            Severity severity = priority >= 3 ? lower(base) : base;
            String cwe = bug.getAttribute("cweid");
            if (cwe.isEmpty() && patterns.containsKey(type)) {
                cwe = patterns.get(type).getAttribute("cweid");
            }
            rules.computeIfAbsent(type, t -> rule(t, patterns.get(t), base, bug));

            Element line = primarySourceLine(bug);
            String sourcePath = line == null ? "" : line.getAttribute("sourcepath");
            Optional<String> repoPath = sources.find(sourcePath);
            int start = line == null ? 0 : intAttr(line, "start", 0);
            int end = line == null ? 0 : intAttr(line, "end", start);

            Map<String, Object> props = new LinkedHashMap<>();
            if (!cwe.isEmpty()) {
                props.put("cwe", "CWE-" + cwe);
            }
            props.put("confidence", priority <= 1 ? "high" : priority == 2 ? "medium" : "low");
            props.put("rank", intAttr(bug, "rank", 20));
            Element method = firstChild(bug, "Method");
            if (method != null) {
                props.put("method", method.getAttribute("classname") + "." + method.getAttribute("name"));
            }
            String sink = null;
            List<Integer> sinkParameters = new ArrayList<>();
            for (Element s : children(bug, "String")) {
                if ("Sink method".equals(s.getAttribute("role"))) {
                    sink = s.getAttribute("value");
                    props.put("sink", sink);
                } else if ("Sink parameter".equals(s.getAttribute("role"))) {
                    for (String n : s.getAttribute("value").split(",")) {
                        try {
                            sinkParameters.add(Integer.parseInt(n.trim()));
                        } catch (NumberFormatException ignored) {
                            // not a parameter index
                        }
                    }
                }
            }
            if (repoPath.isEmpty()) {
                props.put("source_found", false);
            }
            String message = text(firstChild(bug, "LongMessage"));
            if (message.isEmpty()) {
                message = text(firstChild(bug, "ShortMessage"));
            }
            if (!cwe.isEmpty()) {
                message = message + " (CWE-" + cwe + ")";
            }
            String path = repoPath.orElse(sourcePath.isEmpty() ? null : sourcePath);
            String fingerprint = sha256(type + "|" + path + "|" + bug.getAttribute("instanceHash") + "|"
                    + bug.getAttribute("instanceOccurrenceNum"));
            findings.add(new Finding(type, severity, message, path, start, end, fingerprint, null, props));
            if (method != null && line != null) {
                sites.put(fingerprint, new BugSite(method.getAttribute("classname"), method.getAttribute("name"),
                        method.getAttribute("signature").isEmpty() ? null : method.getAttribute("signature"),
                        start, end, sink, sinkParameters));
            }
        }
        List<Finding> merged = mergeSameFlaw(findings);
        Set<String> used = new java.util.HashSet<>();
        merged.forEach(f -> used.add(f.ruleId()));
        List<Rule> usedRules = rules.values().stream().filter(r -> used.contains(r.id())).toList();
        return new Result(usedRules, merged, leftOut, root.getAttribute("version"), sites);
    }

    /**
     * One finding per flaw: SpotBugs' own detectors and FindSecBugs can both report the same
     * weakness (same CWE) on the same line, such as a concatenated query passed to
     * {@code executeQuery}. The more severe report is kept, FindSecBugs' on a tie, and it lists
     * the other pattern under {@code also_reported_as}. Two FindSecBugs patterns stay apart.
     */
    static List<Finding> mergeSameFlaw(List<Finding> findings) {
        Map<String, Finding> kept = new LinkedHashMap<>();
        for (Finding f : findings) {
            Object cwe = f.properties().get("cwe");
            String key = cwe == null || f.startLine() <= 0 ? "unique:" + kept.size() + ":" + f.fingerprint()
                    : f.path() + ":" + f.startLine() + ":" + cwe;
            Finding other = kept.get(key);
            if (other != null && !isCore(other.ruleId()) && !isCore(f.ruleId())) {
                // Two FindSecBugs patterns on one line are two flaws (DES and ECB in one cipher name).
                other = null;
                key = key + ":" + f.ruleId();
            }
            if (other == null) {
                kept.put(key, f);
                continue;
            }
            boolean replace = f.severity().ordinal() < other.severity().ordinal()
                    || (f.severity() == other.severity() && isCore(other.ruleId()) && !isCore(f.ruleId()));
            Finding winner = replace ? f : other;
            Finding loser = replace ? other : f;
            Map<String, Object> props = new LinkedHashMap<>(winner.properties());
            props.put("also_reported_as", loser.ruleId());
            kept.put(key, new Finding(winner.ruleId(), winner.severity(), winner.message(), winner.path(),
                    winner.startLine(), winner.endLine(), winner.fingerprint(), winner.suppression(), props));
        }
        return List.copyOf(kept.values());
    }

    private static boolean isCore(String type) {
        return CORE_PREFIXES.stream().anyMatch(type::startsWith);
    }

    Severity baseSeverity(String type, int rank) {
        Severity listed = severities.get(type);
        if (listed != null) {
            return listed;
        }
        return rank <= 9 ? Severity.HIGH : rank <= 14 ? Severity.MEDIUM : Severity.LOW;
    }

    private static Severity lower(Severity s) {
        return switch (s) {
            case CRITICAL -> Severity.HIGH;
            case HIGH -> Severity.MEDIUM;
            default -> Severity.LOW;
        };
    }

    private static Rule rule(String type, Element pattern, Severity severity, Element bug) {
        String name = pattern == null ? text(firstChild(bug, "ShortMessage")) : text(firstChild(pattern, "ShortDescription"));
        String details = pattern == null ? "" : htmlToText(text(firstChild(pattern, "Details")));
        String cwe = bug.getAttribute("cweid");
        List<String> tags = cwe.isEmpty() ? List.of() : List.of("external/cwe/cwe-" + cwe);
        boolean core = isCore(type);
        String help = core ? "https://spotbugs.readthedocs.io/en/latest/bugDescriptions.html"
                : "https://find-sec-bugs.github.io/bugs.htm#" + type;
        return new Rule(type, name.isEmpty() ? type : name, details.isEmpty() ? name : details, help, severity, tags);
    }

    static String htmlToText(String html) {
        String text = html.replaceAll("(?s)<pre>.*?</pre>", " ")
                .replaceAll("(?s)<[^>]+>", " ")
                .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
                .replaceAll("\\s+", " ").trim();
        int refs = text.indexOf("References ");
        if (refs > 0) {
            text = text.substring(0, refs).trim();
        }
        return text.length() <= 1000 ? text : text.substring(0, 1000) + "…";
    }

    private static Element primarySourceLine(Element bug) {
        for (Element line : children(bug, "SourceLine")) {
            if ("true".equals(line.getAttribute("primary"))) {
                return line;
            }
        }
        Element method = firstChild(bug, "Method");
        if (method != null && firstChild(method, "SourceLine") != null) {
            return firstChild(method, "SourceLine");
        }
        Element cls = firstChild(bug, "Class");
        return cls == null ? null : firstChild(cls, "SourceLine");
    }

    private static Document parse(Path xml) throws IOException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            f.setXIncludeAware(false);
            DocumentBuilder b = f.newDocumentBuilder();
            try (InputStream in = Files.newInputStream(xml)) {
                return b.parse(in);
            }
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("the SpotBugs report " + xml + " is not readable XML: " + e.getMessage(), e);
        }
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    private static Element firstChild(Element parent, String name) {
        List<Element> all = children(parent, name);
        return all.isEmpty() ? null : all.get(0);
    }

    private static String text(Element e) {
        return e == null ? "" : e.getTextContent().trim();
    }

    private static int intAttr(Element e, String name, int fallback) {
        try {
            return Integer.parseInt(e.getAttribute(name));
        } catch (NumberFormatException ex) {
            return fallback;
        }
    }

    static String sha256(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
