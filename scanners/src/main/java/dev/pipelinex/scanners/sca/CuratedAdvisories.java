package dev.pipelinex.scanners.sca;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The curated advisories shipped with the scanners ({@code advisories/curated.json} on the class
 * path): {@code {"name", "date", "source", "advisories": [OSV advisories]}}.
 */
public final class CuratedAdvisories implements AdvisorySource {

    public static final String RESOURCE = "/advisories/curated.json";

    private final String name;
    private final String source;
    private final String date;
    private final List<Advisory> advisories;

    private CuratedAdvisories(String name, String source, String date, List<Advisory> advisories) {
        this.name = name;
        this.source = source;
        this.date = date;
        this.advisories = List.copyOf(advisories);
    }

    public static CuratedAdvisories load(ObjectMapper json) throws IOException {
        try (InputStream in = CuratedAdvisories.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("the curated advisories " + RESOURCE + " are missing from the class path");
            }
            return of(json.readTree(in));
        }
    }

    static CuratedAdvisories of(JsonNode root) throws IOException {
        if (root == null || !root.path("advisories").isArray()) {
            throw new IOException("the curated advisories have no \"advisories\" array");
        }
        List<Advisory> all = new ArrayList<>();
        for (JsonNode node : root.path("advisories")) {
            Advisory a = Advisory.parse(node);
            if (!a.withdrawn() && !a.affected().isEmpty()) {
                all.add(a);
            }
        }
        return new CuratedAdvisories(root.path("name").asText("PipelineX curated advisories"),
                root.path("source").asText(""), AdvisoryStore.day(root.path("date").asText(null)), all);
    }

    public List<Advisory> all() {
        return advisories;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public String date() {
        return date;
    }

    @Override
    public int count() {
        return advisories.size();
    }

    @Override
    public String label() {
        return "curated";
    }

    @Override
    public List<Advisory> advisoriesFor(Set<String> packages) {
        return advisories.stream().filter(a -> a.affected().stream().anyMatch(x -> packages.contains(x.pkg()))).toList();
    }
}
