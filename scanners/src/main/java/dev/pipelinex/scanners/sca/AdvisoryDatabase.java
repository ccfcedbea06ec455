package dev.pipelinex.scanners.sca;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The advisory sources of a scan, asked only about the packages of the dependency graph. */
public final class AdvisoryDatabase {

    private final List<AdvisorySource> sources;

    public AdvisoryDatabase(List<AdvisorySource> sources) {
        this.sources = List.copyOf(sources);
    }

    /** An imported store when the folder has a meta.json, else a folder (or zip) of OSV files. */
    public static AdvisorySource open(Path path, ObjectMapper json) throws IOException {
        if (!Files.exists(path)) {
            throw new IOException("the advisories " + path + " do not exist");
        }
        if (Files.isDirectory(path) && AdvisoryStore.isStore(path)) {
            return AdvisoryStore.open(path, json);
        }
        return OsvFolder.read(path, json);
    }

    public List<AdvisorySource> sources() {
        return sources;
    }

    /** For each package, the advisories of every source that name it. */
    public Map<String, List<Advisory>> forPackages(Set<String> packages) throws IOException {
        Map<String, List<Advisory>> out = new LinkedHashMap<>();
        for (AdvisorySource source : sources) {
            for (Advisory a : source.advisoriesFor(packages)) {
                for (Advisory.Affected affected : a.affected()) {
                    if (packages.contains(affected.pkg())) {
                        List<Advisory> list = out.computeIfAbsent(affected.pkg(), k -> new ArrayList<>());
                        if (!list.contains(a)) {
                            list.add(a);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** The newest date of the sources' data, null when none has one. */
    public String newestDate() {
        String newest = null;
        for (AdvisorySource s : sources) {
            newest = AdvisoryStore.newer(newest, s.date());
        }
        return newest;
    }

    public int count() {
        return sources.stream().mapToInt(AdvisorySource::count).sum();
    }

    /** {@code [{name, source, date, count}]} for reports. */
    public List<Map<String, Object>> describe() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (AdvisorySource s : sources) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("source", s.source());
            m.put("date", s.date());
            m.put("count", s.count());
            out.add(m);
        }
        return out;
    }
}
