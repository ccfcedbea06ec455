package dev.pipelinex.scanners.sca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipelinex.scanners.report.Reports;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdvisoryStoreTest {

    private static final ObjectMapper JSON = Reports.json();

    private static String osv(String id, String modified, String pkg) {
        return "{\"id\": \"" + id + "\", \"modified\": \"" + modified + "\", \"affected\": [{\"package\": "
                + "{\"ecosystem\": \"Maven\", \"name\": \"" + pkg + "\"}, \"ranges\": [{\"type\": \"ECOSYSTEM\", "
                + "\"events\": [{\"introduced\": \"0\"}, {\"fixed\": \"9.0\"}]}]}]}";
    }

    private static void zip(Path zip, String... namesAndContents) throws IOException {
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                z.putNextEntry(new ZipEntry(namesAndContents[i]));
                z.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
    }

    private static List<Path> filesUnder(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void importsAFolderKeepingMavenAdvisoriesAndCountingMalformedFiles(@TempDir Path tmp) throws Exception {
        Path store = tmp.resolve("store");
        AdvisoryStore.ImportSummary s = AdvisoryStore.importFrom(Fixtures.resource("osv"), store, JSON);
        // GHSA-jfh8, CVE-2021-44228, GHSA-599f (nested), GHSA-269g, PX-TEST-0001; not the withdrawn or npm ones.
        assertEquals(5, s.advisories());
        assertEquals(4, s.packages());
        assertEquals(1, s.malformed());
        assertEquals(1, s.skipped(), "README.txt");
        assertEquals(1, s.withdrawn());
        assertEquals(1, s.notMaven());
        assertEquals("2026-10-30", s.dataDate());

        JsonNode meta = JSON.readTree(store.resolve("meta.json").toFile());
        assertEquals("pipelinex-advisories/1", meta.path("format").asText());
        assertEquals("osv", meta.path("source").asText());
        assertEquals("2026-10-30", meta.path("data_date").asText());
        assertEquals(5, meta.path("advisories").asInt());
        assertEquals(4, meta.path("packages").asInt());
        assertTrue(meta.path("imported_at").asText().matches("\\d{4}-\\d{2}-\\d{2}T.*Z"));

        JsonNode log4j = JSON.readTree(store.resolve("packages/org.apache.logging.log4j/log4j-core.json").toFile());
        assertEquals("org.apache.logging.log4j:log4j-core", log4j.path("package").asText());
        assertEquals(2, log4j.path("advisories").size());
        assertTrue(s.line().startsWith("advisories-import: 5 Maven advisories for 4 packages from osv (data of 2026-10-30)"));
        // Nothing but the store was written next to it.
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertEquals(List.of(store), siblings.toList());
        }
    }

    @Test
    void importsAZipReadingEntriesInMemoryWhateverTheirNames(@TempDir Path tmp) throws Exception {
        Path zip = tmp.resolve("maven-all.zip");
        zip(zip,
                "GHSA-1111-1111-1111.json", osv("GHSA-1111-1111-1111", "2026-11-20T10:00:00Z", "org.example:one"),
                "../../evil/GHSA-2222-2222-2222.json", osv("GHSA-2222-2222-2222", "2026-01-01T00:00:00Z", "org.example:two"),
                "/abs/GHSA-3333-3333-3333.json", osv("GHSA-3333-3333-3333", "2026-01-01T00:00:00Z", "org.example:one"),
                "deep/nested/dir/GHSA-4444-4444-4444.json", osv("GHSA-4444-4444-4444", "2025-01-01T00:00:00Z", "../../etc:..%2f..%2fpasswd"),
                "notes.md", "# not an advisory",
                "bad.json", "{\"id\": ",
                "no-id.json", "{\"summary\": \"what\"}");
        Path store = tmp.resolve("work/store");
        AdvisoryStore.ImportSummary s = AdvisoryStore.importFrom(zip, store, JSON);
        assertEquals(4, s.advisories());
        assertEquals(2, s.malformed());
        assertEquals(1, s.skipped());
        assertEquals("2026-11-20", s.dataDate());
        assertEquals("maven-all.zip", s.source());

        // Every file is inside the store; the odd package name is encoded into one file name.
        for (Path f : filesUnder(tmp)) {
            assertTrue(f.equals(zip) || f.startsWith(store), f + " was written outside the store");
        }
        assertFalse(Files.exists(tmp.resolve("evil")));
        Path odd = AdvisoryStore.packageFile(store, "../../etc:..%2f..%2fpasswd");
        assertTrue(odd.normalize().startsWith(store.resolve("packages")));
        assertTrue(Files.isRegularFile(odd));
        assertEquals("_2e._2f.._2fetc", odd.getParent().getFileName().toString());

        AdvisoryStore opened = AdvisoryStore.open(store, JSON);
        List<Advisory> one = opened.advisoriesFor(Set.of("org.example:one"));
        assertEquals(Set.of("GHSA-1111-1111-1111", "GHSA-3333-3333-3333"),
                Set.copyOf(one.stream().map(Advisory::id).toList()));
        assertEquals(1, opened.advisoriesFor(Set.of("../../etc:..%2f..%2fpasswd")).size());
    }

    @Test
    void oversizedEntriesAndTooManyEntriesAreRefused(@TempDir Path tmp) throws Exception {
        Path zip = tmp.resolve("big.zip");
        zip(zip, "GHSA-1111-1111-1111.json", osv("GHSA-1111-1111-1111", "2026-11-20T10:00:00Z", "org.example:one"),
                "GHSA-big.json", "{\"id\": \"GHSA-big\", \"details\": \"" + "x".repeat(5000) + "\"}");
        AdvisoryStore.ImportSummary s = AdvisoryStore.importFrom(zip, tmp.resolve("s"), JSON, new OsvFiles(JSON, 2048, 100));
        assertEquals(1, s.advisories());
        assertEquals(1, s.tooLarge());
        assertThrows(IOException.class,
                () -> AdvisoryStore.importFrom(zip, tmp.resolve("t"), JSON, new OsvFiles(JSON, 2048, 1)));
        assertFalse(Files.exists(tmp.resolve("t")));
    }

    @Test
    void aNewImportReplacesTheStoreAndAFailedOneKeepsIt(@TempDir Path tmp) throws Exception {
        Path store = tmp.resolve("store");
        Path first = tmp.resolve("first.zip");
        zip(first, "a.json", osv("GHSA-1111-1111-1111", "2026-01-01T00:00:00Z", "org.example:one"));
        AdvisoryStore.importFrom(first, store, JSON);
        Path second = tmp.resolve("second.zip");
        zip(second, "b.json", osv("GHSA-2222-2222-2222", "2026-02-01T00:00:00Z", "org.example:two"));
        AdvisoryStore.importFrom(second, store, JSON);
        assertFalse(Files.exists(AdvisoryStore.packageFile(store, "org.example:one")), "the old store is gone");
        assertTrue(Files.exists(AdvisoryStore.packageFile(store, "org.example:two")));

        Path empty = tmp.resolve("empty.zip");
        zip(empty, "npm.json", "{\"id\": \"X\", \"affected\": [{\"package\": {\"ecosystem\": \"npm\", \"name\": \"x\"}}]}");
        assertThrows(IOException.class, () -> AdvisoryStore.importFrom(empty, store, JSON));
        assertEquals("second.zip", AdvisoryStore.open(store, JSON).source(), "kept");
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertEquals(Set.of("store", "first.zip", "second.zip", "empty.zip"),
                    Set.copyOf(siblings.map(p -> p.getFileName().toString()).toList()), "no temporary folder left");
        }

        Path precious = tmp.resolve("precious");
        Files.createDirectories(precious);
        Files.writeString(precious.resolve("notes.txt"), "keep me");
        assertThrows(IOException.class, () -> AdvisoryStore.importFrom(second, precious, JSON));
        assertTrue(Files.exists(precious.resolve("notes.txt")));
    }

    @Test
    void aStoreReadsOnlyThePackagesAsked(@TempDir Path tmp) throws Exception {
        Path store = tmp.resolve("store");
        AdvisoryStore.importFrom(Fixtures.resource("osv"), store, JSON);
        // A package nobody asks for may even be unreadable.
        Files.writeString(AdvisoryStore.packageFile(store, "junit:junit"), "garbage");
        AdvisoryStore opened = AdvisoryStore.open(store, JSON);
        assertEquals(5, opened.count());
        assertEquals("2026-10-30", opened.date());
        List<Advisory> found = opened.advisoriesFor(Set.of("org.apache.commons:commons-text", "org.example:absent"));
        assertEquals(List.of("GHSA-599f-7c49-w659"), found.stream().map(Advisory::id).toList());
        assertEquals(1, opened.packageFilesRead());
        assertThrows(IOException.class, () -> opened.advisoriesFor(Set.of("junit:junit")));
    }

    @Test
    void encodedNamesStayPlainFileNames() {
        assertEquals("log4j-core", AdvisoryStore.encode("log4j-core"));
        assertEquals("org.apache", AdvisoryStore.encode("org.apache"));
        assertEquals("_2e.", AdvisoryStore.encode(".."));
        assertEquals("a_2fb_5fc", AdvisoryStore.encode("a/b_c"));
        assertEquals("_", AdvisoryStore.encode(""));
        assertTrue(AdvisoryStore.encode("x".repeat(300)).startsWith("_h"));
    }

    @Test
    void aRawFolderIsReadWhole() throws Exception {
        OsvFolder folder = OsvFolder.read(Fixtures.resource("osv"), JSON);
        assertEquals(5, folder.count());
        assertEquals("2026-10-30", folder.date());
        assertEquals(1, folder.counts().malformed);
        assertEquals(2, folder.advisoriesFor(Set.of("org.apache.logging.log4j:log4j-core")).size());
        assertTrue(folder.advisoriesFor(Set.of("org.apache.logging.log4j:log4j-api")).isEmpty(), "withdrawn");
    }
}
