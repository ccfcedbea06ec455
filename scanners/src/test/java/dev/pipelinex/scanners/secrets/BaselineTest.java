package dev.pipelinex.scanners.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipelinex.scanners.report.Finding;
import dev.pipelinex.scanners.report.Reports;
import dev.pipelinex.scanners.report.SarifSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Findings the project's baseline names are reported as suppressed; a broken baseline is ignored, not fatal. */
class BaselineTest {

    @TempDir
    Path project;
    @TempDir
    Path out;

    private final Fakes fakes = new Fakes(5);
    private String first;
    private String second;
    private String third;

    @BeforeEach
    void plant() throws IOException {
        first = fakes.npmToken();
        second = fakes.githubPat();
        third = fakes.stripeLive();
        Files.writeString(project.resolve("app.env"), "NPM_TOKEN=" + first + "\nGH=" + second + "\nSTRIPE=" + third + "\n");
    }

    private Map<String, Finding> scan() throws IOException {
        return SecretScan.run(project, RuleSet.builtIn(), SecretScan.Mode.FILES, 10, 1).findings().stream()
                .collect(Collectors.toMap(Finding::ruleId, Function.identity()));
    }

    private void baseline(String json) throws IOException {
        Files.createDirectories(project.resolve(".pipelinex"));
        Files.writeString(project.resolve(Baseline.PATH), json);
    }

    @Test
    void baselineEntriesSuppressWithTheirReasonAndPlainStringsToo() throws IOException {
        Map<String, Finding> before = scan();
        assertEquals(3, before.size());
        assertTrue(before.values().stream().noneMatch(Finding::suppressed));
        String npm = before.get("npm-token").fingerprint();
        String gh = before.get("github-pat").fingerprint();
        baseline("{\"fingerprints\": [{\"fingerprint\": \"" + npm + "\", \"reason\": \"read-only token of the public mirror\"},"
                + " \"" + gh + "\"]}");

        Map<String, Finding> after = scan();
        assertEquals(3, after.size(), "suppressed findings stay in the report");
        assertEquals("in the baseline: read-only token of the public mirror", after.get("npm-token").suppression());
        assertEquals("in the baseline", after.get("github-pat").suppression());
        assertNull(after.get("stripe-live-secret-key").suppression());
    }

    @Test
    void theFingerprintSurvivesMovedLines() throws IOException {
        String fp = scan().get("npm-token").fingerprint();
        Files.writeString(project.resolve("app.env"), "# moved\n\n" + Files.readString(project.resolve("app.env")));
        Finding moved = scan().get("npm-token");
        assertEquals(3, moved.startLine());
        assertEquals(fp, moved.fingerprint());
    }

    @Test
    void suppressedFindingsStayInTheSarifWithTheirJustification() throws Exception {
        String npm = scan().get("npm-token").fingerprint();
        baseline("{\"fingerprints\": [{\"fingerprint\": \"" + npm + "\", \"reason\": \"revoked on 2026-01-05\"}]}");
        CommandRun run = CommandRun.of("secrets", "--source", project.toString(), "--out", out.toString());
        assertEquals(0, run.exitCode(), run.stderr());
        Path sarif = out.resolve("secrets.sarif");
        assertEquals(Set.of(), SarifSchema.violations(sarif));
        JsonNode results = Reports.json().readTree(sarif.toFile()).at("/runs/0/results");
        assertEquals(3, results.size());
        int suppressed = 0;
        for (JsonNode r : results) {
            if (r.has("suppressions")) {
                suppressed++;
                assertEquals("npm-token", r.get("ruleId").asText());
                assertEquals("in the baseline: revoked on 2026-01-05", r.at("/suppressions/0/justification").asText());
                assertEquals(npm, r.at("/partialFingerprints/pipelinex~1v1").asText());
            }
        }
        assertEquals(1, suppressed);
        JsonNode result = Reports.json().readTree(out.resolve("result.json").toFile());
        assertEquals("secrets: 2 findings (1 critical, 1 high), 1 suppressed", result.get("message").asText());
    }

    @Test
    void aMalformedBaselineIsIgnoredWithAMessage() throws Exception {
        baseline("{\"fingerprints\": [ \"abc\", ");
        CommandRun run = CommandRun.of("secrets", "--source", project.toString(), "--out", out.toString());
        assertEquals(0, run.exitCode(), run.stderr());
        JsonNode result = Reports.json().readTree(out.resolve("result.json").toFile());
        String message = result.get("message").asText();
        assertTrue(message.startsWith("secrets: 3 findings (1 critical, 2 high); the baseline .pipelinex/secrets-baseline.json was ignored: it is not valid JSON"),
                message);
        assertEquals(0, result.at("/summary/suppressed").asInt());
    }

    @Test
    void aBaselineOfTheWrongShapeIsIgnoredWithTheReason() throws IOException {
        for (String json : List.of("[]", "{\"fingerprints\": {}}", "{\"fingerprints\": [42]}",
                "{\"fingerprints\": [{\"reason\": \"no fingerprint\"}]}")) {
            baseline(json);
            Baseline.Loaded loaded = Baseline.load(project);
            assertTrue(loaded.problem().isPresent(), json);
            assertTrue(loaded.problem().get().startsWith("the baseline .pipelinex/secrets-baseline.json was ignored: "), json);
            assertTrue(loaded.baseline().reasons().isEmpty());
        }
    }

    @Test
    void theBaselineFileItselfIsNotScanned() throws IOException {
        baseline("{\"fingerprints\": [{\"fingerprint\": \"0123abcd0123abcd\", \"reason\": \"token = " + fakes.npmToken() + "\"}]}");
        Map<String, Finding> found = scan();
        assertEquals(3, found.size());
        assertFalse(found.values().stream().anyMatch(f -> f.path().startsWith(".pipelinex/")));
    }
}
