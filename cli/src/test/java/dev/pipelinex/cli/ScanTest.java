package dev.pipelinex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScanTest {

    @TempDir
    Path dir;

    @Test
    void optionsBecomeTheJobsToggles() {
        ScanArgs a = ScanArgs.parse(List.of("proj", "--no-sast", "--no-tests", "--fail-on", "HIGH", "--java", "21",
                "--reports", "out", "--logs"));
        assertEquals("proj", a.target());
        assertEquals(Map.of("run_sast", false, "run_unit_tests", false), a.toggles());
        assertEquals("high", a.failOn());
        assertEquals("21", a.java());
        assertEquals(Path.of("out"), a.reportsDir());
        assertTrue(a.logs());
        assertTrue(ScanArgs.parse(List.of("https://github.com/o/r")).isUrl());
    }

    @Test
    void aWrongCommandLineSaysWhatIsWrong() {
        assertEquals("unknown option --fast", assertThrows(ScanArgs.UsageException.class,
                () -> ScanArgs.parse(List.of("p", "--fast"))).getMessage());
        assertTrue(assertThrows(ScanArgs.UsageException.class, () -> ScanArgs.parse(List.of("p", "--fail-on", "bad")))
                .getMessage().contains("critical"));
        assertTrue(assertThrows(ScanArgs.UsageException.class, () -> ScanArgs.parse(List.of()))
                .getMessage().contains("folder"));
        assertTrue(assertThrows(ScanArgs.UsageException.class, () -> ScanArgs.parse(List.of("a", "b")))
                .getMessage().contains("one project"));
        assertTrue(assertThrows(ScanArgs.UsageException.class, () -> ScanArgs.parse(List.of("a", "--java", "seventeen")))
                .getMessage().contains("17"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new Scan(new PrintStream(out, true, StandardCharsets.UTF_8), new ApiClient(URI.create("http://127.0.0.1:1"), null))
                .run(List.of("--bogus"));
        assertEquals(Scan.REFUSED, code);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("usage: pipelinex scan"));
    }

    @Test
    void theZipLeavesOutBuildOutputGitAndLinks() throws Exception {
        Path p = dir.resolve("p");
        Files.createDirectories(p.resolve("src/main/java/x/target"));
        Files.createDirectories(p.resolve("target/classes"));
        Files.createDirectories(p.resolve("mod/target"));
        Files.createDirectories(p.resolve(".git"));
        Files.writeString(p.resolve("pom.xml"), "<project/>");
        Files.writeString(p.resolve("mod/pom.xml"), "<project/>");
        Files.writeString(p.resolve("src/main/java/x/target/Aim.java"), "@SpringBootApplication class Aim {}");
        Files.writeString(p.resolve("target/classes/A.class"), "x");
        Files.writeString(p.resolve("mod/target/m.jar"), "x");
        Files.writeString(p.resolve(".git/HEAD"), "ref");
        Files.createSymbolicLink(p.resolve("link"), Path.of("/etc/passwd"));
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(ProjectZip.of(p, false)))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
            }
        }
        names.sort(null);
        assertEquals(List.of("mod/pom.xml", "pom.xml", "src/main/java/x/target/Aim.java"), names,
                "a package named target stays; build output, .git and links do not");
        assertTrue(ProjectZip.isSpringBoot(p));
    }

    @Test
    void findingsAndTestsReadAsOneLine() throws Exception {
        assertEquals("3 passed, 1 failed, 0 skipped", Scan.result(ApiClient.JSON.readTree(
                "{\"tests\": {\"passed\": 3, \"failed\": 1, \"skipped\": 0}}")));
        assertEquals("0 critical, 2 high, 0 medium, 1 low, 0 info", Scan.result(ApiClient.JSON.readTree(
                "{\"findings\": {\"high\": 2, \"low\": 1}}")));
    }

    @Test
    void reportsAreUnpackedOnlyInsideTheirFolder() throws Exception {
        ByteArrayOutputStream good = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(good)) {
            z.putNextEntry(new ZipEntry("sast/sast.sarif"));
            z.write("{}".getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        assertEquals(1, Scan.unzip(new ByteArrayInputStream(good.toByteArray()), dir.resolve("r")));
        assertTrue(Files.isRegularFile(dir.resolve("r/sast/sast.sarif")));

        ByteArrayOutputStream evil = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(evil)) {
            z.putNextEntry(new ZipEntry("../escaped"));
            z.closeEntry();
        }
        assertThrows(IOException.class, () -> Scan.unzip(new ByteArrayInputStream(evil.toByteArray()), dir.resolve("r2")));
        assertFalse(Files.exists(dir.resolve("escaped")));
    }

    @Test
    void anUnreachableServerIsSaidSo() throws Exception {
        Path p = dir.resolve("p");
        Files.createDirectories(p);
        Files.writeString(p.resolve("pom.xml"), "<project/>");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new Scan(new PrintStream(out, true, StandardCharsets.UTF_8),
                new ApiClient(URI.create("http://127.0.0.1:1"), null)).run(List.of(p.toString()));
        assertEquals(Scan.UNREACHABLE, code, out.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("PIPELINEX_URL"));
    }

    @Test
    void withoutAnAccountOfItsOwnTheAdminAccountOfUpIsUsed() throws Exception {
        assertEquals(basic("ops:up-Secret-1"), ApiClient.authorizationFrom(Map.of(
                "PIPELINEX_ADMIN_USER", "ops", "PIPELINEX_ADMIN_PASSWORD", "up-Secret-1")),
                "the account ./pipelinex up was given");
        assertEquals(basic("admin:up-Secret-1"), ApiClient.authorizationFrom(Map.of("PIPELINEX_ADMIN_PASSWORD", "up-Secret-1")),
                "the admin user is 'admin' unless named");
        Path file = dir.resolve("admin-password");
        Files.writeString(file, "made-by-up\n");
        assertEquals(basic("ops:made-by-up"), ApiClient.authorizationFrom(Map.of(
                "PIPELINEX_ADMIN_USER", "ops", "PIPELINEX_ADMIN_PASSWORD_FILE", file.toString())),
                "the password ./pipelinex up made, read from its file");
        assertEquals(basic("ops:up-Secret-1"), ApiClient.authorizationFrom(Map.of("PIPELINEX_ADMIN_USER", "ops",
                "PIPELINEX_ADMIN_PASSWORD", "up-Secret-1", "PIPELINEX_ADMIN_PASSWORD_FILE", file.toString())),
                "a password given wins over the file");
        assertEquals(basic("u:p"), ApiClient.authorizationFrom(Map.of("PIPELINEX_USER", "u", "PIPELINEX_PASSWORD", "p",
                "PIPELINEX_ADMIN_PASSWORD", "up-Secret-1")), "an account of the client's own wins over the admin");
        assertEquals(null, ApiClient.authorizationFrom(Map.of("PIPELINEX_ADMIN_PASSWORD_FILE",
                dir.resolve("missing").toString())), "no password, no account");
    }

    @Test
    void aRefusedAccountIsNotEchoed() throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", x -> {
            x.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"PipelineX\"");
            x.sendResponseHeaders(401, -1);
            x.close();
        });
        server.start();
        try {
            Path p = dir.resolve("p");
            Files.createDirectories(p);
            Files.writeString(p.resolve("pom.xml"), "<project/>");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            String auth = ApiClient.authorizationFrom(Map.of("PIPELINEX_ADMIN_PASSWORD", "up-Secret-1"));
            int code = new Scan(new PrintStream(out, true, StandardCharsets.UTF_8), new ApiClient(
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort()), auth)).run(List.of(p.toString()));
            String printed = out.toString(StandardCharsets.UTF_8);
            assertEquals(Scan.REFUSED, code, printed);
            assertTrue(printed.contains("PIPELINEX_ADMIN_PASSWORD"), "says which variables set the account: " + printed);
            assertFalse(printed.contains("up-Secret-1") || printed.contains(auth.substring(6)),
                    "the password is never printed: " + printed);
        } finally {
            server.stop(0);
        }
    }

    private static String basic(String pair) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theAccountComesFromTheEnvironment() {
        assertEquals("Bearer abc", ApiClient.authorizationFrom(Map.of("PIPELINEX_TOKEN", "abc", "PIPELINEX_USER", "u")));
        assertEquals("Basic dTpw", ApiClient.authorizationFrom(Map.of("PIPELINEX_USER", "u", "PIPELINEX_PASSWORD", "p")));
        assertEquals(null, ApiClient.authorizationFrom(Map.of()));
        assertTrue(ApiClient.detail(401, "").contains("PIPELINEX_USER"));
        assertTrue(ApiClient.detail(401, "").contains("PIPELINEX_ADMIN_PASSWORD"));
        assertEquals("The project is too large: over 50 MiB", ApiClient.detail(413,
                "{\"title\": \"The project is too large\", \"detail\": \"over 50 MiB\"}"));
    }
}
