package dev.pipelinex.scanners.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipelinex.scanners.report.Finding;
import dev.pipelinex.scanners.report.Reports;
import dev.pipelinex.scanners.report.SarifSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A project with planted secrets of many providers next to look-alikes: documented example
 * keys, placeholders, hashes, UUIDs, short values and variable references. Exactly the planted
 * ones must be found, where they are, and no report may contain one.
 */
class PlantedProjectTest {

    @TempDir
    Path project;
    @TempDir
    Path out;

    private final Fakes fakes = new Fakes(42);
    private final Set<String> expected = new TreeSet<>();

    @BeforeEach
    void plant() throws IOException {
        String dbPassword = fakes.password(14);
        String jwtSecret = fakes.secret(fakes.random(Fakes.BASE64, 43) + "=");
        write("src/main/resources/application.properties",
                "spring.application.name=orders",
                "spring.datasource.url=jdbc:postgresql://orders:" + dbPassword + "@db.internal:5432/orders",
                "spring.datasource.password=${DB_PASSWORD:changeme}",
                "cloud.aws.credentials.access-key=AKIAIOSFODNN7EXAMPLE",
                "cloud.aws.credentials.secret-key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "app.jwt.secret=" + jwtSecret,
                "stripe.test-key=sk_test_4eC39HqLyjWDarjtT1zdp7dc",
                "stripe.live-key=" + fakes.stripeLive(),
                "app.cache.token=" + fakes.random(Fakes.HEX, 64),
                "app.client.api-key=123e4567-e89b-12d3-a456-426614174000",
                "admin.password=$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
                "short.password=abc12",
                "app.token-validity-seconds=86400");
        expect("url-credentials", "src/main/resources/application.properties", 2);
        expect("generic-secret-config", "src/main/resources/application.properties", 6);
        expect("stripe-live-secret-key", "src/main/resources/application.properties", 8);

        write("src/main/resources/application.yml",
                "aws:",
                "  access-key-id: " + fakes.awsKeyId(),
                "github:",
                "  token: " + fakes.githubPat(),
                "slack:",
                "  webhook: https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
                "  bot-token: " + fakes.slackBot(),
                "database:",
                "  password: \"{{ vault_db_password }}\"",
                "  username: orders");
        expect("aws-access-key-id", "src/main/resources/application.yml", 2);
        expect("github-pat", "src/main/resources/application.yml", 4);
        expect("slack-bot-token", "src/main/resources/application.yml", 7);

        write("src/main/java/com/acme/Mailer.java",
                "package com.acme;",
                "",
                "public class Mailer {",
                "    private static final String SENDGRID = \"" + fakes.sendgrid() + "\";",
                "    private final String password = System.getenv(\"MAIL_PASSWORD\");",
                "    private final String apiKey = \"your_api_key_here\";",
                "    private static final String TOKEN_HEADER = \"X-Auth-Token\";",
                "    void configure(Client c) { c.setPassword(password); c.setToken(\"xxxxxxxxxxxxxxxx\"); }",
                "    private static final String MAPS = \"" + fakes.googleApiKey() + "\";",
                "    private final String secretName = \"orders-db-credentials\";",
                "}");
        expect("sendgrid-api-key", "src/main/java/com/acme/Mailer.java", 4);
        expect("gcp-api-key", "src/main/java/com/acme/Mailer.java", 9);

        write(".env",
                "NPM_TOKEN=" + fakes.npmToken(),
                "DB_PASSWORD=$DB_PASSWORD_FROM_VAULT",
                "GITLAB_TOKEN=" + fakes.gitlabPat(),
                "API_KEY=");
        expect("npm-token", ".env", 1);
        expect("gitlab-pat", ".env", 3);

        List<String> key = new ArrayList<>(fakes.rsaKeyLines());
        write("deploy/id_rsa", key.toArray(String[]::new));
        expect("private-key", "deploy/id_rsa", 1);

        write("docs/README.md",
                "# Configuration",
                "Set the key, for instance `AKIAIOSFODNN7EXAMPLE` / `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`.",
                "A GitHub token looks like ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.",
                "Example JWT: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
                "Fixed in commit " + fakes.random(Fakes.HEX, 40) + ".",
                "-----BEGIN RSA PRIVATE KEY-----",
                "...",
                "-----END RSA PRIVATE KEY-----");

        write("src/test/resources/token.json",
                "{",
                "  \"access_token\": \"" + fakes.jwt() + "\",",
                "  \"request_id\": \"" + fakes.random(Fakes.HEX, 8) + "-0f1e-4a2b-9c3d-" + fakes.random(Fakes.HEX, 12) + "\"",
                "}");
        expect("jwt", "src/test/resources/token.json", 2);

        write("settings.xml",
                "<settings><servers>",
                "  <server><id>mirror</id><username>ci</username><password>{COQLCE6DU6GtcS5P=}</password></server>",
                "  <server><id>releases</id><username>deployer</username>",
                "    <password>" + fakes.password(16) + "</password></server>",
                "  <server><id>snapshots</id><password>${env.SNAPSHOT_PASSWORD}</password></server>",
                "</servers></settings>");
        expect("generic-secret-xml-element", "settings.xml", 4);
    }

