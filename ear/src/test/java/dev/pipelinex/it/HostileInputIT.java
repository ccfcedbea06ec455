package dev.pipelinex.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipelinex.intake.HostileArchives;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile input through the real server: malicious archives, metadata, repository URLs and
 * broken HTTP requests. Each must be answered with a 4xx problem (stable type, title, detail),
 * leave no workspace and send no message; afterwards a good submission is still accepted and
 * its job completes.
 */
@ExtendWith(ArquillianExtension.class)
class HostileInputIT {

    static final String METADATA = """
            {"stack": {"language": "java", "framework": "spring-boot", "build_tool": "maven"},
             "versions": {"java": "17", "build_tool": "3.9"},
             "pipeline": {"run_build": true, "run_unit_tests": true, "run_sast": false,
                          "run_sca": false, "run_secret_scan": true}}""";
    static final String STACK = "\"stack\": {\"language\": \"java\", \"framework\": \"spring-boot\", \"build_tool\": \"maven\"}";
    static final String PREFIX = "urn:pipelinex:problem:";

    static final Api api = Api.local();

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("it.ear")));
    }

    /** A hostile request, the status it must get (0: any 4xx) and its problem type (null: any). */
    record Case(String name, Supplier<Api.Reply> request, int status, String type) {
    }

    static List<Case> cases(byte[] good) {
        List<Case> cases = new ArrayList<>();
        // archives: a representative set of the generator's
        Set<String> archives = Set.of("dotdot-first", "dotdot-deep", "absolute-unix", "drive-letter-backslash", "unc-path",
                "backslash-traversal", "nul-in-name", "dot-segment", "long-segment", "symlink-unix", "symlink-fat-platform",
                "char-device", "fifo", "duplicate", "duplicate-slashes", "file-is-also-folder", "unicode-nfc-nfd-duplicate",
                "encrypted", "method-unknown", "local-name-differs", "overlapping-entries", "size-understated", "crc-wrong",
                "tar-gz", "truncated", "comment-only", "end-record-points-outside", "ratio-bomb");
        for (HostileArchives.Case c : HostileArchives.all()) {
            if (archives.contains(c.name())) {
                int status = c.kind().equals("TOO_LARGE") ? 413 : 400;
                String type = c.kind().equals("TOO_LARGE") ? "too-large" : "invalid-archive";
                cases.add(new Case("archive " + c.name(), () -> api.upload(c.zip(), METADATA), status, type));
            }
        }
        cases.add(new Case("archive zip64 lying size", () -> api.upload(HostileArchives.zip64LyingSize(1L << 40), METADATA),
                413, "too-large"));
        cases.add(new Case("archive empty file", () -> api.upload(new byte[0], METADATA), 400, "invalid-archive"));

        // metadata
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("unknown field", "{" + STACK + ", \"pipeline\": {\"run_fuzz\": true}}");
        metadata.put("toggle as string", "{" + STACK + ", \"pipeline\": {\"run_build\": \"yes\"}}");
        metadata.put("java with a command", "{" + STACK + ", \"versions\": {\"java\": \"17; rm -rf /\"}}");
        metadata.put("java negative", "{" + STACK + ", \"versions\": {\"java\": \"-1\"}}");
        metadata.put("maven 3.9.x", "{" + STACK + ", \"versions\": {\"build_tool\": \"3.9.x\"}}");
        metadata.put("duplicate key", "{" + STACK + ", " + STACK + "}");
        metadata.put("nested too deep", "{" + STACK + ", \"pipeline\": " + "[".repeat(30) + "]".repeat(30) + "}");
        metadata.put("array root", "[{" + STACK + "}]");
        metadata.put("trailing garbage", "{" + STACK + "} trailing");
        metadata.put("byte order mark", "\uFEFF{" + STACK + "}");
        metadata.put("huge number", "{" + STACK + ", \"versions\": {\"java\": 1" + "0".repeat(5000) + "}}");
        metadata.put("too large", "{" + STACK + ", \"pad\": \"" + "x".repeat(40 * 1024) + "\"}");
        metadata.forEach((name, json) -> cases.add(new Case("metadata " + name, () -> api.upload(good, json), 400,
                "invalid-metadata")));
        cases.add(new Case("metadata invalid UTF-8", () -> api.uploadParts(List.of(
                new Api.Part("metadata", null, "application/json", bytes(0x7b, 0xc3, 0x28, 0xff, 0x7d)),
                Api.Part.file("project_zip", good))), 400, "invalid-metadata"));
        cases.add(new Case("metadata part over the byte limit", () -> api.uploadParts(List.of(
                Api.Part.text("metadata", "{" + STACK + ", \"pad\": \"" + "x".repeat(100 * 1024) + "\"}"),
                Api.Part.file("project_zip", good))), 0, null));
        cases.add(new Case("metadata with 999 (not served)", () -> api.upload(good,
                "{" + STACK + ", \"versions\": {\"java\": \"999\"}}"), 422, "unsupported-stack"));
        cases.add(new Case("metadata with every stage off", () -> api.upload(good, "{" + STACK + ", \"pipeline\": "
                + "{\"run_build\": false, \"run_unit_tests\": false, \"run_sast\": false, \"run_sca\": false, "
                + "\"run_secret_scan\": false}}"), 422, "no-stage"));

        // repository URLs
        for (String url : List.of("ssh://git@127.0.0.1/acme/app.git", "git@127.0.0.1:acme/app.git", "file:///etc/passwd",
                "ext::sh -c touch% /tmp/pwned", "-uhttps://127.0.0.1/acme/app", "https://127.0.0.1.evil.example/acme/app",
                "https://127.0.0.1@evil.example/acme/app", "https://evil.example/127.0.0.1/acme/app",
                "http://127.0.0.1:8080/acme/../app", "http://127.0.0.1:8080/acme/%2e%2e", "http://127.0.0.1:8080/acme/app/extra",
                "http://127.0.0.1:8080/acme/app?upload-pack=x", "https://github.com/acme/app", "http://127.0.0.1./acme/app",
                "http://127.0.0.1:8080/acme/app\n")) {
            cases.add(new Case("url " + url.replace("\n", "\\n"), () -> api.postJson("api/jobs/github",
                    "{\"github_url\": " + Api.JSON.valueToTree(url) + ", " + STACK + "}"), 400, "invalid-repository-url"));
        }

        cases.add(new Case("url of a repository that cannot be cloned", () -> api.postJson("api/jobs/github",
                "{\"github_url\": \"http://127.0.0.1:1/acme/missing\", " + STACK + "}"), 422, "clone-failed"));

        // HTTP
        cases.add(new Case("chunked upload over the limit", () -> api.uploadChunked(METADATA, 60L << 20), 413, null));
        cases.add(new Case("multipart without project_zip", () -> api.uploadParts(List.of(Api.Part.text("metadata", METADATA))),
                400, "malformed-request"));
        cases.add(new Case("multipart without metadata", () -> api.uploadParts(List.of(Api.Part.file("project_zip", good))),
                400, "malformed-request"));
        cases.add(new Case("multipart with project_zip twice", () -> api.uploadParts(List.of(Api.Part.text("metadata", METADATA),
                Api.Part.file("project_zip", good), Api.Part.file("project_zip", HostileArchives.files("../evil.txt")))),
                400, "malformed-request"));
        cases.add(new Case("multipart without parts", () -> api.uploadParts(List.of()), 0, null));
        cases.add(new Case("multipart without boundary", () -> api.post("api/jobs/upload", "multipart/form-data",
                "garbage".getBytes(StandardCharsets.UTF_8), Map.of()), 400, "malformed-request"));
        cases.add(new Case("multipart garbage body", () -> api.post("api/jobs/upload", "multipart/form-data; boundary=xyz",
                "this is not multipart at all".getBytes(StandardCharsets.UTF_8), Map.of()), 0, null));
        cases.add(new Case("upload as JSON", () -> api.postJson("api/jobs/upload", METADATA), 415, "unsupported-media-type"));
        cases.add(new Case("upload as zip body", () -> api.post("api/jobs/upload", "application/zip", good, Map.of()),
                415, "unsupported-media-type"));
        cases.add(new Case("github as text", () -> api.post("api/jobs/github", "text/plain",
                "{}".getBytes(StandardCharsets.UTF_8), Map.of()), 415, "unsupported-media-type"));
        cases.add(new Case("github body over the limit", () -> api.postJson("api/jobs/github",
                "{" + STACK + ", \"pad\": \"" + "x".repeat(200 * 1024) + "\"}"), 413, "request-too-large"));
        cases.add(new Case("Content-Length over the upload limit, body never sent", () -> api.raw("POST", "api/jobs/upload",
                Map.of("Content-Type", "multipart/form-data; boundary=xyz", "Content-Length", "100000000"),
                "--xyz\r\n".getBytes(StandardCharsets.US_ASCII)), 413, "request-too-large"));
        // HTTP/1.1: over HTTP/2 the listener's own header limit ends the connection first.
        cases.add(new Case("huge header value", () -> api.raw("POST", "api/jobs/upload",
                Map.of("Content-Type", "multipart/form-data; boundary=xyz", "Content-Length", "9", "X-Padding", "p".repeat(20_000)),
                "--xyz--\r\n".getBytes(StandardCharsets.US_ASCII)), 431, "header-too-large"));
        cases.add(new Case("huge file name", () -> api.uploadParts(List.of(Api.Part.text("metadata", METADATA),
                new Api.Part("project_zip", "x".repeat(6000) + ".zip", "application/zip", "not a zip".getBytes(StandardCharsets.UTF_8)))),
                0, null));
        return cases;
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void hostileInputIsRefusedCaseByCaseAndLeavesNoTrace() throws Exception {
        byte[] good = Projects.zip("greeting-service");
        long messagesBefore = messagesAdded();
        Set<Path> before = PipelineIT.workspaceDirs();
        List<Case> cases = cases(good);
        assertTrue(cases.size() >= 30, "a representative set: " + cases.size());
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            String problem = check(c);
            if (problem != null) {
                failures.add(c.name() + ": " + problem);
            }
            if (!before.equals(PipelineIT.workspaceDirs())) {
                failures.add(c.name() + ": left a workspace " + PipelineIT.workspaceDirs());
                before = PipelineIT.workspaceDirs();
            }
        }
        assertEquals(List.of(), failures, failures.size() + " of " + cases.size() + " cases");
        assertEquals(messagesBefore, messagesAdded(), "no refused submission sends a message");

        // The server is still healthy: a good upload and a good repository are accepted and their jobs complete.
        String id = PipelineIT.submitted(api.upload(good, METADATA));
        String cloned;
        try {
            cloned = PipelineIT.submitted(api.postJson("api/jobs/github", PipelineIT.githubRequest()));
        } finally {
            PipelineIT.stopServers();
        }
        for (String job : List.of(id, cloned)) {
            JsonNode done = api.awaitFinal(job, Duration.ofMinutes(10));
            assertEquals("SUCCEEDED", done.path("state").path("state").asText(), "job: " + done);
        }
        assertEquals(messagesBefore + 2, messagesAdded(), "each good submission sent its message");
    }

    /**
     * A client that writes its whole body before it reads (no {@code Expect: 100-continue})
     * reads the refusal of a body over the limit: the server discards the rest of it, but only
     * up to 64 MiB beyond the limit; a larger body has its connection closed under it. The
     * server runs with the default upload limit, 50 MiB.
     */
    @Test
    void aClientThatSendsAnOverLimitBodyWholeReadsTheRefusalUpToABound() {
        long mib = 1 << 20;
        Map<String, String> multipart = Map.of("Content-Type", "multipart/form-data; boundary=xyz");
        Api.Sent over = api.sendWhole("api/jobs/upload", multipart, 66 * mib, true);
        assertEquals(null, over.failure(), "the whole body was taken: " + over);
        assertEquals(413, over.reply().status(), over.reply().body());
        assertTrue(over.reply().contentType().startsWith("application/problem+json"), over.reply().contentType());
        assertEquals(PREFIX + "request-too-large", over.reply().json().path("type").asText(), over.reply().body());
        assertTrue(over.reply().json().path("detail").asText().contains("pipelinex.intake.max-upload-bytes"), over.reply().body());

        Api.Sent anonymous = api.sendWhole("api/jobs/upload", multipart, 66 * mib, false);
        assertEquals(null, anonymous.failure(), "the whole body was taken: " + anonymous);
        assertEquals(401, anonymous.reply().status(), "the refusal of a missing account is read too");

        Api.Sent json = api.sendWhole("api/jobs/github", Map.of("Content-Type", "application/json"), 20 * mib, true);
        assertEquals(null, json.failure(), "the whole body was taken: " + json);
        assertEquals(413, json.reply().status(), json.reply().body());

        long beyond = 50 * mib + 64 * mib + 64 * mib;
        Api.Sent far = api.sendWhole("api/jobs/upload", multipart, beyond, true);
        assertTrue(far.failure() != null && far.written() < beyond,
                "a body far over the limit is not read to its end: wrote " + far.written() + " of " + beyond + ", " + far);

        // The server is still answering on new connections.
        assertEquals(200, api.get("api/jobs").status());
    }

    /** Null when the reply is a proper refusal, else what is wrong with it. */
    static String check(Case c) {
        Api.Reply r = c.request().get();
        String seen = " (got " + r.status() + " " + r.contentType() + ": " + abbreviate(r.body()) + ")";
        if (r.status() < 400 || r.status() > 499 || (c.status() != 0 && r.status() != c.status())) {
            return "expected " + (c.status() == 0 ? "a 4xx" : c.status()) + seen;
        }
        if (!r.contentType().startsWith("application/problem+json")) {
            return "expected application/problem+json" + seen;
        }
        JsonNode p;
        try {
            p = Api.JSON.readTree(r.body());
        } catch (Exception e) {
            return "the body is not JSON" + seen;
        }
        for (String field : List.of("type", "title", "detail")) {
            if (p.path(field).asText().isBlank()) {
                return "the problem has no " + field + seen;
            }
        }
        if (!p.path("type").asText().startsWith(PREFIX)) {
            return "the type is not " + PREFIX + "…" + seen;
        }
        if (c.type() != null && !p.path("type").asText().equals(PREFIX + c.type())) {
            return "expected type " + c.type() + seen;
        }
        if (p.path("status").asInt() != r.status()) {
            return "the problem's status differs from the response's" + seen;
        }
        assertFalse(p.path("detail").asText().contains("Exception"), "no stack trace or exception names: " + p);
        System.out.println("[hostile] " + c.name() + " -> " + r.status() + " " + p.path("type").asText() + ": "
                + abbreviate(p.path("detail").asText()));
        return null;
    }

    static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }

    static long messagesAdded() throws Exception {
        String out = PipelineIT.cli("/subsystem=messaging-activemq/server=default/jms-queue=PipelineJobs:read-attribute(name=messages-added)");
        assertTrue(out.contains("\"outcome\" => \"success\""), out);
        return Long.parseLong(out.replaceAll("(?s).*\"result\" => (\\d+)L?.*", "$1"));
    }
}
