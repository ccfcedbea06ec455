package dev.pipelinex.intake;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.zip.AsiExtraField;
import org.apache.commons.compress.archivers.zip.UnixStat;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Builds malicious ZIP files in memory: entries written with commons-compress, then, for the
 * tricks no writer produces, bytes patched in the local headers, the central directory or the
 * end record. Every archive also holds a harmless {@code pom.xml}, so that only the trick is wrong.
 */
public final class HostileArchives {

    /** An archive and what its refusal must say. */
    public record Case(String name, byte[] zip, String kind, String fragment) {
        @Override
        public String toString() {
            return name;
        }
    }

    public static final String POM = "<project><modelVersion>4.0.0</modelVersion></project>\n";

    private HostileArchives() {
    }

    /** One entry to write: a name, its bytes (null: a folder), unix mode (0: none), and changes to the entry. */
    public record Entry(String name, byte[] data, int unixMode, Consumer<ZipArchiveEntry> tweak) {
        static Entry file(String name, String text) {
            return new Entry(name, text.getBytes(StandardCharsets.UTF_8), 0, e -> { });
        }
    }

    public static byte[] zip(List<Entry> entries) {
        return zip(entries, Zip64Mode.AsNeeded);
    }

    public static byte[] zip(List<Entry> entries, Zip64Mode zip64) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(bytes)) {
            out.setUseZip64(zip64);
            for (Entry e : entries) {
                ZipArchiveEntry z = new ZipArchiveEntry(e.name());
                if (e.unixMode() != 0) {
                    z.setUnixMode(e.unixMode());
                }
                e.tweak().accept(z);
                out.putArchiveEntry(z);
                if (e.data() != null) {
                    out.write(e.data());
                }
                out.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A plain archive: {@code pom.xml} and {@code extra} as text files. */
    public static byte[] files(String... names) {
        List<Entry> entries = new ArrayList<>();
        entries.add(Entry.file("pom.xml", POM));
        for (String n : names) {
            entries.add(Entry.file(n, "x"));
        }
        return zip(entries);
    }

    /** An archive with an entry whose stored name has backslashes where {@code name} has '|'. */
    public static byte[] backslashed(String name) {
        return replace(files(name), name, name.replace('|', '\\'));
    }

    /** The CRC of the last entry in the central directory changed. */
    public static byte[] lastCrcWrong(byte[] zip) {
        byte[] out = zip.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        List<Integer> central = offsets(zip, 0x02014b50);
        int at = central.get(central.size() - 1);
        b.putInt(at + 16, b.getInt(at + 16) ^ 0x5a5a);
        return out;
    }

    /** Every occurrence of {@code from} replaced by {@code to} (same length); {@code limit} occurrences at most. */
    public static byte[] replace(byte[] zip, String from, byte[] to, int limit) {
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        if (f.length != to.length) {
            throw new IllegalArgumentException("same length only");
        }
        byte[] out = zip.clone();
        int done = 0;
        for (int i = 0; i + f.length <= out.length && done < limit; i++) {
            if (Arrays.equals(out, i, i + f.length, f, 0, f.length)) {
                System.arraycopy(to, 0, out, i, to.length);
                done++;
                i += f.length - 1;
            }
        }
        if (done == 0) {
            throw new IllegalArgumentException("'" + from + "' not found");
        }
        return out;
    }

    public static byte[] replace(byte[] zip, String from, String to) {
        return replace(zip, from, to.getBytes(StandardCharsets.UTF_8), Integer.MAX_VALUE);
    }

    private static List<Integer> offsets(byte[] zip, int signature) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i + 4 <= zip.length; i++) {
            if (b.getInt(i) == signature) {
                at.add(i);
            }
        }
        return at;
    }

    /** Sets a 16-bit field at {@code offset} of every local header (0x04034b50) and central record (0x02014b50). */
    public static byte[] patchHeaders(byte[] zip, int localOffset, int centralOffset, int value, boolean or) {
        byte[] out = zip.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        for (int at : offsets(zip, 0x04034b50)) {
            b.putShort(at + localOffset, (short) (or ? (b.getShort(at + localOffset) | value) : value));
        }
        for (int at : offsets(zip, 0x02014b50)) {
            b.putShort(at + centralOffset, (short) (or ? (b.getShort(at + centralOffset) | value) : value));
        }
        return out;
    }

    /** The end-of-central-directory record alone, with a comment: a valid, empty ZIP. */
    public static byte[] commentOnly() {
        byte[] comment = "nothing but a comment".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(22 + comment.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                .putInt(0).putInt(0).putShort((short) comment.length).put(comment);
        return b.array();
    }

    public static byte[] gzip(byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** ZIP64 records whose central directory declares {@code size} bytes for the entry {@code name}. */
    public static byte[] zip64LyingSize(long size) {
        byte[] zip = zip(List.of(Entry.file("pom.xml", POM), Entry.file("big.bin", "small")), Zip64Mode.Always);
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        List<Integer> central = offsets(zip, 0x02014b50);
        int at = central.get(central.size() - 1);
        int nameLength = b.getShort(at + 28) & 0xFFFF;
        int extraLength = b.getShort(at + 30) & 0xFFFF;
        int x = at + 46 + nameLength;
        while (x < at + 46 + nameLength + extraLength) {
            int id = b.getShort(x) & 0xFFFF;
            int len = b.getShort(x + 2) & 0xFFFF;
            if (id == 0x0001) {
                b.putLong(x + 4, size);
                return zip;
            }
            x += 4 + len;
        }
        throw new IllegalStateException("no ZIP64 field");
    }

    /** Two central directory records pointing at one local header (an overlapping-entries bomb). */
    public static byte[] overlapping() {
        byte[] zip = zip(List.of(Entry.file("pom.xml", POM), Entry.file("b.txt", "bbbb")));
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        List<Integer> central = offsets(zip, 0x02014b50);
        b.putInt(central.get(1) + 42, b.getInt(central.get(0) + 42));
        return zip;
    }

    public static byte[] repeat(char c, int n) {
        byte[] data = new byte[n];
        Arrays.fill(data, (byte) c);
        return data;
    }

    /** Dozens of malicious archives, each with the refusal kind and a fragment its detail must hold. */
    public static List<Case> all() {
        Map<String, Case> cases = new LinkedHashMap<>();
        Consumer<Case> add = c -> cases.put(c.name(), c);
        String invalid = "INVALID_ARCHIVE";
        String tooLarge = "TOO_LARGE";
        // names that climb out, in every position and spelling
        add.accept(new Case("dotdot-first", files("../evil.txt"), invalid, "'..'"));
        add.accept(new Case("dotdot-middle", files("src/../../evil.txt"), invalid, "'..'"));
        add.accept(new Case("dotdot-last", files("src/.."), invalid, "'..'"));
        add.accept(new Case("dotdot-deep", files("a/b/c/../../../../evil.txt"), invalid, "'..'"));
        add.accept(new Case("dotdot-alone", files(".."), invalid, "'..'"));
        add.accept(new Case("absolute-unix", files("/tmp/evil.txt"), invalid, "absolute path"));
        add.accept(new Case("absolute-double-slash", files("//server/share/evil.txt"), invalid, "absolute path"));
        add.accept(new Case("drive-letter", files("C:/Windows/evil.txt"), invalid, "absolute path"));
        add.accept(new Case("drive-letter-backslash", backslashed("C:|Windows|evil.txt"), invalid, "backslash"));
        add.accept(new Case("unc-path", backslashed("||server|share|evil.txt"), invalid, "backslash"));
        add.accept(new Case("backslash-traversal", backslashed("..|..|evil.txt"), invalid, "backslash"));
        add.accept(new Case("backslash-inside", backslashed("src|..|..|evil.txt"), invalid, "backslash"));
        add.accept(new Case("nul-in-name", replace(files("evilXtxt"), "evilXtxt", new byte[] {'e', 'v', 'i', 'l', 0, 't', 'x', 't'},
                Integer.MAX_VALUE), invalid, "NUL"));
        add.accept(new Case("newline-in-name", files("evil\n.txt"), invalid, "control"));
        add.accept(new Case("rtl-override-in-name", files("evil\u202Etxt.java"), invalid, "formatting"));
        add.accept(new Case("dot-segment", files("./src/a.txt"), invalid, "'.' path segment"));
        add.accept(new Case("empty-segment", files("src//a.txt"), invalid, "empty or '.'"));
        add.accept(new Case("long-name", files("a".repeat(1100)), invalid, "longer than"));
        add.accept(new Case("long-segment", files("src/" + "b".repeat(300)), invalid, "longer than 255"));
        add.accept(new Case("too-deep", files("a/".repeat(40) + "x.txt"), invalid, "nested deeper"));
        // links and special files
        add.accept(new Case("symlink-unix", zip(List.of(Entry.file("pom.xml", POM),
                new Entry("link", "/etc/passwd".getBytes(StandardCharsets.UTF_8), UnixStat.LINK_FLAG | 0777, e -> { }))),
                invalid, "symbolic link"));
        add.accept(new Case("symlink-fat-platform", zip(List.of(Entry.file("pom.xml", POM),
                new Entry("link", "../../etc".getBytes(StandardCharsets.UTF_8), 0, e -> {
                    e.setExternalAttributes((long) (UnixStat.LINK_FLAG | 0777) << 16); // platform stays FAT
                }))), invalid, "symbolic link"));
        add.accept(new Case("symlink-asi-extra", zip(List.of(Entry.file("pom.xml", POM),
                new Entry("link", "x".getBytes(StandardCharsets.UTF_8), 0, e -> {
                    AsiExtraField asi = new AsiExtraField();
                    asi.setLinkedFile("/etc/passwd");
                    e.addExtraField(asi);
                }))), invalid, "symbolic link"));
        add.accept(new Case("char-device", zip(List.of(Entry.file("pom.xml", POM),
                new Entry("dev", new byte[0], 0020000 | 0644, e -> { }))), invalid, "device"));
        add.accept(new Case("block-device", zip(List.of(Entry.file("pom.xml", POM),
                new Entry("disk", new byte[0], 0060000 | 0644, e -> { }))), invalid, "device"));
        add.accept(new Case("fifo", zip(List.of(Entry.file("pom.xml", POM),
                new Entry("pipe", new byte[0], 0010000 | 0644, e -> { }))), invalid, "device"));
        add.accept(new Case("socket", zip(List.of(Entry.file("pom.xml", POM),
                new Entry("sock", new byte[0], 0140000 | 0644, e -> { }))), invalid, "device"));
        // duplicates and ambiguities
        add.accept(new Case("duplicate", files("a.txt", "a.txt"), invalid, "appears twice"));
        add.accept(new Case("duplicate-slashes", files("a/b", "a//b"), invalid, "empty or '.'"));
        add.accept(new Case("duplicate-dot", files("a/b", "./a/b"), invalid, "'.' path segment"));
        add.accept(new Case("duplicate-file-and-folder", zip(List.of(Entry.file("pom.xml", POM), Entry.file("a", "x"),
                new Entry("a/", null, 0, e -> { }))), invalid, "appears twice"));
        add.accept(new Case("file-is-also-folder", files("a", "a/b.txt"), invalid, "both a file and a folder"));
        add.accept(new Case("unicode-nfc-nfd-duplicate", files("caf\u00e9.txt", "cafe\u0301.txt"), invalid, "Unicode normalisation"));
        // headers that lie or features that are refused
        add.accept(new Case("encrypted", patchHeaders(files("secret.txt"), 6, 8, 1, true), invalid, "encrypted"));
        add.accept(new Case("method-bzip2", patchHeaders(files("a.txt"), 8, 10, 12, false), invalid, "compression method 12"));
        add.accept(new Case("method-unknown", patchHeaders(files("a.txt"), 8, 10, 99, false), invalid, "compression method 99"));
        add.accept(new Case("local-name-differs", replace(files("good.txt"), "good.txt", "../x.txt".getBytes(StandardCharsets.UTF_8), 1),
                invalid, "local header"));
        add.accept(new Case("overlapping-entries", overlapping(), invalid, "overlaps"));
        add.accept(new Case("zip64-lying-size", zip64LyingSize(1L << 40), tooLarge, "unpacks to more than"));
        add.accept(new Case("size-understated", lyingUncompressedSize(), invalid, "declares"));
        add.accept(new Case("crc-wrong", wrongCrc(), invalid, "CRC"));
        add.accept(new Case("data-descriptor-compressed-size-understated", understatedCompressedSize(), invalid, "not a readable ZIP"));
        // not ZIPs at all
        add.accept(new Case("tar-gz", gzip(repeat('t', 2048)), invalid, "gzip"));
        add.accept(new Case("text", "this is not a zip at all, just some text".getBytes(StandardCharsets.UTF_8), invalid,
                "not a readable ZIP"));
        add.accept(new Case("tiny", "PK".getBytes(StandardCharsets.US_ASCII), invalid, "not a readable ZIP"));
        add.accept(new Case("truncated", truncated(), invalid, "not a readable ZIP"));
        add.accept(new Case("comment-only", commentOnly(), invalid, "no entries"));
        add.accept(new Case("end-record-points-outside", cdOutside(), invalid, "central directory"));
        // bombs
        add.accept(new Case("ratio-bomb", zip(List.of(Entry.file("pom.xml", POM),
                new Entry("zeros.bin", repeat('0', 3 << 20), 0, e -> { }))), invalid, "ZIP bomb"));
        return List.copyOf(cases.values());
    }

    /** A stored entry whose declared size is one byte short of its data. */
    static byte[] lyingUncompressedSize() {
        byte[] zip = zip(List.of(Entry.file("pom.xml", POM), new Entry("data.txt", "0123456789".getBytes(StandardCharsets.UTF_8), 0,
                e -> e.setMethod(ZipArchiveEntry.DEFLATED))));
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        for (int at : offsets(zip, 0x02014b50)) {
            if ((b.getShort(at + 28) & 0xFFFF) == 8) {
                b.putInt(at + 24, 9);
            }
        }
        return zip;
    }

    /**
     * A deflated entry written with a data descriptor (sizes after the data, zero in the local
     * header) whose central directory claims fewer compressed bytes than the data has.
     */
    static byte[] understatedCompressedSize() {
        byte[] text = new byte[4000];
        new java.util.Random(1).nextBytes(text);
        byte[] zip = zip(List.of(Entry.file("pom.xml", POM), new Entry("data.txt", text, 0, e -> { })));
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        for (int at : offsets(zip, 0x02014b50)) {
            if ((b.getShort(at + 28) & 0xFFFF) == 8) {
                b.putInt(at + 20, 100);
            }
        }
        return zip;
    }

    static byte[] wrongCrc() {
        byte[] zip = files("data.txt");
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        for (int at : offsets(zip, 0x02014b50)) {
            b.putInt(at + 16, b.getInt(at + 16) ^ 0x5a5a);
        }
        for (int at : offsets(zip, 0x04034b50)) {
            b.putInt(at + 14, b.getInt(at + 14) ^ 0x5a5a);
        }
        return zip;
    }

    static byte[] truncated() {
        byte[] zip = files("a.txt", "b.txt");
        return Arrays.copyOf(zip, zip.length / 2);
    }

    static byte[] cdOutside() {
        byte[] zip = files("a.txt");
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        List<Integer> end = offsets(zip, 0x06054b50);
        b.putInt(end.get(end.size() - 1) + 16, zip.length * 4);
        return zip;
    }
}
