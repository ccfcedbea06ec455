package dev.pipelinex.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.job.MetadataParser;
import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile input, case by case: malicious archives (built by {@link HostileArchives}), metadata
 * documents and repository URLs. Each is refused with the right kind and a detail that names
 * the problem, and an archive leaves nothing behind: the job's {@code source/} is empty again
 * and nothing beside it (a sibling canary, the job folder) was touched.
 */
class HostileInputTest {

    private static final IntakeLimits LIMITS = new IntakeLimits(50L << 20, 100, 10L << 20, 25, 5);

    @TempDir
    Path root;

    // ---- archives -------------------------------------------------------------------------

    static List<HostileArchives.Case> archives() {
        return HostileArchives.all();
    }

    @Test
    void theGeneratorBuildsDozensOfArchives() {
        assertTrue(archives().size() >= 40, "at least 40 malicious archives: " + archives().size());
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("archives")
    void maliciousArchiveIsRefusedAndLeavesNothing(HostileArchives.Case c) throws IOException {
        Path job = Files.createDirectories(root.resolve("workspaces/job"));
        Path source = Files.createDirectories(job.resolve("source"));
        Files.writeString(root.resolve("canary.txt"), "canary");
        Files.writeString(root.resolve("workspaces/canary.txt"), "canary");
        Path upload = job.resolve("upload.zip");
        ZipIntake intake = new ZipIntake(LIMITS);
        intake.save(new java.io.ByteArrayInputStream(c.zip()), upload);
        Map<String, String> before = tree(root);

        RequestRefusedException e = assertThrows(RequestRefusedException.class, () -> intake.unpack(upload, source),
                c.name() + " should be refused");
        assertEquals(Refusal.valueOf(c.kind()), e.refusal(), c.name() + ": " + e.detail());
        assertTrue(e.detail().contains(c.fragment()), c.name() + ": the detail should mention '" + c.fragment()
                + "': " + e.detail());
        assertEquals(before, tree(root), c.name() + ": nothing may be written anywhere, source/ is emptied again");
        try (Stream<Path> s = Files.list(source)) {
            assertEquals(0, s.count(), c.name() + ": source/ is left empty");
        }
    }

    @Test
    void failureMidExtractionEmptiesWhatWasAlreadyWritten() throws IOException {
        // Good files first, then a CRC that does not match: the good ones must go again.
        byte[] zip = HostileArchives.zip(List.of(
                HostileArchives.Entry.file("pom.xml", HostileArchives.POM),
                HostileArchives.Entry.file("src/main/java/A.java", "class A {}"),
                HostileArchives.Entry.file("zz.txt", "last")));
        zip = HostileArchives.lastCrcWrong(zip);
        Path source = Files.createDirectories(root.resolve("job/source"));
        Path upload = root.resolve("job/upload.zip");
        Files.write(upload, zip);
        RequestRefusedException e = assertThrows(RequestRefusedException.class,
                () -> new ZipIntake(LIMITS).unpack(upload, source));
        assertTrue(e.detail().contains("CRC"), e.detail());
        try (Stream<Path> s = Files.list(source)) {
            assertEquals(0, s.count(), "what was unpacked before the failure is removed");
        }
    }

    @Test
    void totalSizeBombIsRefusedWhileUnpacking() throws IOException {
        // Each entry compresses well below the ratio limit's threshold, together they pass the limit.
        List<HostileArchives.Entry> entries = new java.util.ArrayList<>();
        entries.add(HostileArchives.Entry.file("pom.xml", HostileArchives.POM));
        byte[] chunk = new byte[900 * 1024];
        new java.util.Random(7).nextBytes(chunk);
        for (int i = 0; i < 4; i++) {
            entries.add(new HostileArchives.Entry("part" + i + ".bin", chunk, 0, x -> { }));
        }
        Path source = Files.createDirectories(root.resolve("job/source"));
        Path upload = root.resolve("job/upload.zip");
        Files.write(upload, HostileArchives.zip(entries));
        IntakeLimits small = new IntakeLimits(50L << 20, 100, 3L << 20, 25, 5);
        RequestRefusedException e = assertThrows(RequestRefusedException.class,
                () -> new ZipIntake(small).unpack(upload, source));
        assertEquals(Refusal.TOO_LARGE, e.refusal(), e.detail());
        assertTrue(e.detail().contains("unpacks to more than 3 MiB"), e.detail());
    }

    @Test
    void tooManyEntriesAreRefusedFromTheEndRecordBeforeTheDirectoryIsRead() throws IOException {
        String[] names = new String[250];
        for (int i = 0; i < names.length; i++) {
            names[i] = "f" + i;
        }
        Path upload = root.resolve("upload.zip");
        Files.write(upload, HostileArchives.files(names));
        Path source = Files.createDirectories(root.resolve("source"));
        RequestRefusedException e = assertThrows(RequestRefusedException.class,
                () -> new ZipIntake(LIMITS).unpack(upload, source));
        assertEquals(Refusal.TOO_LARGE, e.refusal(), e.detail());
        assertTrue(e.detail().contains("lists 251 entries"), e.detail());
    }

    @Test
    void namesThatDifferOnlyByCaseAndNestedZipsAreAccepted() throws IOException {
        byte[] inner = HostileArchives.files("inner.txt");
        byte[] zip = HostileArchives.zip(List.of(
                HostileArchives.Entry.file("pom.xml", HostileArchives.POM),
                HostileArchives.Entry.file("Readme.md", "a"),
                HostileArchives.Entry.file("README.md", "b"),
                new HostileArchives.Entry("lib/nested.zip", inner, 0, x -> { })));
        Path source = Files.createDirectories(root.resolve("source"));
        Path upload = root.resolve("upload.zip");
        Files.write(upload, zip);
        new ZipIntake(LIMITS).unpack(upload, source);
        assertEquals("a", Files.readString(source.resolve("Readme.md")));
        assertEquals("b", Files.readString(source.resolve("README.md")));
        assertTrue(Files.isRegularFile(source.resolve("lib/nested.zip")), "a nested ZIP is just a file");
    }

    @Test
    void uploadOverTheLimitIsRefusedWhileStreaming() {
        ZipIntake intake = new ZipIntake(new IntakeLimits(1000, 10, 10_000, 5, 5));
        RequestRefusedException e = assertThrows(RequestRefusedException.class,
                () -> intake.save(new java.io.ByteArrayInputStream(new byte[5000]), root.resolve("u.zip")));
        assertEquals(Refusal.TOO_LARGE, e.refusal());
        assertTrue(e.detail().contains("max-upload-bytes"), e.detail());
    }

    @Test
    void brokenUploadStreamIsAMalformedRequest() {
        java.io.InputStream broken = new java.io.InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        };
        RequestRefusedException e = assertThrows(RequestRefusedException.class,
                () -> new ZipIntake(LIMITS).save(broken, root.resolve("u.zip")));
        assertEquals(Refusal.MALFORMED_REQUEST, e.refusal());
        assertTrue(e.detail().contains("project_zip"), e.detail());
    }

