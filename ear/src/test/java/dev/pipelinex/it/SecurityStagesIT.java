package dev.pipelinex.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The security stages on a deliberately flawed Spring Boot shop: injection flaws and weak
 * cryptography (SAST), planted secrets beside look-alike decoys (secrets), and vulnerable
 * libraries, one only transitive (SCA); and on a clean project, which reports nothing above low.
 */
@ExtendWith(ArquillianExtension.class)
class SecurityStagesIT {

    static final Api api = Api.local();
    static final Duration JOB_TIME = Duration.ofMinutes(10);
    static final String PROPERTIES = "src/main/resources/application.properties";
    static String shop;
    static String clean;
    static GitHttpServer git;

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("it.ear")));
    }

    static String metadata(String pipelineExtra) {
        return PipelineIT.METADATA.replace("\"run_secret_scan\": true", "\"run_secret_scan\": true" + pipelineExtra);
    }

    static synchronized void submitAll() throws Exception {
        if (shop == null) {
            shop = PipelineIT.submitted(api.upload(Projects.zip("vulnerable-shop"), metadata(", \"fail_on\": \"high\"")));
            clean = PipelineIT.submitted(api.upload(Projects.zip("greeting-service"), metadata(", \"fail_on\": \"medium\"")));
        }
    }

    static JsonNode sarif(String id, String stage) {
        Api.Reply r = api.get("api/jobs/" + id + "/reports/" + stage + "/sarif");
        assertEquals(200, r.status(), stage + " SARIF of job " + id + ": " + r.body());
        assertTrue(r.contentType().startsWith("application/sarif+json"), r.contentType());
        JsonNode log = r.json();
        assertEquals(Set.of(), Sarif.violations(log), stage + ".sarif must validate against the SARIF 2.1.0 schema");
        return log;
    }

    @Test
    void flawedShopFailsItsQualityGateWithEveryFlawReportedWhereItIs() throws Exception {
        submitAll();
        JsonNode job = api.awaitFinal(shop, JOB_TIME);
        assertEquals("FAILED", job.path("state").path("state").asText(), "fail_on high with high findings: " + job);
        assertEquals("PASSED", job.path("state").path("stages").get(1).path("status").asText(), "build: " + job);
        assertEquals("PASSED", job.path("state").path("stages").get(2).path("status").asText(), "tests: " + job);
        JsonNode sastResult = PipelineIT.result(shop, "sast");
        assertEquals("FAILED", sastResult.path("status").asText(), "the gate fails the stage: " + sastResult);
        assertTrue(sastResult.path("message").asText().contains("quality gate"), sastResult.toString());

        // SAST: each flaw with its CWE at its file and line.
        Map<String, String> expected = Map.of(
                "CWE-89", "OrderController.java:24",
                "CWE-78", "OrderController.java:34",
                "CWE-22", "OrderController.java:40",
                "CWE-328", "PasswordHasher.java:11",
                "CWE-327", "TokenCipher.java:16");
        Set<String> seen = new HashSet<>();
        for (JsonNode r : Sarif.openResults(sarif(shop, "sast"))) {
            String where = Sarif.uri(r).replaceAll(".*/", "") + ":" + Sarif.line(r);
            seen.add(r.at("/properties/cwe").asText() + " " + where);
            assertTrue(Sarif.uri(r).startsWith("src/main/java/com/example/shop/"), "repository path: " + Sarif.uri(r));
        }
        expected.forEach((cwe, where) -> assertTrue(seen.contains(cwe + " " + where), cwe + " at " + where + " in " + seen));
        assertFalse(seen.stream().anyMatch(s -> s.contains("OrderController.java:29")),
                "the parameterised query is not a finding: " + seen);

        // Secrets: the planted ones, no decoy, never the secret itself.
        JsonNode secrets = sarif(shop, "secrets");
        Set<Integer> propertyLines = new TreeSet<>();
        boolean privateKey = false;
        for (JsonNode r : Sarif.openResults(secrets)) {
            if (Sarif.uri(r).equals(PROPERTIES)) {
                propertyLines.add(Sarif.line(r));
            } else if (Sarif.uri(r).equals("src/main/resources/keys/server.pem")) {
                privateKey = true;
            } else {
                throw new AssertionError("a secret where none was planted: " + r);
            }
        }
        assertEquals(Set.of(12, 13, 14, 15, 16), propertyLines,
                "the AWS key pair, GitHub token, Slack webhook and Stripe key, and no decoy (lines 4-10)");
        assertTrue(privateKey, "the private key is found");
        List<String> planted = Files.readAllLines(Projects.dir("vulnerable-shop").resolve(PROPERTIES)).subList(11, 16)
                .stream().map(l -> l.substring(l.indexOf('=') + 1)).toList();
        try (Stream<Path> reports = Files.walk(PipelineIT.workspace(shop).resolve("reports"))) {
            for (Path f : reports.filter(Files::isRegularFile).toList()) {
                if (f.getFileName().toString().endsWith(".log") && !f.getParent().getFileName().toString().equals("secrets")) {
                    continue; // build and test logs echo the project's own output
                }
                String text = Files.readString(f, StandardCharsets.UTF_8);
                for (String secret : planted) {
                    assertFalse(text.contains(secret), f + " must not contain a whole secret");
                }
            }
        }

        // SCA: Log4Shell directly, Text4Shell only through commons-configuration2.
        JsonNode sca = sarif(shop, "sca");
        String log4shell = null;
        String text4shell = null;
        for (JsonNode r : Sarif.openResults(sca)) {
            String ids = r.at("/properties/ids").toString() + r.path("ruleId").asText();
            if (ids.contains("CVE-2021-44228")) {
                log4shell = r.toString();
            }
            if (ids.contains("CVE-2022-42889")) {
                text4shell = r.toString();
            }
        }
        assertTrue(log4shell != null && log4shell.contains("log4j-core"), "Log4Shell in " + sca);
        assertTrue(text4shell != null && text4shell.contains("commons-configuration2")
                && text4shell.contains("commons-text"), "Text4Shell with the path that brings it in: " + text4shell);
        JsonNode scaResult = PipelineIT.result(shop, "sca");
        assertTrue(scaResult.path("summary").path("findings").path("critical").asInt() >= 2, scaResult.toString());
        assertTrue(sca.toString().matches("(?s).*\\d{4}-\\d{2}-\\d{2}.*"), "the report states the advisory data's date");

        Api.Reply sbom = api.get("api/jobs/" + shop + "/reports/sca/sbom");
        assertEquals(200, sbom.status(), sbom.body());
        assertEquals("CycloneDX", sbom.json().path("bomFormat").asText());
        assertTrue(sbom.body().contains("pkg:maven/org.apache.commons/commons-text@1.8"),
                "the SBOM lists transitive dependencies");

        java.net.http.HttpResponse<byte[]> zip = api.getBytes("api/jobs/" + shop + "/reports.zip");
        assertEquals(200, zip.statusCode());
        Set<String> entries = new HashSet<>();
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip.body()))) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                entries.add(e.getName());
            }
        }
        for (String entry : List.of("sast/sast.sarif", "sca/sca.sarif", "sca/bom.cdx.json", "secrets/secrets.sarif",
                "build/result.json", "test/test.log")) {
            assertTrue(entries.contains(entry), "reports.zip holds " + entry + ": " + entries);
        }
    }

    @Test
    void cleanProjectReportsNothingAboveLowAndPassesAMediumGate() throws Exception {
        submitAll();
        JsonNode job = api.awaitFinal(clean, JOB_TIME);
        for (String stage : List.of("sast", "secrets")) {
            JsonNode findings = PipelineIT.result(clean, stage).path("summary").path("findings");
            for (String severity : List.of("critical", "high", "medium")) {
                assertEquals(0, findings.path(severity).asInt(), stage + " " + severity + ": " + findings);
            }
            sarif(clean, stage);
        }
        sarif(clean, "sca");
        // Whatever the advisories say of the Spring Boot version, SAST and secrets pass the gate.
        assertEquals("PASSED", PipelineIT.result(clean, "sast").path("status").asText());
        assertEquals("PASSED", PipelineIT.result(clean, "secrets").path("status").asText());
        assertEquals("PASSED", PipelineIT.result(clean, "test").path("status").asText(), job.toString());
    }

    @Test
    void gitModeFindsASecretThatOnlyTheHistoryStillHas() throws Exception {
        Path repos = Path.of(System.getProperty("it.workspaces")).getParent().resolve("it-git-history");
        Path work = repos.resolve("work");
        dev.pipelinex.job.Workspaces.deleteTree(repos);
        Projects.writeTo("greeting-service", work);
        String token = "ghp_" + "R8sK2mQ9vX4tLw7ZpN3cY6bH1jF5dG0aE2uT";
        Path config = work.resolve("src/main/resources/deploy.properties");
        Files.createDirectories(config.getParent());
        PipelineIT.run(work, "git", "init", "-q", "-b", "main");
        Files.writeString(config, "deploy.token=" + token + "\n");
        commit(work, "deploy settings");
        Files.writeString(config, "deploy.token=${DEPLOY_TOKEN}\n");
        commit(work, "read the token from the environment");
        Files.createDirectories(repos.resolve("acme"));
        PipelineIT.run(repos, "git", "clone", "-q", "--bare", work.toString(), repos.resolve("acme/history.git").toString());
        git = new GitHttpServer(repos);
        String url = "http://127.0.0.1:" + git.port() + "/acme/history";

        String body = """
                {"github_url": "%s",
                 "stack": {"language": "java", "framework": "spring-boot", "build_tool": "maven"},
                 "pipeline": {"run_build": false, "run_unit_tests": false, "run_sast": false, "run_sca": false,
                              "run_secret_scan": true, "secret_scan_mode": "git"}}""".formatted(url);
        String history = PipelineIT.submitted(api.postJson("api/jobs/github", body));
        String files = PipelineIT.submitted(api.postJson("api/jobs/github", body.replace("\"git\"", "\"files\"")));

        JsonNode h = api.awaitFinal(history, JOB_TIME);
        assertEquals("SUCCEEDED", h.path("state").path("state").asText(), h.toString());
        List<JsonNode> found = Sarif.openResults(sarif(history, "secrets"));
        assertTrue(found.stream().anyMatch(r -> Sarif.uri(r).equals("src/main/resources/deploy.properties")
                && r.at("/properties/commit").asText().matches("[0-9a-f]{7,40}")), "the token in the history: " + found);
        assertFalse(found.toString().contains(token), "the report never holds the whole token");

        api.awaitFinal(files, JOB_TIME);
        assertEquals(List.of(), Sarif.openResults(sarif(files, "secrets")), "the files alone hold no secret");
    }

    @Test
    void gitModeForAnUploadWithoutHistoryIsRefused() throws Exception {
        Set<Path> before = PipelineIT.workspaceDirs();
        Api.Reply reply = api.upload(Projects.zip("greeting-service"), metadata(", \"secret_scan_mode\": \"git\""));
        assertEquals(422, reply.status(), reply.body());
        assertTrue(reply.json().path("detail").asText().contains("secret_scan_mode"), reply.body());
        assertEquals(before, PipelineIT.workspaceDirs());
    }

    @Test
    void aStageWithoutSarifSaysSo() throws Exception {
        submitAll();
        Api.Reply reply = api.get("api/jobs/" + shop + "/reports/build/sarif");
        assertEquals(404, reply.status());
        assertTrue(reply.contentType().startsWith("application/problem+json"), reply.contentType());
        assertTrue(reply.json().path("detail").asText().contains("sast, sca, secrets"), reply.body());
    }

    static void commit(Path work, String message) throws Exception {
        PipelineIT.run(work, "git", "add", "-A");
        PipelineIT.run(work, "git", "-c", "user.name=PipelineX", "-c", "user.email=it@pipelinex.invalid",
                "commit", "-q", "-m", message);
    }

    @AfterAll
    static void stopGit() {
        if (git != null) {
            git.close();
        }
    }
}
