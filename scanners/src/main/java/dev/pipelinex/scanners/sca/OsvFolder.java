package dev.pipelinex.scanners.sca;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Advisories read straight from an OSV export (a folder or zip of {@code <ID>.json}): every file
 * is read, so for a full export an imported store ({@code advisories-import}) loads much faster.
 */
public final class OsvFolder implements AdvisorySource {

    private final Path path;
    private final List<Advisory> advisories;
    private final String date;
    private final OsvFiles.Counts counts;

    private OsvFolder(Path path, List<Advisory> advisories, String date, OsvFiles.Counts counts) {
        this.path = path;
        this.advisories = advisories;
        this.date = date;
        this.counts = counts;
    }

    public static OsvFolder read(Path path, ObjectMapper json) throws IOException {
        List<Advisory> all = new ArrayList<>();
        String[] newest = {null};
        OsvFiles.Counts counts = new OsvFiles(json).read(path, node -> {
            Advisory a;
            try {
                a = Advisory.parse(node);
            } catch (IllegalArgumentException e) {
                return;
            }
            if (!a.withdrawn() && !a.affected().isEmpty()) {
                all.add(a);
                newest[0] = AdvisoryStore.newer(newest[0], AdvisoryStore.day(a.modified()));
            }
        });
        return new OsvFolder(path, List.copyOf(all), newest[0], counts);
    }

    public OsvFiles.Counts counts() {
        return counts;
    }

    @Override
    public String name() {
        return "OSV advisories";
    }

    @Override
    public String source() {
        return String.valueOf(path.getFileName());
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
        return "from " + source();
    }

    @Override
    public List<Advisory> advisoriesFor(Set<String> packages) {
        return advisories.stream().filter(a -> a.affected().stream().anyMatch(x -> packages.contains(x.pkg()))).toList();
    }
}