    private void write(String path, String... lines) throws IOException {
        Path file = project.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    private void expect(String rule, String path, int line) {
        expected.add(rule + " " + path + ":" + line);
    }

    @Test
    void findsExactlyThePlantedSecretsWhereTheyAre() throws IOException {
        SecretScan.Outcome outcome = SecretScan.run(project, RuleSet.builtIn(), SecretScan.Mode.FILES, 1000, 2);
        Set<String> found = new TreeSet<>();
        for (Finding f : outcome.findings()) {
            found.add(f.ruleId() + " " + f.path() + ":" + f.startLine());
        }
        assertEquals(expected, found);
        assertEquals(13, expected.size());
        assertEquals(8, outcome.filesScanned());
        assertEquals(0, outcome.filesSkipped());
        Finding key = outcome.findings().stream().filter(f -> f.ruleId().equals("private-key")).findFirst().orElseThrow();
        assertEquals(8, key.endLine(), "the key block ends on line 8");
        assertTrue(outcome.findings().stream().noneMatch(Finding::suppressed));
    }

    @Test
    void theCommandWritesValidSarifAndAResultAndNoReportHoldsASecret() throws Exception {
        CommandRun run = CommandRun.of("secrets", "--source", project.toString(), "--out", out.toString(),
                "--started-ms", String.valueOf(System.currentTimeMillis() - 5));
        assertEquals(0, run.exitCode(), run.stderr());

        Path sarif = out.resolve("secrets.sarif");
        assertEquals(Set.of(), SarifSchema.violations(sarif));
        JsonNode log = Reports.json().readTree(sarif.toFile());
        assertEquals("PipelineX secrets", log.at("/runs/0/tool/driver/name").asText());
        assertEquals(RuleSet.builtIn().rules().size(), log.at("/runs/0/tool/driver/rules").size());
        assertEquals(expected.size(), log.at("/runs/0/results").size());
        JsonNode first = log.at("/runs/0/results/0");
        assertFalse(first.at("/partialFingerprints/pipelinex~1v1").asText().isEmpty());
        assertFalse(first.at("/properties/redacted").asText().isEmpty());

        JsonNode result = Reports.json().readTree(out.resolve("result.json").toFile());
        assertEquals("PASSED", result.get("status").asText());
        assertEquals("secrets: 13 findings (2 critical, 8 high, 3 medium)", result.get("message").asText());
        assertEquals(8, result.at("/summary/files_scanned").asInt());
        assertEquals("files", result.at("/summary/mode").asText());
        assertEquals(RuleSet.builtIn().rules().size(), result.at("/summary/rules").asInt());

        List<String> outputs = new ArrayList<>();
        outputs.add(run.stdout());
        outputs.add(run.stderr());
        try (Stream<Path> files = Files.walk(out)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                outputs.add(Files.readString(f));
            }
        }
        assertTrue(fakes.secrets().size() >= 13);
        for (String text : outputs) {
            for (String secret : fakes.secrets()) {
                assertFalse(text.contains(secret), "a report holds a planted secret");
            }
            for (String part : fakes.randomParts()) {
                for (int i = 0; i + 8 <= part.length(); i++) {
                    String window = part.substring(i, i + 8);
                    assertFalse(text.contains(window), "a report holds 8 characters of a planted secret");
                }
            }
        }
    }
}
