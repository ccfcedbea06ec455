package dev.pipelinex.scanners.sast;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Which arguments of a sink method can carry an injection, as FindSecBugs defines them in its
 * plugin's {@code injection-sinks/*.txt}: lines such as
 * {@code java/sql/Statement.executeQuery(Ljava/lang/String;)Ljava/sql/ResultSet;:0}, where the
 * numbers count arguments from the last one (0). Methods are matched by name and descriptor, so
 * a call through a sub-interface matches too. A sink not in the table has all its reference
 * arguments checked.
 */
public final class SinkTable {

    private final Map<String, TreeSet<Integer>> offsets = new HashMap<>();

    public static SinkTable empty() {
        return new SinkTable();
    }

    /** The sinks of a FindSecBugs plugin jar; an unreadable jar gives an empty table. */
    public static SinkTable fromPlugin(Path jar) {
        SinkTable table = new SinkTable();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.getName().startsWith("injection-sinks/") && e.getName().endsWith(".txt")) {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(zip.getInputStream(e), StandardCharsets.UTF_8))) {
                        r.lines().forEach(table::add);
                    }
                }
            }
        } catch (IOException e) {
            return new SinkTable();
        }
        return table;
    }

    /** Adds one line of a sink file; comments and malformed lines are ignored. */
    void add(String line) {
        String l = line.trim();
        int colon = l.lastIndexOf(':');
        int dot = l.indexOf('.');
        int paren = l.indexOf('(');
        if (l.isEmpty() || l.startsWith("#") || colon < 0 || dot < 0 || paren < dot) {
            return;
        }
        String key = l.substring(dot + 1, colon);
        TreeSet<Integer> set = offsets.computeIfAbsent(key, k -> new TreeSet<>());
        for (String n : l.substring(colon + 1).split(",")) {
            try {
                set.add(Integer.parseInt(n.trim()));
            } catch (NumberFormatException ignored) {
                // not a parameter list
            }
        }
    }

    boolean contains(String name, String desc) {
        return offsets.containsKey(name + desc);
    }

    /** The injectable arguments, counted from the last (0); empty when the sink is not listed. */
    List<Integer> injectable(String name, String desc) {
        TreeSet<Integer> set = offsets.get(name + desc);
        return set == null ? List.of() : new ArrayList<>(set);
    }

    boolean isEmpty() {
        return offsets.isEmpty();
    }
}
