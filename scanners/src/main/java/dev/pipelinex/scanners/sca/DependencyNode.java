package dev.pipelinex.scanners.sca;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A node of the JSON dependency tree that {@code maven-dependency-plugin:tree -DoutputType=json}
 * writes: the project at the root, its resolved dependencies below, each with the scope it has in
 * this project (a test dependency's own dependencies are "test" too). The root's scope is empty.
 */
public record DependencyNode(String groupId, String artifactId, String version, String type, String scope,
                             String classifier, boolean optional, List<DependencyNode> children) {

    public DependencyNode {
        children = List.copyOf(children);
    }

    /** {@code groupId:artifactId}, the package name advisories use. */
    public String pkg() {
        return groupId + ":" + artifactId;
    }

    /** {@code groupId:artifactId:version}. */
    public String gav() {
        return pkg() + ":" + version;
    }

    /** The trees of a file: one document, or several written one after the other ({@code -DappendOutput=true}). */
    public static List<DependencyNode> read(Path file, ObjectMapper json) throws IOException {
        List<DependencyNode> trees = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = json.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (docs.hasNextValue()) {
                trees.add(of(docs.nextValue()));
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + " is not a dependency tree in JSON: " + e.getMessage(), e);
        }
        return trees;
    }

    public static DependencyNode of(JsonNode node) {
        String g = node.path("groupId").asText("");
        String a = node.path("artifactId").asText("");
        String v = node.path("version").asText("");
        if (g.isEmpty() || a.isEmpty() || v.isEmpty()) {
            throw new IllegalArgumentException("a dependency tree node without groupId, artifactId or version: " + node);
        }
        List<DependencyNode> children = new ArrayList<>();
        for (JsonNode child : node.path("children")) {
            children.add(of(child));
        }
        JsonNode optional = node.path("optional");
        return new DependencyNode(g, a, v, node.path("type").asText("jar"), node.path("scope").asText(""),
                node.path("classifier").asText(""), optional.asBoolean(false) || optional.asText("").equals("true"),
                children);
    }
}