    /** Every file under {@code dir} with its content (folders as "/"), excluding upload.zip. */
    private static Map<String, String> tree(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                String rel = dir.relativize(p).toString();
                if (rel.endsWith("upload.zip")) {
                    continue;
                }
                files.put(rel, Files.isDirectory(p) ? "/" : Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        return files;
    }

    // ---- metadata -------------------------------------------------------------------------

    static final String STACK = "\"stack\": {\"language\": \"java\", \"framework\": \"spring-boot\", \"build_tool\": \"maven\"}";

    static Stream<Arguments> metadata() {
        return Stream.of(
                Arguments.of("unknown top-level field", "{" + STACK + ", \"run\": true}", "'run'"),
                Arguments.of("unknown stack field", "{\"stack\": {\"language\": \"java\", \"framework\": \"none\", "
                        + "\"build_tool\": \"maven\", \"shell\": \"bash\"}}", "'stack.shell'"),
                Arguments.of("unknown versions field", "{" + STACK + ", \"versions\": {\"node\": \"20\"}}", "'versions.node'"),
                Arguments.of("unknown pipeline field", "{" + STACK + ", \"pipeline\": {\"run_fuzz\": true}}", "'pipeline.run_fuzz'"),
                Arguments.of("toggle as string", "{" + STACK + ", \"pipeline\": {\"run_build\": \"yes\"}}", "'pipeline.run_build'"),
                Arguments.of("toggle as number", "{" + STACK + ", \"pipeline\": {\"run_sast\": 1}}", "'pipeline.run_sast'"),
                Arguments.of("toggle as string true", "{" + STACK + ", \"pipeline\": {\"run_sca\": \"true\"}}", "'pipeline.run_sca'"),
                Arguments.of("fail_on unknown", "{" + STACK + ", \"pipeline\": {\"fail_on\": \"severe\"}}", "'pipeline.fail_on'"),
                Arguments.of("fail_on number", "{" + STACK + ", \"pipeline\": {\"fail_on\": 3}}", "'pipeline.fail_on'"),
                Arguments.of("secret_scan_mode unknown", "{" + STACK + ", \"pipeline\": {\"secret_scan_mode\": \"all\"}}",
                        "'pipeline.secret_scan_mode'"),
                Arguments.of("java with a command", "{" + STACK + ", \"versions\": {\"java\": \"17; rm -rf /\"}}", "'versions.java'"),
                Arguments.of("java negative", "{" + STACK + ", \"versions\": {\"java\": \"-1\"}}", "'versions.java'"),
                Arguments.of("java negative number", "{" + STACK + ", \"versions\": {\"java\": -1}}", "'versions.java'"),
                Arguments.of("java zero", "{" + STACK + ", \"versions\": {\"java\": \"0\"}}", "'versions.java'"),
                Arguments.of("java with dots", "{" + STACK + ", \"versions\": {\"java\": \"17.0.2\"}}", "'versions.java'"),
                Arguments.of("java fraction", "{" + STACK + ", \"versions\": {\"java\": 17.5}}", "'versions.java'"),
                Arguments.of("java huge number", "{" + STACK + ", \"versions\": {\"java\": 99999999999999999999}}", "'versions.java'"),
                Arguments.of("java array", "{" + STACK + ", \"versions\": {\"java\": [17]}}", "'versions.java'"),
                Arguments.of("java with newline", "{" + STACK + ", \"versions\": {\"java\": \"1\\n7\"}}", "'versions.java'"),
                Arguments.of("maven 3.9.x", "{" + STACK + ", \"versions\": {\"build_tool\": \"3.9.x\"}}", "'versions.build_tool'"),
                Arguments.of("maven leading v", "{" + STACK + ", \"versions\": {\"build_tool\": \"v3.9\"}}", "'versions.build_tool'"),
                Arguments.of("maven too many parts", "{" + STACK + ", \"versions\": {\"build_tool\": \"3.9.1.1\"}}",
                        "'versions.build_tool'"),
                Arguments.of("language with shell", "{\"stack\": {\"language\": \"java$(id)\", \"framework\": \"none\", "
                        + "\"build_tool\": \"maven\"}}", "'stack.language'"),
                Arguments.of("framework with path", "{\"stack\": {\"language\": \"java\", \"framework\": \"../none\", "
                        + "\"build_tool\": \"maven\"}}", "'stack.framework'"),
                Arguments.of("framework too long", "{\"stack\": {\"language\": \"java\", \"framework\": \""
                        + "x".repeat(100) + "\", \"build_tool\": \"maven\"}}", "'stack.framework'"),
                Arguments.of("stack as string", "{\"stack\": \"java\"}", "'stack'"),
                Arguments.of("stack missing", "{\"versions\": {}}", "'stack'"),
                Arguments.of("duplicate key", "{" + STACK + ", " + STACK + "}", "Duplicate field 'stack'"),
                Arguments.of("duplicate nested key", "{" + STACK + ", \"pipeline\": {\"run_build\": true, \"run_build\": false}}",
                        "Duplicate field 'run_build'; each field may appear once at field 'pipeline"),
                Arguments.of("array root", "[" + "{" + STACK + "}]", "'metadata' must be a JSON object"),
                Arguments.of("string root", "\"java\"", "'metadata' must be a JSON object"),
                Arguments.of("number root", "17", "'metadata' must be a JSON object"),
                Arguments.of("null root", "null", "'metadata' must be a JSON object"),
                Arguments.of("trailing garbage", "{" + STACK + "} x", "not valid JSON"),
                Arguments.of("second object", "{" + STACK + "}{" + STACK + "}", "not valid JSON"),
                Arguments.of("byte order mark", "\uFEFF{" + STACK + "}", "byte order mark"),
                Arguments.of("nested too deep", "{" + STACK + ", \"pipeline\": " + "[".repeat(20) + "]".repeat(20) + "}",
                        "nested deeper than 8"),
                Arguments.of("number too long", "{" + STACK + ", \"versions\": {\"java\": 1" + "0".repeat(40) + "}}",
                        "longer than 20 digits at field 'versions.java'"),
                Arguments.of("comment", "{" + STACK + " /* hi */}", "not valid JSON"),
                Arguments.of("single quotes", "{'stack': {}}", "not valid JSON"),
                Arguments.of("empty", "", "empty"),
                Arguments.of("blank", "  \n ", "empty"),
                Arguments.of("too large", "{" + STACK + ", \"pad\": \"" + "x".repeat(17 * 1024) + "\"}", "limit is 16384"));
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("metadata")
    void hostileMetadataIsRefusedNamingTheField(String name, String json, String fragment) {
        RequestRefusedException e = assertThrows(RequestRefusedException.class, () -> new MetadataParser().parse(json),
                name + " should be refused");
        assertEquals(Refusal.INVALID_METADATA, e.refusal(), name + ": " + e.detail());
        assertTrue(e.detail().contains(fragment), name + ": the detail should mention '" + fragment + "': " + e.detail());
        assertTrue(e.detail().codePoints().noneMatch(Character::isISOControl), name + ": the detail is printable: " + e.detail());
    }

    @Test
    void realVersionsPass() {
        var r = new MetadataParser().parse("{" + STACK + ", \"versions\": {\"java\": 21, \"build_tool\": \"3.9.11\"}}");
        assertEquals("21", r.versions().java());
        assertEquals("3.9.11", r.versions().buildTool());
    }

    // ---- repository URLs ------------------------------------------------------------------

    /** A resolver without DNS: a few names with fixed addresses. */
    static final Map<String, String> ADDRESSES = Map.ofEntries(
            Map.entry("github.com", "140.82.112.3"),
            Map.entry("loopback.example", "127.0.0.1"),
            Map.entry("ten.example", "10.1.2.3"),
            Map.entry("oneseventwo.example", "172.16.0.9"),
            Map.entry("oneninetwo.example", "192.168.1.1"),
            Map.entry("metadata.example", "169.254.169.254"),
            Map.entry("linklocal.example", "169.254.10.10"),
            Map.entry("cgnat.example", "100.64.0.1"),
            Map.entry("zero.example", "0.0.0.0"),
            Map.entry("multicast.example", "224.0.0.1"),
            Map.entry("v6loop.example", "::1"),
            Map.entry("v6ula.example", "fd12:3456::1"),
            Map.entry("v6metadata.example", "fd00:ec2::254"),
            Map.entry("v6linklocal.example", "fe80::1"),
            Map.entry("v6mapped.example", "::ffff:10.0.0.1"),
            Map.entry("nat64.example", "64:ff9b::a9fe:a9fe"),
            Map.entry("mixed.example", "140.82.112.4,10.0.0.5"));

    static final AddressResolver FAKE = host -> {
        String spec = ADDRESSES.get(host);
        if (spec == null) {
            throw new UnknownHostException(host);
        }
        List<InetAddress> list = new java.util.ArrayList<>();
        for (String a : spec.split(",")) {
            list.add(InetAddress.getByName(a));
        }
        return list.toArray(InetAddress[]::new);
    };

    static Stream<Arguments> urls() {
        return Stream.of(
                Arguments.of("http://github.com/o/r", "only https"),
                Arguments.of("ssh://git@github.com/o/r.git", "only https"),
                Arguments.of("git://github.com/o/r.git", "only https"),
                Arguments.of("file:///etc/passwd", "only https"),
                Arguments.of("ext::sh -c touch% /tmp/pwned", "whitespace"),
                Arguments.of("ext::sh", "ext::"),
                Arguments.of("git@github.com:o/r.git", "scp-like"),
                Arguments.of("github.com:o/r.git", "only https"),
                Arguments.of("-uhttps://github.com/o/r", "starts with '-'"),
                Arguments.of("--upload-pack=touch /tmp/x", "whitespace"),
                Arguments.of("https://github.com.evil.example/o/r", "host 'github.com.evil.example' is not allowed"),
                Arguments.of("https://github.com@evil.example/o/r", "user name or password"),
                Arguments.of("https://evil.example/github.com", "host 'evil.example' is not allowed"),
                Arguments.of("https://evil.example/github.com/o/r", "host 'evil.example' is not allowed"),
                Arguments.of("https://github.com./o/r", "trailing dot"),
                Arguments.of("https://GITHUB.COM./o/r", "trailing dot"),
                Arguments.of("https://xn--gthub-n4a.com/o/r", "punycode"),
                Arguments.of("https://gіthub.com/o/r", "non-ASCII"),
                Arguments.of("https://github.com:22/o/r", "port 22"),
                Arguments.of("https://github.com:8443/o/r", "port 8443"),
                Arguments.of("https://github.com:0/o/r", "port 0"),
                Arguments.of("https://[::1]/o/r", "not allowed"),
                Arguments.of("https://github.com%2eevil.example/o/r", "percent-encoded"),
                Arguments.of("https://github.com/o/r/extra", "/owner/repository"),
                Arguments.of("https://github.com/o/r/info/refs", "/owner/repository"),
                Arguments.of("https://github.com/o/../r", "/owner/repository"),
                Arguments.of("https://github.com/../o/r", "/owner/repository"),
                Arguments.of("https://github.com/o/r..git", "/owner/repository"),
                Arguments.of("https://github.com/o/%2e%2e", "percent-encoded"),
                Arguments.of("https://github.com/o%2Fr/x", "percent-encoded"),
                Arguments.of("https://github.com/o/r?x=1", "query or a fragment"),
                Arguments.of("https://github.com/o/r#main", "query or a fragment"),
                Arguments.of("https://github.com/o/r\n", "whitespace"),
                Arguments.of("https://github.com/o/r\tx", "whitespace"),
                Arguments.of("https://github.com/o/r\u0000", "control"),
                Arguments.of("https://github.com/o/r\u00a0", "non-ASCII"),
                Arguments.of("https:\\\\github.com\\o\\r", "only https"),
                Arguments.of("https://github.com\\@evil.example/o/r", "backslash"),
                Arguments.of("https:///o/r", "not a host name"),
                Arguments.of("", "empty"),
                Arguments.of("https://github.com/" + "o".repeat(400) + "/r", "limit is 300"));
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("urls")
    void hostileUrlIsRefused(String url, String fragment) {
        GitIntake intake = new GitIntake(GitPolicy.DEFAULT, IntakeLimits.DEFAULTS, FAKE);
        RequestRefusedException e = assertThrows(RequestRefusedException.class, () -> intake.check(url),
                "'" + url + "' should be refused");
        assertEquals(Refusal.INVALID_REPOSITORY_URL, e.refusal(), url + ": " + e.detail());
        assertTrue(e.detail().contains(fragment), "'" + url + "': the detail should mention '" + fragment + "': " + e.detail());
        assertTrue(e.detail().codePoints().noneMatch(c -> c < 0x20), "the detail is printable: " + e.detail());
    }

    static Stream<Arguments> addresses() {
        return Stream.of(
                Arguments.of("loopback.example", "loopback"),
                Arguments.of("ten.example", "private"),
                Arguments.of("oneseventwo.example", "private"),
                Arguments.of("oneninetwo.example", "private"),
                Arguments.of("metadata.example", "cloud metadata"),
                Arguments.of("linklocal.example", "link-local"),
                Arguments.of("cgnat.example", "carrier-grade NAT"),
                Arguments.of("zero.example", "unspecified"),
                Arguments.of("multicast.example", "multicast"),
                Arguments.of("v6loop.example", "loopback"),
                Arguments.of("v6ula.example", "unique local"),
                Arguments.of("v6metadata.example", "cloud metadata"),
                Arguments.of("v6linklocal.example", "link-local"),
                Arguments.of("v6mapped.example", "private"),
                Arguments.of("nat64.example", "cloud metadata"),
                Arguments.of("mixed.example", "10.0.0.5"),
                Arguments.of("unknown.example", "cannot be resolved"),
                Arguments.of("127.0.0.1", "loopback"),
                Arguments.of("[::1]", "loopback"),
                Arguments.of("169.254.169.254", "cloud metadata"));
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("addresses")
    void hostThatResolvesToANonPublicAddressIsRefused(String host, String fragment) {
        GitPolicy policy = new GitPolicy(Set.of(host), false, false);
        GitIntake intake = new GitIntake(policy, IntakeLimits.DEFAULTS, h -> h.matches("[0-9.:a-f]+")
                ? new InetAddress[] {InetAddress.getByName(h)} : FAKE.resolve(h));
        RequestRefusedException e = assertThrows(RequestRefusedException.class,
                () -> intake.check("https://" + host + "/o/r"), host + " should be refused");
        assertEquals(Refusal.INVALID_REPOSITORY_URL, e.refusal(), e.detail());
        assertTrue(e.detail().contains(fragment), host + ": the detail should mention '" + fragment + "': " + e.detail());
    }

    @Test
    void operatorMayAllowPrivateAddressesAndPorts() {
        GitPolicy policy = new GitPolicy(Set.of("ten.example:*", "github.com"), true, true);
        GitIntake intake = new GitIntake(policy, IntakeLimits.DEFAULTS, FAKE);
        assertEquals(URI.create("http://ten.example:8080/o/r.git"), intake.check("http://ten.example:8080/o/r"));
        assertEquals(URI.create("https://github.com/o/r.git"), intake.check("https://github.com:443/o/r"),
                "the default port is no port");
    }

    @Test
    void publicHostPasses() {
        GitIntake intake = new GitIntake(GitPolicy.DEFAULT, IntakeLimits.DEFAULTS, FAKE);
        assertEquals(URI.create("https://github.com/o/r.git"), intake.check(" https://github.com/o/r".trim()));
    }
}
