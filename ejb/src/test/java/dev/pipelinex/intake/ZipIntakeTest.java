package dev.pipelinex.intake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZipIntakeTest {

    /** Small limits so that the tests stay small: 100 B upload, 3 files, 1000 B unpacked, depth 3. */
    private static final IntakeLimits SMALL = new IntakeLimits(100, 3, 1000, 3, 5);

    @TempDir
    Path root;

    private Path target;
    private Path upload;
    private Set<String> before;

    @BeforeEach
    void setUp() throws IOException {
        target = Files.createDirectories(root.resolve("job/source"));
        Files.createDirectories(root.resolve("job/reports"));
        Files.writeString(root.resolve("job/marker.txt"), "untouched");
        upload = root.resolve("job/upload.zip");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A ZIP written with java.util.zip; a name ending in '/' is a folder. */
    private Path zip(Map<String, byte[]> entries) throws IOException {
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(upload))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                if (e.getValue() != null) {
                    out.write(e.getValue());
                }
                out.closeEntry();
            }
        }
        snapshot();
        return upload;
    }

    /** A ZIP written with commons-compress, which allows duplicate names and Unix modes. */
    private Path archive(List<ZipArchiveEntry> entries, List<byte[]> contents) throws IOException {
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(Files.newOutputStream(upload))) {
            for (int i = 0; i < entries.size(); i++) {
                out.putArchiveEntry(entries.get(i));
                out.write(contents.get(i));
                out.closeArchiveEntry();
            }
        }
        snapshot();
        return upload;
    }

    private static ZipArchiveEntry entry(String name, int unixMode) {
        ZipArchiveEntry e = new ZipArchiveEntry(name);
        e.setUnixMode(unixMode);
        return e;
    }

    private void snapshot() throws IOException {
        before = outsideTarget();
    }

    /** Every path under the temp root that is not under the target folder (links not followed). */
    private Set<String> outsideTarget() throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> !p.startsWith(target)).map(p -> root.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private Set<String> unpacked() throws IOException {
        try (Stream<Path> walk = Files.walk(target)) {
            return walk.filter(p -> !p.equals(target)).map(p -> target.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private RequestRefusedException refusedUnpack(IntakeLimits limits, Refusal refusal, String fragment) throws IOException {
        RequestRefusedException e = assertThrows(RequestRefusedException.class,
                () -> new ZipIntake(limits).unpack(upload, target), "the archive should be refused");
        assertEquals(refusal, e.refusal(), "the refusal kind, detail: " + e.detail());
        assertTrue(e.detail().contains(fragment), "the refusal should mention '" + fragment + "': " + e.detail());
        assertEquals(before, outsideTarget(), "nothing should be written outside the target folder");
        assertEquals("untouched", Files.readString(root.resolve("job/marker.txt")), "files beside the target stay as they were");
        return e;
    }

    private void refusedBeforeWriting(Refusal refusal, String fragment) throws IOException {
        refusedUnpack(IntakeLimits.DEFAULTS, refusal, fragment);
        assertEquals(Set.of(), unpacked(), "an entry refused by name or kind should stop the unpack before any write");
    }

    private static Map<String, byte[]> entries(Object... nameThenContent) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenContent.length; i += 2) {
            m.put((String) nameThenContent[i], nameThenContent[i + 1] == null ? null : bytes((String) nameThenContent[i + 1]));
        }
        return m;
    }

    @Test
    void normalArchiveIsUnpackedWithFoldersAndContent() throws IOException {
        zip(entries("pom.xml", "<project/>", "src/", null, "src/main/java/demo/App.java", "class App {}",
                "empty-dir/", null));
        new ZipIntake(IntakeLimits.DEFAULTS).unpack(upload, target);
        assertEquals(new TreeSet<>(List.of("empty-dir", "pom.xml", "src", "src/main", "src/main/java",
                "src/main/java/demo", "src/main/java/demo/App.java")), unpacked(), "every entry should be unpacked");
        assertEquals("class App {}", Files.readString(target.resolve("src/main/java/demo/App.java")),
                "file content should be unpacked as stored");
        assertEquals(before, outsideTarget(), "nothing should be written outside the target folder");
    }

    @Test
    void singleTopLevelFolderIsUnwrapped() throws IOException {
        zip(entries("demo-main/", null, "demo-main/pom.xml", "<project/>", "demo-main/src/A.java", "class A {}"));
        new ZipIntake(IntakeLimits.DEFAULTS).unpack(upload, target);
        assertEquals(new TreeSet<>(List.of("pom.xml", "src", "src/A.java")), unpacked(),
                "the single top-level folder should be unwrapped");
    }

    @Test
    void singleTopLevelFolderWithoutItsOwnEntryIsUnwrapped() throws IOException {
        zip(entries("demo-main/pom.xml", "<project/>", "demo-main/src/A.java", "class A {}"));
        new ZipIntake(IntakeLimits.DEFAULTS).unpack(upload, target);
        assertTrue(Files.isRegularFile(target.resolve("pom.xml")), "pom.xml should be at the root after unwrapping");
    }

    @Test
    void twoTopLevelFoldersAreKept() throws IOException {
        zip(entries("a/x.txt", "x", "b/y.txt", "y"));
        new ZipIntake(IntakeLimits.DEFAULTS).unpack(upload, target);
        assertEquals(new TreeSet<>(List.of("a", "a/x.txt", "b", "b/y.txt")), unpacked(), "two top folders are kept");
    }

    @Test
    void topLevelFolderBesideATopLevelFileIsKept() throws IOException {
        zip(entries("a/x.txt", "x", "pom.xml", "<project/>"));
        new ZipIntake(IntakeLimits.DEFAULTS).unpack(upload, target);
        assertEquals(new TreeSet<>(List.of("a", "a/x.txt", "pom.xml")), unpacked(), "a folder beside a file is kept");
    }

    @Test
    void entryClimbingOutWithDotDotIsRefused() throws IOException {
        zip(entries("pom.xml", "<project/>", "../x", "escaped"));
        refusedBeforeWriting(Refusal.INVALID_ARCHIVE, "'../x'");
        assertFalse(Files.exists(root.resolve("job/x")), "../x should not have been written");
    }

    @Test
    void dotDotInsideAPathIsRefused() throws IOException {
        zip(entries("pom.xml", "<project/>", "src/../../../x", "escaped"));
        refusedBeforeWriting(Refusal.INVALID_ARCHIVE, "'..'");
    }

    @Test
    void dotDotUnderASingleTopFolderIsRefused() throws IOException {
        zip(entries("top/pom.xml", "<project/>", "top/../../x", "escaped"));
        refusedBeforeWriting(Refusal.INVALID_ARCHIVE, "'..'");
    }

    @Test
    void absolutePathIsRefused() throws IOException {
        String absolute = root.resolve("abs/evil.txt").toString();
        zip(entries("pom.xml", "<project/>", absolute, "escaped"));
        refusedBeforeWriting(Refusal.INVALID_ARCHIVE, "absolute");
        assertFalse(Files.exists(root.resolve("abs")), "the absolute path should not have been written");
    }

    @Test
    void etcAbsolutePathIsRefused() throws IOException {
        zip(entries("pom.xml", "<project/>", "/etc/pipelinex-zip-test", "escaped"));
        refusedBeforeWriting(Refusal.INVALID_ARCHIVE, "'/etc/pipelinex-zip-test' has an absolute path");
        assertFalse(Files.exists(Path.of("/etc/pipelinex-zip-test")), "/etc/pipelinex-zip-test should not exist");
    }

    @Test
    void windowsDrivePathIsRefused() throws IOException {
        zip(entries("pom.xml", "<project/>", "C:/Windows/x", "escaped"));
        refusedBeforeWriting(Refusal.INVALID_ARCHIVE, "absolute");
    }

    @Test
    void backslashNamesAreRefused() throws IOException {
        // java.util.zip marks entries as made on FAT (DOS/Windows), like Windows archivers do.
        zip(entries("pom.xml", "<project/>", "src\\main\\java\\App.java", "class App {}"));
        refusedBeforeWriting(Refusal.INVALID_ARCHIVE, "backslashes");
    }

    @Test
    void backslashClimbingNamesAreRefused() throws IOException {
        zip(entries("pom.xml", "<project/>", "..\\..\\evil.txt", "escaped"));
        refusedBeforeWriting(Refusal.INVALID_ARCHIVE, "evil.txt");
        assertFalse(Files.exists(root.resolve("evil.txt")), "..\\..\\evil.txt should not have been written");
    }

    @Test
    void backslashNamesFromUnixArchiversAreRefused() throws IOException {
        // A name with a '/' in it keeps its backslashes whatever platform the archive says it came from.
        archive(List.of(entry("pom.xml", 0100644), entry("a/..\\..\\..\\evil.txt", 0100644)),
                List.of(bytes("<project/>"), bytes("escaped")));
        refusedBeforeWriting(Refusal.INVALID_ARCHIVE, "backslashes");
    }

    @Test
    void symlinkEntryIsRefused() throws IOException {
        archive(List.of(entry("pom.xml", 0100644), entry("link", 0120777)),
                List.of(bytes("<project/>"), bytes("../../../etc/passwd")));
        refusedBeforeWriting(Refusal.INVALID_ARCHIVE, "symbolic link");
    }

    @Test
    void deviceEntryIsRefused() throws IOException {
        archive(List.of(entry("pom.xml", 0100644), entry("dev", 0020644)), List.of(bytes("<project/>"), bytes("")));
        refusedBeforeWriting(Refusal.INVALID_ARCHIVE, "device or special file");
    }

    @Test
    void duplicateNamesAreRefused() throws IOException {
        archive(List.of(entry("pom.xml", 0100644), entry("pom.xml", 0100644)),
                List.of(bytes("<project/>"), bytes("<project>second</project>")));
        refusedBeforeWriting(Refusal.INVALID_ARCHIVE, "appears twice");
    }

    @Test
    void fileAndFolderOfTheSameNameAreRefusedAsDuplicates() throws IOException {
        archive(List.of(entry("src", 0100644), entry("src/", 040755)), List.of(bytes("file"), bytes("")));
        refusedBeforeWriting(Refusal.INVALID_ARCHIVE, "appears twice");
    }

    @Test
    void moreFilesThanTheLimitAreRefusedAsTooLarge() throws IOException {
        zip(entries("a", "1", "b", "2", "dir/", null, "c", "3", "d", "4"));
        refusedUnpack(SMALL, Refusal.TOO_LARGE, "more than 3 files");
        assertEquals(Set.of(), unpacked(), "nothing should be unpacked when there are too many files");
    }

    @Test
    void filesUpToTheLimitAreUnpackedAndFoldersDoNotCount() throws IOException {
        zip(entries("a", "1", "dir/", null, "b", "2", "c", "3"));
        new ZipIntake(SMALL).unpack(upload, target);
        assertEquals(new TreeSet<>(List.of("a", "b", "c", "dir")), unpacked(), "3 files and a folder fit a 3-file limit");
    }

    @Test
    void entryDeeperThanTheLimitIsRefused() throws IOException {
        zip(entries("a/b/ok.txt", "1", "a/b/c/deep.txt", "2"));
        refusedUnpack(SMALL, Refusal.INVALID_ARCHIVE, "nested deeper than 3");
        assertEquals(Set.of(), unpacked(), "nothing should be unpacked when an entry is too deep");
    }

    @Test
    void entryAtTheDepthLimitIsUnpacked() throws IOException {
        zip(entries("x.txt", "0", "a/b/ok.txt", "1"));
        new ZipIntake(SMALL).unpack(upload, target);
        assertTrue(Files.isRegularFile(target.resolve("a/b/ok.txt")), "an entry 3 deep fits a depth limit of 3");
    }

    @Test
    void unpackedSizeOverTheLimitIsRefusedAsTooLarge() throws IOException {
        zip(entries("a.txt", "x".repeat(600), "b.txt", "y".repeat(401)));
        refusedUnpack(SMALL, Refusal.TOO_LARGE, "unpacks to more than");
    }

    @Test
    void unpackedSizeAtTheLimitIsAccepted() throws IOException {
        zip(entries("a.txt", "x".repeat(600), "b.txt", "y".repeat(400)));
        new ZipIntake(SMALL).unpack(upload, target);
        assertEquals(400, Files.size(target.resolve("b.txt")), "1000 bytes fit a 1000-byte limit");
    }

    @Test
    void entryThatExpandsLikeAZipBombIsRefused() throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("zeros.bin", new byte[4 << 20]);
        zip(m);
        refusedUnpack(IntakeLimits.DEFAULTS, Refusal.INVALID_ARCHIVE, "ZIP bomb");
    }

    @Test
    void archiveWithOnlyFoldersIsRefused() throws IOException {
        zip(entries("a/", null, "b/", null));
        refusedUnpack(IntakeLimits.DEFAULTS, Refusal.INVALID_ARCHIVE, "holds no files");
    }

    @Test
    void notAZipIsRefusedAsInvalidArchive() throws IOException {
        Files.writeString(upload, "this is not a zip file at all");
        snapshot();
        refusedUnpack(IntakeLimits.DEFAULTS, Refusal.INVALID_ARCHIVE, "not a readable ZIP");
        assertEquals(Set.of(), unpacked(), "nothing should be unpacked from a file that is not a ZIP");
    }

    @Test
    void saveStoresTheUploadAndReturnsItsSize() throws IOException {
        byte[] data = new byte[100];
        data[42] = 7;
        long n = new ZipIntake(SMALL).save(new ByteArrayInputStream(data), upload);
        assertEquals(100, n, "save should return the number of bytes stored");
        assertArrayEquals(data, Files.readAllBytes(upload), "save should store the upload unchanged");
    }

    @Test
    void saveRefusesAnUploadOverTheLimitAsTooLarge() throws IOException {
        snapshot();
        RequestRefusedException e = assertThrows(RequestRefusedException.class,
                () -> new ZipIntake(SMALL).save(new ByteArrayInputStream(new byte[101]), upload),
                "an upload of 101 bytes should be refused with a 100-byte limit");
        assertEquals(Refusal.TOO_LARGE, e.refusal(), "an oversized upload should be TOO_LARGE");
        assertTrue(e.detail().contains("max-upload-bytes"), "the refusal should name the setting: " + e.detail());
        assertTrue(Files.size(upload) <= 100, "no more than the limit should have been stored");
        Set<String> after = outsideTarget();
        after.remove("job/upload.zip");
        assertEquals(before, after, "nothing but the upload file should be written");
    }

    @Test
    void saveStopsReadingAnEndlessUpload() {
        java.io.InputStream endless = new java.io.InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return len;
            }
        };
        RequestRefusedException e = assertThrows(RequestRefusedException.class,
                () -> new ZipIntake(new IntakeLimits(1 << 20, 10, 1 << 20, 5, 5)).save(endless, upload),
                "an endless upload should be refused");
        assertEquals(Refusal.TOO_LARGE, e.refusal(), "an endless upload should be TOO_LARGE");
    }

    @Test
    void emptyUploadIsRefusedAsInvalidArchive() throws IOException {
        snapshot();
        RequestRefusedException e = assertThrows(RequestRefusedException.class,
                () -> new ZipIntake(SMALL).save(new ByteArrayInputStream(new byte[0]), upload),
                "an empty upload should be refused");
        assertEquals(Refusal.INVALID_ARCHIVE, e.refusal(), "an empty upload should be INVALID_ARCHIVE");
        assertTrue(e.detail().contains("empty"), "the refusal should say the upload is empty: " + e.detail());
        assertEquals(Set.of(), unpacked(), "nothing should be unpacked from an empty upload");
    }

    @Test
    void anUploadThatIsSavedAndUnpackedEndsUpInTheTarget() throws IOException {
        Path elsewhere = root.resolve("made.zip");
        try (OutputStream raw = Files.newOutputStream(elsewhere); ZipOutputStream out = new ZipOutputStream(raw)) {
            out.putNextEntry(new ZipEntry("p/pom.xml"));
            out.write(bytes("<project/>"));
            out.closeEntry();
        }
        ZipIntake intake = new ZipIntake(IntakeLimits.DEFAULTS);
        intake.save(Files.newInputStream(elsewhere), upload);
        intake.unpack(upload, target);
        assertEquals("<project/>", Files.readString(target.resolve("pom.xml")), "save then unpack should give the project");
    }
}
