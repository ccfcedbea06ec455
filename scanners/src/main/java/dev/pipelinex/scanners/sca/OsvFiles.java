package dev.pipelinex.scanners.sca;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Enumeration;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads the advisories of an OSV export: a zip or a folder (searched recursively) with one
 * {@code <ID>.json} per advisory. Zip entries are read in memory and never extracted, so their
 * names do not matter; each file is capped in size and a zip in number of entries. Files that
 * are not JSON are skipped, files that do not parse are counted as malformed.
 */
public final class OsvFiles {

    public static final long MAX_FILE_BYTES = 10L * 1024 * 1024;
    public static final int MAX_ZIP_ENTRIES = 1_000_000;

    private final long maxFileBytes;
    private final int maxEntries;
    private final ObjectMapper json;

    /** What a read saw. */
    public static final class Counts {
        public int files;
        public int skipped;
        public int malformed;
        public int tooLarge;
        public int advisories;
    }

    public OsvFiles(ObjectMapper json) {
        this(json, MAX_FILE_BYTES, MAX_ZIP_ENTRIES);
    }

    OsvFiles(ObjectMapper json, long maxFileBytes, int maxEntries) {
        this.json = json;
        this.maxFileBytes = maxFileBytes;
        this.maxEntries = maxEntries;
    }

    public static boolean isZip(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(path)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
        }
    }

    /** Passes each advisory object of the zip or folder to {@code sink}. */
    public Counts read(Path input, Consumer<JsonNode> sink) throws IOException {
        Counts counts = new Counts();
        if (Files.isDirectory(input)) {
            readFolder(input, sink, counts);
        } else if (isZip(input)) {
            readZip(input, sink, counts);
        } else if (Files.isRegularFile(input) && isJsonName(input.getFileName().toString())) {
            counts.files++;
            try (InputStream in = Files.newInputStream(input)) {
                accept(in, sink, counts);
            }
        } else {
            throw new IOException(input + " is neither a folder, a zip nor a JSON file of OSV advisories");
        }
        return counts;
    }

    private void readFolder(Path root, Consumer<JsonNode> sink, Counts counts) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!attrs.isRegularFile()) {
                    return FileVisitResult.CONTINUE;
                }
                counts.files++;
                if (!isJsonName(file.getFileName().toString())) {
                    counts.skipped++;
                } else if (attrs.size() > maxFileBytes) {
                    counts.tooLarge++;
                } else {
                    try (InputStream in = Files.newInputStream(file)) {
                        accept(in, sink, counts);
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private void readZip(Path zip, Consumer<JsonNode> sink, Counts counts) throws IOException {
        try (ZipFile zf = new ZipFile(zip.toFile())) {
            int entries = 0;
            Enumeration<? extends ZipEntry> all = zf.entries();
            while (all.hasMoreElements()) {
                ZipEntry entry = all.nextElement();
                if (++entries > maxEntries) {
                    throw new IOException(zip + " has more than " + maxEntries + " entries");
                }
                if (entry.isDirectory()) {
                    continue;
                }
                counts.files++;
                if (!isJsonName(entry.getName())) {
                    counts.skipped++;
                    continue;
                }
                try (InputStream in = zf.getInputStream(entry)) {
                    accept(in, sink, counts);
                } catch (java.util.zip.ZipException e) {
                    counts.malformed++;
                }
            }
        }
    }

    private void accept(InputStream in, Consumer<JsonNode> sink, Counts counts) throws IOException {
        byte[] bytes = readCapped(in);
        if (bytes == null) {
            counts.tooLarge++;
            return;
        }
        JsonNode node;
        try {
            node = json.readTree(bytes);
        } catch (JsonProcessingException e) {
            counts.malformed++;
            return;
        }
        if (node != null && node.isArray()) {
            for (JsonNode n : node) {
                advisory(n, sink, counts);
            }
        } else {
            advisory(node, sink, counts);
        }
    }

    private static void advisory(JsonNode node, Consumer<JsonNode> sink, Counts counts) {
        if (node == null || !node.isObject() || !node.path("id").isTextual() || node.path("id").asText().isBlank()) {
            counts.malformed++;
            return;
        }
        counts.advisories++;
        sink.accept(node);
    }

    /** The bytes of the stream, or null when it holds more than the cap (whatever its header said). */
    private byte[] readCapped(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > maxFileBytes) {
                return null;
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static boolean isJsonName(String name) {
        return name.toLowerCase(Locale.ROOT).endsWith(".json");
    }
}
