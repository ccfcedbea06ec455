package dev.pipelinex.scanners.sca;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A CycloneDX 1.5 JSON SBOM of the scanned modules: the top project as the BOM's subject, every
 * other module and every distinct resolved dependency (groupId:artifactId:version) as a
 * component, and the dependency graph's edges. A dependency used only for tests, provided by the
 * platform or optional is scoped "optional"; its Maven scopes are kept in a property.
 */
public final class CycloneDx {

    public static final String SPEC_VERSION = "1.5";
    private static final List<String> SCOPES = List.of("compile", "runtime", "system", "provided", "test");

    private CycloneDx() {
    }

    public static ObjectNode bom(List<Module> modules, ObjectMapper json, String toolVersion) {
        if (modules.isEmpty()) {
            throw new IllegalArgumentException("no module to describe");
        }
        Module top = modules.stream().filter(m -> m.pomPath().equals("pom.xml")).findFirst().orElse(modules.get(0));
        Set<String> projects = new LinkedHashSet<>();
        modules.forEach(m -> projects.add(m.root().pkg()));

        Map<String, DependencyNode> components = new LinkedHashMap<>();
        Map<String, Set<String>> scopes = new LinkedHashMap<>();
        Map<String, Set<String>> edges = new LinkedHashMap<>();
        for (Module m : modules) {
            edges.computeIfAbsent(ScaScan.purl(m.root()), k -> new LinkedHashSet<>());
            visit(m.root(), projects, components, scopes, edges);
        }

        ObjectNode bom = json.createObjectNode();
        bom.put("bomFormat", "CycloneDX");
        bom.put("specVersion", SPEC_VERSION);
        bom.put("serialNumber", "urn:uuid:" + UUID.randomUUID());
        bom.put("version", 1);
        ObjectNode metadata = bom.putObject("metadata");
        metadata.put("timestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        ObjectNode tool = metadata.putObject("tools").putArray("components").addObject();
        tool.put("type", "application");
        tool.put("name", "PipelineX scanners");
        if (toolVersion != null) {
            tool.put("version", toolVersion);
        }
        metadata.set("component", project(top, json));

        ArrayNode list = bom.putArray("components");
        Set<String> refs = new TreeSet<>();
        refs.add(ScaScan.purl(top.root()));
        for (Module m : modules) {
            if (m != top && refs.add(ScaScan.purl(m.root()))) {
                list.add(project(m, json));
            }
        }
        for (Map.Entry<String, DependencyNode> e : components.entrySet()) {
            DependencyNode n = e.getValue();
            String ref = ScaScan.purl(n);
            if (!refs.add(ref)) {
                continue;
            }
            ObjectNode c = list.addObject();
            c.put("type", "library");
            c.put("bom-ref", ref);
            c.put("group", n.groupId());
            c.put("name", n.artifactId());
            c.put("version", n.version());
            Set<String> used = scopes.get(e.getKey());
            c.put("scope", used.contains("compile") || used.contains("runtime") ? "required" : "optional");
            c.put("purl", ref);
            ObjectNode p = c.putArray("properties").addObject();
            p.put("name", "pipelinex:maven-scope");
            p.put("value", String.join(",", SCOPES.stream().filter(used::contains).toList()));
        }

        ArrayNode deps = bom.putArray("dependencies");
        for (String ref : refs) {
            ObjectNode d = deps.addObject();
            d.put("ref", ref);
            ArrayNode on = d.putArray("dependsOn");
            edges.getOrDefault(ref, Set.of()).stream().filter(refs::contains).sorted().forEach(on::add);
        }
        return bom;
    }

    private static void visit(DependencyNode node, Set<String> projects, Map<String, DependencyNode> components,
                              Map<String, Set<String>> scopes, Map<String, Set<String>> edges) {
        Set<String> out = edges.computeIfAbsent(ScaScan.purl(node), k -> new LinkedHashSet<>());
        for (DependencyNode child : node.children()) {
            out.add(ScaScan.purl(child));
            if (!projects.contains(child.pkg())) {
                components.putIfAbsent(child.gav(), child);
                Set<String> s = scopes.computeIfAbsent(child.gav(), k -> new TreeSet<>());
                s.add(child.scope().isEmpty() ? "compile" : child.scope());
            }
            visit(child, projects, components, scopes, edges);
        }
    }

    private static ObjectNode project(Module m, ObjectMapper json) {
        DependencyNode root = m.root();
        ObjectNode c = json.createObjectNode();
        c.put("type", List.of("war", "ear", "rar", "pom").contains(root.type()) ? "application" : "library");
        String ref = ScaScan.purl(root);
        c.put("bom-ref", ref);
        c.put("group", root.groupId());
        c.put("name", root.artifactId());
        c.put("version", root.version());
        c.put("purl", ref);
        ObjectNode p = c.putArray("properties").addObject();
        p.put("name", "pipelinex:maven-pom");
        p.put("value", m.pomPath());
        return c;
    }
}
