package dev.pipelinex.scanners.sca;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * An imported advisory store: {@code meta.json} and one file per package,
 * {@code packages/<groupId>/<artifactId>.json} = {@code {"package", "advisories": [OSV advisories]}},
 * so that a scan reads only the packages of its dependency graph. Names are encoded so that
 * every file stays inside the store whatever the advisories call their packages.
 */
public final class AdvisoryStore implements AdvisorySource {

    public static final String FORMAT = "pipelinex-advisories/1";
    public static final String META = "meta.json";

    private final Path dir;
    private final ObjectMapper json;
    private final String source;
    private final String date;
    private final int count;
    private int packageFilesRead;

    private AdvisoryStore(Path dir, ObjectMapper json, String source, String date, int count) {
        this.dir = dir;
        this.json = json;
        this.source = source;
        this.date = date;
        this.count = count;
    }

    public static boolean isStore(Path dir) {
        return Files.isRegularFile(dir.resolve(META));
    }

    public static AdvisoryStore open(Path dir, ObjectMapper json) throws IOException {
        JsonNode meta = json.readTree(dir.resolve(META).toFile());
        if (!FORMAT.equals(meta.path("format").asText())) {
            throw new IOException(dir.resolve(META) + " is not a " + FORMAT + " advisory store");
        }
        return new AdvisoryStore(dir, json, meta.path("source").asText(""), day(meta.path("data_date").asText(null)),
                meta.path("advisories").asInt());
    }

    @Override
    public String name() {
        return "imported OSV advisories";
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
        return count;
    }

    @Override
    public String label() {
        return "imported";
    }

    /** How many package files this store has read so far. */
    int packageFilesRead() {
        return packageFilesRead;
    }

