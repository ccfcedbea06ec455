package dev.pipelinex.scanners.sca;

import dev.pipelinex.scanners.report.Finding;
import dev.pipelinex.scanners.report.Rule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Matches the dependencies of every module against the advisories: one finding per vulnerable
 * (module, package, version, vulnerability), at the module's pom.xml and the line of the direct
 * dependency that brings the package in. Dependencies of every scope are reported, with their scope.
 */
public final class ScaScan {

    /** A resolved dependency of a module and the shortest path to it from the module. */
    public record Dependency(Module module, DependencyNode node, List<DependencyNode> path) {

        public boolean direct() {
            return path.size() == 2;
        }
    }

    public record Result(List<Finding> findings, List<Rule> rules, int dependencies, int vulnerablePackages) {
    }

    private ScaScan() {
    }

    /** Every dependency of every module, once per module (the first, shortest path wins). Reactor modules are left out. */
    public static List<Dependency> dependencies(List<Module> modules) {
        Set<String> projects = modules.stream().map(Module::id).collect(Collectors.toSet());
        List<Dependency> out = new ArrayList<>();
        for (Module module : modules) {
            Map<String, Dependency> seen = new LinkedHashMap<>();
            Deque<List<DependencyNode>> queue = new ArrayDeque<>();
            queue.add(List.of(module.root()));
            while (!queue.isEmpty()) {
                List<DependencyNode> path = queue.removeFirst();
                DependencyNode node = path.get(path.size() - 1);
                for (DependencyNode child : node.children()) {
                    List<DependencyNode> next = new ArrayList<>(path);
                    next.add(child);
                    if (!projects.contains(child.pkg())) {
                        seen.putIfAbsent(child.gav(), new Dependency(module, child, List.copyOf(next)));
                    }
                    queue.addLast(next);
                }
            }
            out.addAll(seen.values());
        }
        return out;
    }

    public static Result scan(List<Module> modules, AdvisoryDatabase advisories, Poms poms) throws IOException {
        List<Dependency> deps = dependencies(modules);
        Set<String> packages = deps.stream().map(d -> d.node().pkg()).collect(Collectors.toCollection(LinkedHashSet::new));
        Map<String, List<Advisory>> byPackage = advisories.forPackages(packages);

        Map<String, List<Vulnerability>> cache = new HashMap<>();
        Map<String, Rule> rules = new TreeMap<>();
        List<Finding> findings = new ArrayList<>();
        Set<String> vulnerable = new LinkedHashSet<>();
        for (Dependency dep : deps) {
            DependencyNode node = dep.node();
            List<Advisory> candidates = byPackage.getOrDefault(node.pkg(), List.of());
            if (candidates.isEmpty()) {
                continue;
            }
            List<Vulnerability> vulns = cache.computeIfAbsent(node.gav(),
                    k -> Vulnerability.of(node.pkg(), node.version(), candidates));
            for (Vulnerability v : vulns) {
                vulnerable.add(node.gav());
                rules.putIfAbsent(v.id(), rule(v));
                findings.add(finding(dep, v, poms));
            }
        }
        findings.sort(Comparator.comparing(Finding::severity).thenComparing(Finding::path)
                .thenComparing(f -> String.valueOf(f.properties().get("package")))
                .thenComparing(Finding::ruleId));
        Set<String> distinct = deps.stream().map(d -> d.node().gav()).collect(Collectors.toSet());
        return new Result(findings, List.copyOf(rules.values()), distinct.size(), vulnerable.size());
    }

    static Rule rule(Vulnerability v) {
        List<String> tags = new ArrayList<>(List.of("dependency", "vulnerability"));
        v.cwes().forEach(c -> tags.add("external/cwe/cwe-" + c.substring(4)));
        String name = v.summary() != null ? v.summary() : v.id();
        String description = name;
        if (v.details() != null) {
            String details = v.details().strip();
            description = details.length() > 2000 ? details.substring(0, 2000) + "…" : details;
        }
        return new Rule(v.id(), name, description, v.helpUri(), v.severity(), tags);
    }

    static Finding finding(Dependency dep, Vulnerability v, Poms poms) {
        DependencyNode node = dep.node();
        Module module = dep.module();
        DependencyNode first = dep.path().get(1);
        int line = poms.dependencyLine(module.pomPath(), first.groupId(), first.artifactId());

        StringBuilder msg = new StringBuilder();
        msg.append(node.pkg()).append(' ').append(node.version()).append(" is affected by ");
        if (v.cves().isEmpty() || v.cves().equals(List.of(v.id()))) {
            msg.append(v.id());
        } else {
            msg.append(String.join(", ", v.cves())).append(" (").append(v.id()).append(')');
        }
        if (v.summary() != null) {
            msg.append(": ").append(v.summary().strip());
        }
        msg.append(v.summary() != null && v.summary().strip().endsWith(".") ? " " : ". ");
        msg.append(v.fixedVersion() != null ? "Fixed in " + v.fixedVersion() + "." : "No fixed version is known.");
        msg.append(" Brought in by ").append(module.id());
        for (DependencyNode n : dep.path().subList(1, dep.path().size())) {
            msg.append(" → ").append(n.pkg()).append(' ').append(n.version());
        }
        msg.append(" (").append(node.scope().isEmpty() ? "compile" : node.scope()).append(").");

        Map<String, Object> props = new LinkedHashMap<>();
        props.put("package", purl(node));
        props.put("version", node.version());
        if (v.fixedVersion() != null) {
            props.put("fixed_version", v.fixedVersion());
        }
        props.put("ids", v.ids());
        props.put("cves", v.cves());
        props.put("dependency_path", dep.path().stream().map(DependencyNode::gav).toList());
        props.put("scope", node.scope());
        props.put("direct", dep.direct());
        props.put("optional", node.optional());
        props.put("module", module.id());
        if (v.cvssScore() != null) {
            props.put("cvss_score", v.cvssScore());
            props.put("cvss_vector", v.cvssVector());
        }
        if (!v.cwes().isEmpty()) {
            props.put("cwes", v.cwes());
        }
        int at = line > 0 ? line : 1;
        return new Finding(v.id(), v.severity(), msg.toString(), module.pomPath(), at, at,
                fingerprint(module.id(), node.pkg(), v.id()), null, props);
    }

    /** The same for a module, package (without its version) and vulnerability, so an upgrade that is still vulnerable keeps it. */
    static String fingerprint(String module, String pkg, String vulnerability) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((module + "|" + pkg + "|" + vulnerability).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code pkg:maven/<groupId>/<artifactId>@<version>}. */
    public static String purl(DependencyNode node) {
        return "pkg:maven/" + purlPart(node.groupId()) + "/" + purlPart(node.artifactId()) + "@" + purlPart(node.version());
    }

    private static String purlPart(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
                    || c == '_' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) c));
            }
        }
        return sb.toString();
    }
}
