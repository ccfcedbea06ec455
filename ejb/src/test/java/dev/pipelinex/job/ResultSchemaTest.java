package dev.pipelinex.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultSchemaTest {

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** A result of stage {@code stage} with {@code fields} (already JSON, each with its comma) after status. */
    private static byte[] result(String stage, String status, String rest) {
        return bytes("{\"schema\": 1, \"stage\": \"" + stage + "\", \"status\": \"" + status + "\"" + rest + "}");
    }

    private static String refused(String stage, byte[] json) {
        return assertThrows(ResultSchema.InvalidResult.class, () -> ResultSchema.validate(stage, json),
                "expected the result to be refused: " + new String(json, StandardCharsets.UTF_8)).getMessage();
    }

    private static void assertNames(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "expected the message to name \"" + part + "\", was: " + message);
        }
        assertTrue(message.startsWith("result.json of stage "), "expected the message to name the stage, was: " + message);
    }

    @Test
    void aTestStageResultWithItsCountsValidates() throws Exception {
        StageResult r = ResultSchema.validate("test", result("test", "FAILED",
                ", \"duration_ms\": 1234, \"message\": \"1 of 3 tests failed\","
                        + " \"summary\": {\"tests\": {\"passed\": 2, \"failed\": 1, \"skipped\": 0}}"));

        assertEquals("test", r.stage());
        assertEquals(ResultStatus.FAILED, r.status());
        assertEquals(1234, r.durationMs());
        assertEquals("1 of 3 tests failed", r.message());
        assertEquals(Map.of("passed", 2, "failed", 1, "skipped", 0), r.summary().get("tests"),
                "expected the test counts as a map");
    }

    @Test
    void aBuildResultThatSaysTheTestsFollowValidates() throws Exception {
        StageResult r = ResultSchema.validate("build", result("build", "PASSED",
                ", \"duration_ms\": 5, \"message\": \"compiled\", \"summary\": {\"tests_follow\": true}"));

        assertEquals(Boolean.TRUE, r.summary().get("tests_follow"));
    }

    @Test
    void aResultWithoutDurationMessageOrSummaryValidatesWithDefaults() throws Exception {
        StageResult r = ResultSchema.validate("resolve", result("resolve", "SKIPPED", ""));

        assertEquals(0, r.durationMs(), "expected an absent duration_ms to be 0");
        assertNull(r.message(), "expected an absent message to stay null");
        assertEquals(Map.of(), r.summary());
    }

    /** The shape {@code Reports.writeResult} gives the SCA scanner's result (indented, with its extras). */
    @Test
    void anScaResultWithFindingsSuppressedAndItsExtrasValidates() throws Exception {
        String json = """
                {
                  "schema" : 1,
                  "stage" : "sca",
                  "status" : "PASSED",
                  "duration_ms" : 812,
                  "message" : "sca: 2 findings (1 high, 1 low), 1 suppressed; 40 dependencies",
                  "summary" : {
                    "findings" : { "critical" : 0, "high" : 1, "medium" : 0, "low" : 1, "info" : 0 },
                    "suppressed" : 1,
                    "dependencies" : 40,
                    "vulnerable_packages" : 2,
                    "modules" : 3,
                    "advisories" : {
                      "count" : 1200,
                      "date" : null,
                      "sources" : [ { "name" : "osv", "source" : "/opt/osv.zip", "date" : "2026-01-01", "count" : 1200 } ]
                    }
                  }
                }
                """;
        StageResult r = ResultSchema.validate("sca", bytes(json));

        assertEquals(Map.of("critical", 0, "high", 1, "medium", 0, "low", 1, "info", 0), r.summary().get("findings"));
        assertEquals(1, r.summary().get("suppressed"));
        @SuppressWarnings("unchecked")
        Map<String, Object> advisories = (Map<String, Object>) r.summary().get("advisories");
        assertEquals(List.of(Map.of("name", "osv", "source", "/opt/osv.zip", "date", "2026-01-01", "count", 1200)),
                advisories.get("sources"), "expected the advisory sources as a list of maps");
    }

    @Test
    void aSastResultWithItsPruningExtrasValidates() throws Exception {
        StageResult r = ResultSchema.validate("sast", result("sast", "PASSED", """
                , "duration_ms": 3000, "message": "sast: no findings", "summary": {
                  "findings": {"critical": 0, "high": 0, "medium": 0, "low": 0, "info": 0}, "suppressed": 4,
                  "reported": 0, "informational_left_out": 7,
                  "pruning": {"enabled": true, "examined": 4, "suppressed": 4, "duration_ms": 120},
                  "class_folders": 2}"""));

        assertEquals(7, r.summary().get("informational_left_out"));
        assertEquals(Map.of("enabled", true, "examined", 4, "suppressed", 4, "duration_ms", 120), r.summary().get("pruning"));
    }

    @Test
    void aSecretsResultWithItsScanCountsValidates() throws Exception {
        StageResult r = ResultSchema.validate("secrets", result("secrets", "PASSED", """
                , "duration_ms": 90, "message": "secrets: 1 finding (1 critical)", "summary": {
                  "findings": {"critical": 1, "high": 0, "medium": 0, "low": 0, "info": 0}, "suppressed": 0,
                  "files_scanned": 120, "files_skipped": 3, "rules": 180, "mode": "tree", "commits_scanned": 0}"""));

        assertEquals("tree", r.summary().get("mode"));
        assertEquals(120, r.summary().get("files_scanned"));
    }

    @Test
    void aResultTheServerWritesItselfValidates(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("result.json");
        JobFiles.write(file, new StageResult("build", ResultStatus.PASSED, 10, null, Map.of("tests_follow", true)));

        StageResult r = ResultSchema.validate("build", Files.readAllBytes(file));

        assertEquals(Boolean.TRUE, r.summary().get("tests_follow"));
    }

    @Test
    void aMessageWithNewlinesAndAnsiEscapesComesOutOnOneLineWithoutControlCharacters() throws Exception {
        StageResult r = ResultSchema.validate("build", result("build", "FAILED",
                ", \"message\": \"\\u001b[31mred\\u001b[0m\\nsecond\\r\\nline\\tend\\u0085\\u007f\""));

        assertEquals(" [31mred [0m second  line end  ", r.message());
        assertTrue(r.message().chars().noneMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f)),
                "expected no control characters, was: " + r.message());
    }

    @Test
    void textsInTheSummaryAreCleanedToo() throws Exception {
        StageResult r = ResultSchema.validate("secrets", result("secrets", "PASSED",
                ", \"summary\": {\"mode\": \"a\\nb\", \"list\": [\"c\\td\"], \"nested\": {\"text\": \"e\\u001bf\"}}"));

        assertEquals("a b", r.summary().get("mode"));
        assertEquals(List.of("c d"), r.summary().get("list"));
        assertEquals(Map.of("text", "e f"), r.summary().get("nested"));
    }

    @Test
    void aHugeMessageIsCutToTheLimitWithAnEllipsis() throws Exception {
        StageResult r = ResultSchema.validate("build", result("build", "FAILED",
                ", \"message\": \"" + "x".repeat(100_000) + "\""));

        assertEquals(ResultSchema.MAX_MESSAGE + 1, r.message().length(), "expected MAX_MESSAGE characters and the ellipsis");
        assertTrue(r.message().endsWith("x…"), "expected the cut message to end with …");
    }

    @Test
    void cleanKeepsNullAndShortTextAsTheyAre() {
        assertNull(ResultSchema.clean(null));
        assertEquals("all fine – ünïcode", ResultSchema.clean("all fine – ünïcode"));
        assertEquals("x".repeat(ResultSchema.MAX_MESSAGE), ResultSchema.clean("x".repeat(ResultSchema.MAX_MESSAGE)),
                "expected a text of exactly MAX_MESSAGE characters to be kept whole");
    }

    @Test
    void aResultOfAnotherStageIsRefused() {
        assertNames(refused("sast", result("build", "PASSED", "")), "stage sast", "\"build\"", "expected \"sast\"");
    }

    @Test
    void anUnknownStatusIsRefused() {
        assertEquals("result.json of stage sast is invalid: status \"WIN\" is not one of PASSED, FAILED, ERROR, SKIPPED",
                refused("sast", result("sast", "WIN", "")));
        assertNames(refused("sast", bytes("{\"schema\": 1, \"stage\": \"sast\"}")), "status missing");
    }

    @Test
    void negativeCountsAreRefused() {
        assertNames(refused("test", result("test", "PASSED",
                ", \"summary\": {\"tests\": {\"passed\": -1, \"failed\": 0, \"skipped\": 0}}")), "summary.tests.passed", "-1");
        assertNames(refused("sca", result("sca", "PASSED",
                ", \"summary\": {\"findings\": {\"critical\": 0, \"high\": 0, \"medium\": -2, \"low\": 0, \"info\": 0}}")),
                "summary.findings.medium", "-2");
        assertNames(refused("build", result("build", "PASSED", ", \"duration_ms\": -5")), "duration_ms", "-5");
    }

    @Test
    void countsThatAreMissingOrNotWholeNumbersAreRefused() {
        assertNames(refused("test", result("test", "PASSED",
                ", \"summary\": {\"tests\": {\"passed\": 1, \"failed\": 0}}")), "summary.tests.skipped", "missing");
        assertNames(refused("test", result("test", "PASSED",
                ", \"summary\": {\"tests\": {\"passed\": 1.5, \"failed\": 0, \"skipped\": 0}}")), "summary.tests.passed");
        assertNames(refused("test", result("test", "PASSED", ", \"summary\": {\"tests\": 3}")), "summary.tests", "object");
        assertNames(refused("build", result("build", "PASSED", ", \"summary\": {\"tests_follow\": \"yes\"}")),
                "summary.tests_follow", "true or false");
    }

    @Test
    void aResultWithoutSchemaIsRefused() {
        assertNames(refused("build", bytes("{\"stage\": \"build\", \"status\": \"PASSED\"}")),
                "no \"schema\" field", "reads schema 1");
    }

    @Test
    void aResultOfSchema2IsRefusedSayingWhichSchemaIsRead() {
        assertNames(refused("build", bytes("{\"schema\": 2, \"stage\": \"build\", \"status\": \"PASSED\", \"new\": 1}")),
                "schema 2", "reads schema 1");
    }

    @Test
    void aResultThatIsNotAJsonObjectIsRefused() {
        assertNames(refused("build", bytes("[1, 2]")), "not a JSON object", "an array");
        assertNames(refused("build", bytes("")), "not a JSON object");
        assertNames(refused("build", bytes("PASSED")), "not well-formed JSON");
        assertNames(refused("build", bytes("{\"schema\": 1, \"stage\": \"build\", \"status\": \"PASSED\"} {}")),
                "more after its JSON object");
        assertNames(refused("build", bytes("{\"schema\": 1, \"schema\": 1, \"stage\": \"build\", \"status\": \"PASSED\"}")),
                "not well-formed JSON", "schema");
    }

    @Test
    void anUnknownTopLevelFieldIsRefused() {
        assertNames(refused("build", result("build", "PASSED", ", \"verdict\": \"trust me\"")), "unknown field \"verdict\"");
    }

    @Test
    void aResultLargerThanTheLimitIsRefused() {
        byte[] big = result("build", "PASSED", ", \"message\": \"" + "x".repeat((int) ResultSchema.MAX_BYTES) + "\"");
        assertNames(refused("build", big), "more than the " + ResultSchema.MAX_BYTES);
    }

    @Test
    void aSummaryNestedTooDeepIsRefused() throws Exception {
        ResultSchema.validate("sca", result("sca", "PASSED", ", \"summary\": {\"a\": {\"b\": {\"c\": {\"d\": 1}}}}"));
        assertNames(refused("sca", result("sca", "PASSED", ", \"summary\": {\"a\": {\"b\": {\"c\": {\"d\": {}}}}}")),
                "summary.a.b.c.d", "nested deeper than 3");
        assertNames(refused("sca", result("sca", "PASSED", ", \"summary\": {\"a\": [[[[1]]]]}")), "nested deeper than 3");
    }

    @Test
    void aSummaryKeyThatIsNotLowerSnakeCaseIsRefused() {
        assertNames(refused("sast", result("sast", "PASSED", ", \"summary\": {\"Bad-Key\": 1}")), "key \"Bad-Key\"");
        assertNames(refused("sast", result("sast", "PASSED", ", \"summary\": {\"ok\": {\"x\\ny\": 1}}")),
                "key \"x y\"", "summary.ok");
        assertNames(refused("sast", result("sast", "PASSED", ", \"summary\": {\"" + "k".repeat(65) + "\": 1}")), "key");
    }

    @Test
    void aSummaryWithTooManyEntriesOrElementsIsRefused() {
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 65; i++) {
            many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\": ").append(i);
        }
        many.append('}');
        assertNames(refused("sast", result("sast", "PASSED", ", \"summary\": " + many)), "65 entries");
        String list = "[" + "0,".repeat(1000) + "0]";
        assertNames(refused("sast", result("sast", "PASSED", ", \"summary\": {\"list\": " + list + "}")), "1001 elements");
    }

    @Test
    void aMessageOrSummaryOfTheWrongTypeIsRefused() {
        assertNames(refused("build", result("build", "PASSED", ", \"message\": 3")), "message must be text");
        assertNames(refused("build", result("build", "PASSED", ", \"summary\": [1]")), "summary must be an object");
        assertNames(refused("build", result("build", "PASSED", ", \"summary\": null")), "summary must be an object");
    }

    /** The real {@code write_result} of the stage scripts, run in bash: what it writes validates. */
    @Test
    void whatTheStageScriptsWriteResultWritesValidates(@TempDir Path tmp) throws Exception {
        Path lib = Path.of("..", "pipelines", "java-maven", "lib", "stage.sh").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(lib), "expected the stage library at " + lib);
        Path app = Files.createDirectories(tmp.resolve("app"));
        Path pipelines = Files.createDirectories(tmp.resolve("pipelines"));
        Path reports = Files.createDirectories(tmp.resolve("reports"));
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", ". \"$1\" && write_result PASSED $'two\\nlines \"quoted\"' "
                + "'{\"tests\": {\"passed\": 1, \"failed\": 0, \"skipped\": 0}}'", "bash", lib.toString())
                .redirectErrorStream(true);
        pb.environment().put("APP_DIR", app.toString());
        pb.environment().put("PIPELINES_DIR", pipelines.toString());
        pb.environment().put("REPORTS_DIR", reports.toString());
        pb.environment().put("STAGE", "build");
        pb.environment().remove("PIPELINEX_NICENESS");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "expected write_result to finish");
        assertEquals(0, p.exitValue(), "expected write_result to succeed; its output: " + output);

        byte[] written = Files.readAllBytes(reports.resolve("build").resolve("result.json"));
        String text = new String(written, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("{\"schema\": 1, "), "expected schema 1 as the first field, was: " + text);
        StageResult r = ResultSchema.validate("build", written);

        assertEquals(ResultStatus.PASSED, r.status());
        assertEquals("two lines \"quoted\"", r.message());
        assertEquals(Map.of("passed", 1, "failed", 0, "skipped", 0), r.summary().get("tests"));
        assertFalse(r.durationMs() < 0);
    }
}