    @Override
    public List<Advisory> advisoriesFor(Set<String> packages) throws IOException {
        List<Advisory> out = new ArrayList<>();
        for (String pkg : packages) {
            Path file = packageFile(dir, pkg);
            if (!Files.isRegularFile(file)) {
                continue;
            }
            packageFilesRead++;
            JsonNode root = json.readTree(file.toFile());
            for (JsonNode node : root.path("advisories")) {
                Advisory a = Advisory.parse(node);
                if (!a.withdrawn()) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    /** The file of a package inside a store: {@code packages/<groupId>/<artifactId>.json}, names encoded. */
    public static Path packageFile(Path dir, String pkg) {
        int colon = pkg.indexOf(':');
        String group = colon < 0 ? "" : pkg.substring(0, colon);
        String artifact = colon < 0 ? pkg : pkg.substring(colon + 1);
        return dir.resolve("packages").resolve(encode(group)).resolve(encode(artifact) + ".json");
    }

    /**
     * A file name for any string: letters, digits, '.' and '-' stay, every other byte becomes
     * {@code _xx}; a leading '.' is encoded too, so no name is ".", ".." or hidden. Names too long
     * for a file system become a hash.
     */
    static String encode(String name) {
        StringBuilder sb = new StringBuilder();
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean plain = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-'
                    || (b == '.' && i > 0);
            if (plain) {
                sb.append((char) b);
            } else {
                sb.append('_').append(HexFormat.of().toHexDigits((byte) b));
            }
        }
        if (sb.length() == 0) {
            return "_";
        }
        if (sb.length() > 150) {
            return "_h" + sha256(name);
        }
        return sb.toString();
    }

    /** What an import did. */
    public record ImportSummary(String source, int advisories, int packages, String dataDate, int files,
                                int malformed, int tooLarge, int skipped, int withdrawn, int notMaven) {

        public String line() {
            return "advisories-import: " + advisories + " Maven advisories for " + packages + " packages from " + source
                    + (dataDate == null ? "" : " (data of " + dataDate + ")")
                    + "; " + files + " files read, " + malformed + " malformed, " + tooLarge + " too large, "
                    + skipped + " not JSON, " + withdrawn + " withdrawn, " + notMaven + " of other ecosystems";
        }
    }

    /**
     * Imports an OSV export (zip or folder) into {@code into}: the store is written into a
     * temporary sibling folder and then moved in place of the old one.
     */
    public static ImportSummary importFrom(Path input, Path into, ObjectMapper json) throws IOException {
        return importFrom(input, into, json, new OsvFiles(json));
    }

    static ImportSummary importFrom(Path input, Path into, ObjectMapper json, OsvFiles files) throws IOException {
        Path target = into.toAbsolutePath().normalize();
        if (Files.exists(target) && !isStore(target) && !isEmptyDir(target)) {
            throw new IOException(target + " exists and is not an advisory store; refusing to replace it");
        }
        Map<String, ObjectNode> byId = new HashMap<>();
        int[] withdrawn = {0};
        int[] notMaven = {0};
        int[] invalid = {0};
        OsvFiles.Counts counts = files.read(input, node -> {
            Advisory a;
            try {
                a = Advisory.parse(node);
            } catch (IllegalArgumentException e) {
                invalid[0]++;
                return;
            }
            if (a.withdrawn()) {
                withdrawn[0]++;
            } else if (a.affected().isEmpty()) {
                notMaven[0]++;
            } else {
                ObjectNode old = byId.get(a.id());
                if (old == null || node.path("modified").asText("").compareTo(old.path("modified").asText("")) > 0) {
                    byId.put(a.id(), (ObjectNode) node);
                }
            }
        });
        if (byId.isEmpty()) {
            throw new IOException(input + " holds no Maven advisories (" + counts.files + " files, "
                    + counts.advisories + " advisories, " + counts.malformed + " malformed)");
        }
        // Each package's file holds the advisories naming it, with the affected entries of that package only.
        Map<String, ArrayNode> byPackage = new TreeMap<>();
        String newest = null;
        for (ObjectNode node : byId.values()) {
            newest = newer(newest, day(node.path("modified").asText(null)));
            Map<String, ArrayNode> entries = new LinkedHashMap<>();
            for (JsonNode affected : node.path("affected")) {
                JsonNode pkg = affected.path("package");
                String name = pkg.path("name").asText("");
                if (Advisory.isMaven(pkg.path("ecosystem").asText(null)) && name.indexOf(':') > 0) {
                    entries.computeIfAbsent(name, k -> json.createArrayNode()).add(affected);
                }
            }
            entries.forEach((name, affected) -> {
                ObjectNode copy = node.deepCopy();
                copy.set("affected", affected);
                byPackage.computeIfAbsent(name, k -> json.createArrayNode()).add(copy);
            });
        }

        Path parent = target.getParent();
        Files.createDirectories(parent);
        String base = target.getFileName().toString();
        Path tmp = parent.resolve("." + base + ".tmp-" + UUID.randomUUID());
        Path old = parent.resolve("." + base + ".old-" + UUID.randomUUID());
        try {
            Files.createDirectory(tmp);
            for (Map.Entry<String, ArrayNode> e : byPackage.entrySet()) {
                Path file = packageFile(tmp, e.getKey());
                if (!file.normalize().startsWith(tmp)) {
                    throw new IOException("package name escapes the store: " + e.getKey());
                }
                Files.createDirectories(file.getParent());
                ObjectNode doc = json.createObjectNode();
                doc.put("package", e.getKey());
                doc.set("advisories", e.getValue());
                Files.write(file, json.writeValueAsBytes(doc));
            }
            ObjectNode meta = json.createObjectNode();
            meta.put("format", FORMAT);
            meta.put("imported_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            meta.put("data_date", newest);
            meta.put("source", String.valueOf(input.getFileName()));
            meta.put("advisories", byId.size());
            meta.put("packages", byPackage.size());
            meta.put("files", counts.files);
            meta.put("malformed", counts.malformed + invalid[0]);
            Files.write(tmp.resolve(META), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
            // Swap: the old store steps aside, the new one takes its name, then the old one goes.
            if (Files.exists(target)) {
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteTree(tmp);
            deleteTree(old);
        }
        return new ImportSummary(String.valueOf(input.getFileName()), byId.size(), byPackage.size(), newest,
                counts.files, counts.malformed + invalid[0], counts.tooLarge, counts.skipped, withdrawn[0], notMaven[0]);
    }

    /** The YYYY-MM-DD day of an OSV timestamp or date, null when it has none. */
    static String day(String timestamp) {
        if (timestamp == null || timestamp.length() < 10 || !timestamp.substring(0, 10).matches("\\d{4}-\\d{2}-\\d{2}")) {
            return null;
        }
        return timestamp.substring(0, 10);
    }

    static String newer(String a, String b) {
        if (a == null) {
            return b;
        }
        return b == null || a.compareTo(b) >= 0 ? a : b;
    }

    private static boolean isEmptyDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
