package dev.pipelinex.config;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is the one reference of the settings: every {@code pipelinex.*} property
 * the code reads and every {@code PIPELINEX_*} variable that {@code ./pipelinex}, the client and
 * the server and engine scripts read must have a row of its own there (its name in the first
 * cell, its default and meaning in the others), and every name the page lists must still be
 * read somewhere. The sources are read from the repository this module is part of.
 */
class ConfigurationDocTest {

    private static final Path ROOT = repositoryRoot();
    private static final Path DOC = ROOT.resolve("docs").resolve("configuration.md");

    /** A property in a string of its own, {@code "pipelinex.x"}, or in an expression, {@code ${pipelinex.x}}. */
    private static final Pattern PROPERTY_LITERAL = Pattern.compile("\"(pipelinex\\.[a-z0-9][a-z0-9.-]*[a-z0-9])\"");
    private static final Pattern PROPERTY_EXPRESSION = Pattern.compile("\\$\\{(pipelinex\\.[a-z0-9][a-z0-9.-]*[a-z0-9])");
    private static final Pattern VARIABLE = Pattern.compile("\\bPIPELINEX_[A-Z0-9_]*[A-Z0-9]\\b");
    private static final Pattern CODE_SPAN = Pattern.compile("`([^`]+)`");

    /** Strings of the form of a property that are names of something else. */
    private static final Map<String, String> NOT_SETTINGS = Map.of(
            "pipelinex.job", "the label of a job's containers",
            "pipelinex.stage", "the label of a stage's container",
            "pipelinex.jdks", "the runner image's label listing its JDKs",
            "pipelinex.resolve", "the groupId of the POM the resolve stage generates");

    /** The scripts and client whose PIPELINEX_* variables an operator sets. */
    private static List<Path> operatorScripts() throws IOException {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("pipelinex")));
        files.addAll(files(ROOT.resolve("cli").resolve("src").resolve("main"), ".java"));
        files.addAll(files(ROOT.resolve("wildfly"), ".sh"));
        files.addAll(files(ROOT.resolve("pipelines").resolve("runner"), ".sh"));
        return files;
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("pipelinex")) && Files.isDirectory(dir.resolve("ejb"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no repository (with ./pipelinex and ejb/) above " + Path.of("").toAbsolutePath());
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    /** Every module's main sources: {@code <module>/src/main/**.java}. */
    private static List<Path> mainSources() throws IOException {
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> modules = Files.list(ROOT)) {
            for (Path module : modules.filter(Files::isDirectory).sorted().toList()) {
                sources.addAll(files(module.resolve("src").resolve("main"), ".java"));
            }
        }
        return sources;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Each name found by a group of {@code pattern} (or the whole match), with the first file it is in. */
    private static void collect(Map<String, Path> into, Path file, Pattern pattern) {
        Matcher m = pattern.matcher(read(file));
        while (m.find()) {
            into.putIfAbsent(m.groupCount() > 0 ? m.group(1) : m.group(), ROOT.relativize(file));
        }
    }

    static Map<String, Path> propertiesRead() throws IOException {
        Map<String, Path> found = new TreeMap<>();
        for (Path source : mainSources()) {
            collect(found, source, PROPERTY_LITERAL);
            collect(found, source, PROPERTY_EXPRESSION);
        }
        for (Path cli : files(ROOT.resolve("wildfly"), ".cli")) {
            collect(found, cli, PROPERTY_EXPRESSION);
        }
        found.keySet().removeAll(NOT_SETTINGS.keySet());
        return found;
    }

    static Map<String, Path> variablesRead() throws IOException {
        Map<String, Path> found = new TreeMap<>();
        for (Path file : operatorScripts()) {
            collect(found, file, VARIABLE);
        }
        return found;
    }

    /**
     * The names the page documents: those in the first cell of a table row whose other cells
     * (the default, the meaning) are not empty.
     */
    static Set<String> documented() {
        assertTrue(Files.isRegularFile(DOC), DOC + " is missing");
        Set<String> names = new TreeSet<>();
        for (String line : read(DOC).split("\n")) {
            String row = line.strip();
            if (!row.startsWith("|") || row.matches("\\|[\\s|:-]*")) {
                continue;
            }
            List<String> cells = List.of(row.substring(1, row.endsWith("|") ? row.length() - 1 : row.length()).split("\\|", -1));
            if (cells.size() < 2 || cells.stream().skip(1).anyMatch(String::isBlank)) {
                continue;
            }
            Matcher m = CODE_SPAN.matcher(cells.get(0));
            while (m.find()) {
                names.add(m.group(1).strip());
            }
        }
        return names;
    }

    private static void assertAllDocumented(String what, Map<String, Path> read) {
        Set<String> documented = documented();
        Map<String, Path> missing = new TreeMap<>(read);
        missing.keySet().removeAll(documented);
        if (!missing.isEmpty()) {
            fail("docs/configuration.md has no row (name, default, meaning) for " + what + ": "
                    + missing.entrySet().stream().map(e -> e.getKey() + " (read in " + e.getValue() + ")")
                            .collect(Collectors.joining(", ")));
        }
    }

    @Test
    void everyPropertyTheCodeReadsHasARow() throws IOException {
        Map<String, Path> read = propertiesRead();
        // The search itself works: it finds properties read by Settings, by an annotation and by the server configuration.
        for (String known : List.of("pipelinex.workspaces", "pipelinex.local.memory-mb", "pipelinex.maven.mirror-url",
                "pipelinex.concurrency", "pipelinex.queue.max-delivery-attempts")) {
            assertTrue(read.containsKey(known), "the search of the sources missed " + known + ": " + read.keySet());
        }
        assertAllDocumented("these properties", read);
    }

    @Test
    void everyVariableTheScriptsAndTheClientReadHasARow() throws IOException {
        Map<String, Path> read = variablesRead();
        for (String known : List.of("PIPELINEX_HOME", "PIPELINEX_RUNNER", "PIPELINEX_URL", "PIPELINEX_DOCKER_ROOT")) {
            assertTrue(read.containsKey(known), "the search of the scripts missed " + known + ": " + read.keySet());
        }
        assertAllDocumented("these variables", read);
    }

    /** A row for a name nothing reads any more is as wrong as a missing one. */
    @Test
    void everyDocumentedNameIsStillRead() throws IOException {
        StringBuilder everything = new StringBuilder();
        try (Stream<Path> walk = Files.walk(ROOT)) {
            for (Path file : walk.filter(Files::isRegularFile)
                    .filter(p -> !p.toString().endsWith(".md"))
                    .filter(p -> {
                        Path rel = ROOT.relativize(p);
                        for (Path part : rel) {
                            String name = part.toString();
                            if (name.equals("target") || name.equals("node_modules") || name.startsWith(".git")
                                    || name.equals(".pipelinex")) {
                                return false;
                            }
                        }
                        return !rel.toString().endsWith("ConfigurationDocTest.java");
                    })
                    .toList()) {
                if (Files.size(file) < 2_000_000) {
                    everything.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).append('\n');
                }
            }
        }
        String all = everything.toString();
        List<String> stale = documented().stream()
                .filter(n -> n.matches("pipelinex\\.[a-z0-9.-]+|PIPELINEX_[A-Z0-9_]+"))
                .filter(n -> !all.contains(n))
                .toList();
        assertTrue(stale.isEmpty(), "docs/configuration.md documents names nothing reads: " + stale);
    }
}
