package dev.pipelinex.scanners.sca;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipelinex.scanners.report.Severity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * One OSV advisory (https://ossf.github.io/osv-schema/), reduced to what a Maven dependency scan
 * needs: ids, texts, severity and the {@code affected[]} entries of the Maven ecosystem.
 */
public record Advisory(String id, List<String> aliases, String summary, String details, String modified,
                       boolean withdrawn, String databaseSeverity, List<String> cvssV3, List<String> cwes, String helpUri, List<Affected> affected) {

    public Advisory {
        aliases = List.copyOf(aliases);
        cvssV3 = List.copyOf(cvssV3);
        cwes = List.copyOf(cwes);
        affected = List.copyOf(affected);
    }

    /** The kinds of {@code ranges[].events}. */
    public enum Kind { INTRODUCED, FIXED, LAST_AFFECTED, LIMIT }

    public record Event(Kind kind, String version) {

        /** {@code introduced: "0"} sorts before every version. */
        boolean zero() {
            return kind == Kind.INTRODUCED && version.equals("0");
        }
    }

    /** A range of type ECOSYSTEM or SEMVER, both compared in Maven's version order. */
    public record Range(String type, List<Event> events) {

        public Range {
            // The spec lets events come in any order and evaluates them sorted by version.
            List<Event> sorted = new ArrayList<>(events);
            sorted.sort(Comparator.comparing(Event::zero).reversed()
                    .thenComparing((x, y) -> x.zero() || y.zero() ? 0 : MavenVersions.compare(x.version(), y.version())));
            events = List.copyOf(sorted);
        }

        /** The OSV evaluation: within one of the limits, then the last event at or below the version decides. */
        public boolean includes(String version) {
            if (!beforeLimits(version)) {
                return false;
            }
            boolean vulnerable = false;
            for (Event e : events) {
                switch (e.kind()) {
                    case INTRODUCED -> {
                        if (e.zero() || MavenVersions.compare(version, e.version()) >= 0) {
                            vulnerable = true;
                        }
                    }
                    case FIXED -> {
                        if (MavenVersions.compare(version, e.version()) >= 0) {
                            vulnerable = false;
                        }
                    }
                    case LAST_AFFECTED -> {
                        if (MavenVersions.compare(version, e.version()) > 0) {
                            vulnerable = false;
                        }
                    }
                    case LIMIT -> {
                    }
                }
            }
            return vulnerable;
        }

        private boolean beforeLimits(String version) {
            boolean anyLimit = false;
            for (Event e : events) {
                if (e.kind() == Kind.LIMIT) {
                    anyLimit = true;
                    if (e.version().contains("*") || MavenVersions.compare(version, e.version()) < 0) {
                        return true;
                    }
                }
            }
            return !anyLimit;
        }

        /** The lowest {@code fixed} version above the given one. */
        public Optional<String> lowestFixedAbove(String version) {
            return events.stream().filter(e -> e.kind() == Kind.FIXED)
                    .map(Event::version)
                    .filter(v -> MavenVersions.compare(v, version) > 0)
                    .min(MavenVersions.ORDER);
        }
    }

    /** One {@code affected[]} entry of the Maven ecosystem; {@code pkg} is {@code groupId:artifactId}. */
    public record Affected(String pkg, List<Range> ranges, List<String> versions, List<String> cvssV3) {

        public Affected {
            ranges = List.copyOf(ranges);
            versions = List.copyOf(versions);
            cvssV3 = List.copyOf(cvssV3);
        }

        /** Listed in {@code versions[]} or inside one of the ranges. */
        public boolean affects(String version) {
            for (String v : versions) {
                if (v.equals(version) || MavenVersions.compare(v, version) == 0) {
                    return true;
                }
            }
            return ranges.stream().anyMatch(r -> r.includes(version));
        }

        /** The lowest fixed version above the given one in a range that includes it (any range when only listed). */
        public Optional<String> fixedVersion(String version) {
            List<Range> matching = ranges.stream().filter(r -> r.includes(version)).toList();
            return (matching.isEmpty() ? ranges : matching).stream()
                    .map(r -> r.lowestFixedAbove(version))
                    .flatMap(Optional::stream)
                    .min(MavenVersions.ORDER);
        }
    }

    /** The id and every alias. */
    public Set<String> ids() {
        Set<String> all = new LinkedHashSet<>();
        all.add(id);
        all.addAll(aliases);
        return all;
    }

    public List<Affected> affectedFor(String pkg) {
        return affected.stream().filter(a -> a.pkg().equals(pkg)).toList();
    }

    public boolean affects(String pkg, String version) {
        return !withdrawn && affectedFor(pkg).stream().anyMatch(a -> a.affects(version));
    }

    /** The lowest fixed version above {@code version} among the entries of {@code pkg} that affect it. */
    public Optional<String> fixedVersion(String pkg, String version) {
        return affectedFor(pkg).stream().filter(a -> a.affects(version))
                .map(a -> a.fixedVersion(version))
                .flatMap(Optional::stream)
                .min(MavenVersions.ORDER);
    }

    /**
     * The severity for {@code pkg}: the database's own rating (GHSA: CRITICAL, HIGH, MODERATE, LOW)
     * when present, else the rating of the CVSS v3 base score, else MEDIUM (also for CVSS v4 only).
     */
    public Severity severity(String pkg) {
        Optional<Severity> rated = Severity.parse(databaseSeverity);
        if (rated.isPresent()) {
            return rated.get();
        }
        OptionalDouble score = cvssScore(pkg);
        return score.isPresent() ? Severity.ofCvssScore(score.getAsDouble()) : Severity.MEDIUM;
    }

    /** The CVSS v3 base score for {@code pkg} (package-level vectors first), when one is given. */
    public OptionalDouble cvssScore(String pkg) {
        String vector = cvssVector(pkg);
        return vector == null ? OptionalDouble.empty() : Cvss.baseScore(vector);
    }

    public String cvssVector(String pkg) {
        for (Affected a : affectedFor(pkg)) {
            for (String v : a.cvssV3()) {
                if (Cvss.baseScore(v).isPresent()) {
                    return v;
                }
            }
        }
        return cvssV3.stream().filter(v -> Cvss.baseScore(v).isPresent()).findFirst().orElse(null);
    }

    /** An ecosystem name of Maven: {@code Maven}, or {@code Maven:<repository URL>}. */
    public static boolean isMaven(String ecosystem) {
        return ecosystem != null && (ecosystem.equals("Maven") || ecosystem.startsWith("Maven:"));
    }

    /**
     * Reads an OSV advisory object, keeping its Maven {@code affected[]} entries only.
     *
     * @throws IllegalArgumentException when it is not an OSV advisory (no {@code id})
     */
    public static Advisory parse(JsonNode node) {
        if (node == null || !node.isObject() || !node.path("id").isTextual() || node.path("id").asText().isBlank()) {
            throw new IllegalArgumentException("not an OSV advisory: no id");
        }
        String id = node.path("id").asText().trim();
        List<String> aliases = new ArrayList<>();
        for (JsonNode a : node.path("aliases")) {
            if (a.isTextual() && !a.asText().isBlank() && !a.asText().equals(id)) {
                aliases.add(a.asText().trim());
            }
        }
        JsonNode db = node.path("database_specific");
        List<String> cwes = new ArrayList<>();
        for (JsonNode c : db.path("cwe_ids")) {
            if (c.isTextual() && c.asText().toUpperCase(Locale.ROOT).matches("CWE-\\d+")) {
                cwes.add(c.asText().toUpperCase(Locale.ROOT));
            }
        }
        List<Affected> affected = new ArrayList<>();
        for (JsonNode a : node.path("affected")) {
            JsonNode pkg = a.path("package");
            if (!isMaven(pkg.path("ecosystem").asText(null)) || !pkg.path("name").isTextual()) {
                continue;
            }
            List<Range> ranges = new ArrayList<>();
            for (JsonNode r : a.path("ranges")) {
                String type = r.path("type").asText("");
                if (!type.equals("ECOSYSTEM") && !type.equals("SEMVER")) {
                    continue;
                }
                List<Event> events = new ArrayList<>();
                for (JsonNode e : r.path("events")) {
                    event(e, "introduced", Kind.INTRODUCED, events);
                    event(e, "fixed", Kind.FIXED, events);
                    event(e, "last_affected", Kind.LAST_AFFECTED, events);
                    event(e, "limit", Kind.LIMIT, events);
                }
                if (events.stream().anyMatch(e -> e.kind() == Kind.INTRODUCED)) {
                    ranges.add(new Range(type, events));
                }
            }
            List<String> versions = new ArrayList<>();
            for (JsonNode v : a.path("versions")) {
                if (v.isTextual() && !v.asText().isBlank()) {
                    versions.add(v.asText().trim());
                }
            }
            affected.add(new Affected(pkg.path("name").asText().trim(), ranges, versions,
                    vectors(a.path("severity"), "CVSS_V3")));
        }
        String helpUri = null;
        for (JsonNode ref : node.path("references")) {
            String type = ref.path("type").asText("");
            if ((type.equals("ADVISORY") || type.equals("WEB")) && ref.path("url").asText("").startsWith("http")) {
                helpUri = ref.path("url").asText();
                break;
            }
        }
        return new Advisory(id, aliases, text(node, "summary"), text(node, "details"), text(node, "modified"),
                node.hasNonNull("withdrawn"), text(db, "severity"), vectors(node.path("severity"), "CVSS_V3"),
                cwes, helpUri, affected);
    }

    private static void event(JsonNode e, String field, Kind kind, List<Event> into) {
        JsonNode v = e.path(field);
        if (v.isTextual() && !v.asText().isBlank()) {
            into.add(new Event(kind, v.asText().trim()));
        }
    }

    private static List<String> vectors(JsonNode severity, String type) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : severity) {
            if (type.equals(s.path("type").asText()) && s.path("score").isTextual()) {
                out.add(s.path("score").asText().trim());
            }
        }
        return out;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() && !v.asText().isBlank() ? v.asText() : null;
    }
}
