package dev.pipelinex.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The JDKs a runner has, by feature release (17, 21, 25 …). A job asking for Java N runs with
 * the oldest JDK whose release is N or newer: it compiles with {@code --release N} as the
 * project's build says, so a JDK 25 serves a Java 21 project.
 */
public final class JavaHomes {

    private static final Pattern RELEASE = Pattern.compile("^JAVA_VERSION=\"(\\d+)", Pattern.MULTILINE);

    private final TreeMap<Integer, String> homes;

    public JavaHomes(Map<Integer, String> homes) {
        this.homes = new TreeMap<>(homes);
    }

    /** Parses {@code "17=/usr/lib/jvm/java-17,25=/opt/jdk-25"}; blank gives none. */
    public static JavaHomes parse(String spec) {
        Map<Integer, String> homes = new TreeMap<>();
        if (spec != null) {
            for (String part : spec.split(",")) {
                String p = part.trim();
                if (p.isEmpty()) {
                    continue;
                }
                int eq = p.indexOf('=');
                if (eq <= 0 || !p.substring(0, eq).trim().matches("\\d{1,3}")) {
                    throw new IllegalArgumentException("a Java home must read <release>=<path>, got '" + p + "'");
                }
                homes.put(Integer.parseInt(p.substring(0, eq).trim()), p.substring(eq + 1).trim());
            }
        }
        return new JavaHomes(homes);
    }

    /** The JDKs installed under {@code jvmDir} (such as /usr/lib/jvm), read from each one's {@code release} file. */
    public static JavaHomes detect(Path jvmDir) {
        Map<Integer, String> homes = new TreeMap<>();
        if (Files.isDirectory(jvmDir)) {
            try (Stream<Path> dirs = Files.list(jvmDir)) {
                for (Path dir : dirs.sorted().toList()) {
                    Path release = dir.resolve("release");
                    if (Files.isSymbolicLink(dir) || !Files.isRegularFile(release) || !Files.isExecutable(dir.resolve("bin/javac"))) {
                        continue;
                    }
                    Matcher m = RELEASE.matcher(Files.readString(release));
                    if (m.find()) {
                        homes.putIfAbsent(Integer.parseInt(m.group(1)), dir.toString());
                    }
                }
            } catch (IOException e) {
                return new JavaHomes(homes);
            }
        }
        return new JavaHomes(homes);
    }

    /** The JAVA_HOME for a job asking for Java {@code release}: the oldest JDK at least that new. */
    public Optional<String> forRelease(int release) {
        Map.Entry<Integer, String> e = homes.ceilingEntry(release);
        return e == null ? Optional.empty() : Optional.of(e.getValue());
    }

    public Map<Integer, String> all() {
        return Map.copyOf(homes);
    }

    public String spec() {
        StringBuilder sb = new StringBuilder();
        homes.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return sb.toString();
    }
}
