package dev.pipelinex.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetadataParserTest {

    private static final String STACK =
            "\"stack\": {\"language\": \"java\", \"framework\": \"spring-boot\", \"build_tool\": \"maven\"}";

    private final MetadataParser parser = new MetadataParser();

    private RequestRefusedException refused(String json, String... fragments) {
        RequestRefusedException e = assertThrows(RequestRefusedException.class, () -> parser.parse(json),
                "metadata " + json + " should be refused");
        assertEquals(Refusal.INVALID_METADATA, e.refusal(), "a bad metadata should be refused as INVALID_METADATA");
        for (String f : fragments) {
            assertTrue(e.detail().contains(f), "the refusal should mention " + f + " but said: " + e.detail());
        }
        return e;
    }

    @Test
    void onlyStackGivenTakesJava17Maven39AndEveryStageOn() {
        JobRequest r = parser.parse("{" + STACK + "}");
        assertEquals(new JobRequest.Stack("java", "spring-boot", "maven"), r.stack(), "the stack should be read as sent");
        assertEquals("17", r.versions().java(), "the default Java version should be 17");
        assertEquals("3.9", r.versions().buildTool(), "the default Maven version should be 3.9");
        JobRequest.PipelineOptions p = r.pipeline();
        assertTrue(p.runBuild(), "run_build should default to true");
        assertTrue(p.runUnitTests(), "run_unit_tests should default to true");
        assertTrue(p.runSast(), "run_sast should default to true");
        assertTrue(p.runSca(), "run_sca should default to true");
        assertTrue(p.runSecretScan(), "run_secret_scan should default to true");
    }

    @Test
    void nullVersionsAndPipelineTakeTheDefaults() {
        JobRequest r = parser.parse("{" + STACK + ", \"versions\": null, \"pipeline\": null}");
        assertEquals(new JobRequest.Versions("17", "3.9"), r.versions(), "null versions should mean the defaults");
        assertEquals(JobRequest.PipelineOptions.ALL, r.pipeline(), "null pipeline should mean every stage on");
    }

    @Test
    void explicitVersionsAndTogglesAreReadAndMissingTogglesStayOn() {
        JobRequest r = parser.parse("{" + STACK + ", \"versions\": {\"java\": \" 17 \", \"build_tool\": \"3.9.11\"},"
                + " \"pipeline\": {\"run_sast\": false, \"run_secret_scan\": false}}");
        assertEquals("17", r.versions().java(), "the Java version should be read trimmed");
        assertEquals("3.9.11", r.versions().buildTool(), "the Maven version should be read as sent");
        assertEquals(new JobRequest.PipelineOptions(true, true, false, true, false), r.pipeline(),
                "toggles sent false should be off and the ones not sent should stay on");
    }

    @Test
    void everyStageSwitchedOffIsRefusedNamingTheToggles() {
        RequestRefusedException e = assertThrows(RequestRefusedException.class, () -> parser.parse("{" + STACK
                + ", \"pipeline\": {\"run_build\": false, \"run_unit_tests\": false, \"run_sast\": false,"
                + " \"run_sca\": false, \"run_secret_scan\": false}}"), "a job with no stage should be refused");
        assertEquals(Refusal.NO_STAGE, e.refusal(), "a job with no stage is refused at admission");
        assertEquals(422, e.refusal().status(), "a job with no stage is answered 422");
        for (String toggle : MetadataParser.TOGGLES) {
            assertTrue(e.detail().contains("pipeline." + toggle), "the refusal should name " + toggle + ": " + e.detail());
        }
    }

    @Test
    void onlyTheBuildSwitchedOnIsAValidJob() {
        JobRequest r = parser.parse("{" + STACK + ", \"pipeline\": {\"run_build\": true, \"run_unit_tests\": false,"
                + " \"run_sast\": false, \"run_sca\": false, \"run_secret_scan\": false}}");
        assertEquals(new JobRequest.PipelineOptions(true, false, false, false, false), r.pipeline(),
                "a job that only builds should be read as sent");
    }

    @Test
    void stackValuesAreTrimmed() {
        JobRequest r = parser.parse("{\"stack\": {\"language\": \" java \", \"framework\": \"spring-boot\","
                + " \"build_tool\": \"maven \"}}");
        assertEquals(new JobRequest.Stack("java", "spring-boot", "maven"), r.stack(), "stack values should be trimmed");
    }

    @Test
    void integerJavaVersion17IsAccepted() {
        JobRequest r = parser.parse("{" + STACK + ", \"versions\": {\"java\": 17}}");
        assertEquals("17", r.versions().java(), "the number 17 should be read as Java version \"17\"");
    }

    @Test
    void qualityGateAndSecretScanModeAreReadWithDefaults() {
        JobRequest plain = parser.parse("{" + STACK + "}");
        assertEquals(null, plain.pipeline().failOn(), "no gate unless asked for");
        assertEquals("files", plain.pipeline().secretScanMode(), "the secret scan covers the files by default");
        JobRequest gated = parser.parse("{" + STACK + ", \"pipeline\": {\"fail_on\": \"HIGH\", \"secret_scan_mode\": \"git\"}}");
        assertEquals("high", gated.pipeline().failOn());
        assertEquals("git", gated.pipeline().secretScanMode());
    }

    @Test
    void sastPruningIsOnUnlessTurnedOff() {
        assertEquals(Boolean.TRUE, parser.parse("{" + STACK + "}").pipeline().sastPruning());
        assertEquals(Boolean.TRUE, parser.parse("{" + STACK + ", \"pipeline\": {\"run_sca\": false}}").pipeline().sastPruning());
        assertEquals(Boolean.FALSE, parser.parse("{" + STACK + ", \"pipeline\": {\"sast_pruning\": false}}").pipeline().sastPruning());
        refused("{" + STACK + ", \"pipeline\": {\"sast_pruning\": \"no\"}}", "'pipeline.sast_pruning'", "true or false");
    }

    @Test
    void unknownSeverityOrScanModeIsRefusedWithTheChoices() {
        refused("{" + STACK + ", \"pipeline\": {\"fail_on\": \"severe\"}}", "'pipeline.fail_on'", "critical, high, medium, low, info");
        refused("{" + STACK + ", \"pipeline\": {\"fail_on\": 3}}", "'pipeline.fail_on'", "the number 3");
        refused("{" + STACK + ", \"pipeline\": {\"secret_scan_mode\": \"history\"}}", "'pipeline.secret_scan_mode'", "files, git");
    }

    @Test
    void unknownPipelineFieldIsRefusedNamingItsPath() {
        refused("{" + STACK + ", \"pipeline\": {\"run_fuzz\": true}}", "'pipeline.run_fuzz'", "run_build");
    }

    @Test
    void unknownStackFieldIsRefusedNamingItsPath() {
        refused("{\"stack\": {\"language\": \"java\", \"framework\": \"spring-boot\", \"build_tool\": \"maven\","
                + " \"colour\": \"blue\"}}", "'stack.colour'");
    }

    @Test
    void unknownVersionsFieldIsRefusedNamingItsPath() {
        refused("{" + STACK + ", \"versions\": {\"maven\": \"3.9\"}}", "'versions.maven'");
    }

    @Test
    void unknownTopLevelFieldIsRefusedNamingIt() {
        RequestRefusedException e = refused("{" + STACK + ", \"colour\": \"blue\"}", "'colour'");
        assertTrue(e.detail().contains("pipeline") && e.detail().contains("versions"),
                "the refusal should list the allowed top-level fields, said: " + e.detail());
    }

    @Test
    void githubUrlIsAnUnknownFieldInUploadMetadata() {
        refused("{" + STACK + ", \"github_url\": \"https://github.com/a/b\"}", "'github_url'");
    }

    @Test
    void stringForABooleanToggleIsRefused() {
        refused("{" + STACK + ", \"pipeline\": {\"run_build\": \"true\"}}", "'pipeline.run_build'", "true or false");
    }

    @Test
    void numberForBuildToolVersionIsRefused() {
        refused("{" + STACK + ", \"versions\": {\"build_tool\": 3.9}}", "'versions.build_tool'", "the number 3.9");
    }

    @Test
    void numberForStackBuildToolIsRefused() {
        refused("{\"stack\": {\"language\": \"java\", \"framework\": \"spring-boot\", \"build_tool\": 3.9}}",
                "'stack.build_tool'", "the number 3.9");
    }

    @Test
    void versionThatIsNotAVersionIsRefused() {
        refused("{" + STACK + ", \"versions\": {\"java\": \"seventeen\"}}", "'versions.java'", "seventeen");
    }

    @Test
    void arrayForStackIsRefused() {
        refused("{\"stack\": [\"java\", \"spring-boot\", \"maven\"]}", "'stack'", "an array");
    }

    @Test
    void arrayForPipelineIsRefused() {
        refused("{" + STACK + ", \"pipeline\": [true]}", "'pipeline'", "an array");
    }

    @Test
    void missingStackIsRefused() {
        refused("{\"versions\": {\"java\": \"17\"}}", "'stack' is required");
    }

    @Test
    void missingStackFrameworkIsRefusedNamingIt() {
        refused("{\"stack\": {\"language\": \"java\", \"build_tool\": \"maven\"}}", "'stack.framework' is required");
    }

    @Test
    void blankStackLanguageIsRefusedNamingIt() {
        refused("{\"stack\": {\"language\": \"  \", \"framework\": \"spring-boot\", \"build_tool\": \"maven\"}}",
                "'stack.language'");
    }

    @Test
    void metadataThatIsNotAnObjectIsRefused() {
        refused("[1, 2]", "'metadata' must be a JSON object");
        refused("null", "'metadata' must be a JSON object");
    }

    @Test
    void invalidJsonIsRefused() {
        refused("{\"stack\": ", "not valid JSON");
        refused("{'stack': 1}", "not valid JSON");
    }

    @Test
    void jsonFollowedByMoreContentIsRefused() {
        refused("{" + STACK + "} {\"pipeline\": {}}", "not valid JSON");
        refused("{" + STACK + "} trailing", "not valid JSON");
    }

    @Test
    void emptyOrBlankMetadataIsRefused() {
        refused("", "empty");
        refused(" \n\t ", "empty");
        refused(null, "empty");
    }

    @Test
    void metadataLongerThanTheLimitIsRefusedAndMetadataAtTheLimitIsRead() {
        String base = "{" + STACK + "}";
        String atLimit = base + " ".repeat(MetadataParser.MAX_METADATA_CHARS - base.length());
        assertEquals(MetadataParser.MAX_METADATA_CHARS, atLimit.length(), "test setup: metadata exactly at the limit");
        assertEquals("java", parser.parse(atLimit).stack().language(), "metadata exactly at the limit should be read");
        refused(atLimit + " ", "limit is " + MetadataParser.MAX_METADATA_CHARS);
    }

    @Test
    void parseGitRequiresGithubUrl() {
        for (String body : new String[] {"{" + STACK + "}", "{" + STACK + ", \"github_url\": 42}",
                "{" + STACK + ", \"github_url\": \"  \"}", "{" + STACK + ", \"github_url\": null}"}) {
            RequestRefusedException e = assertThrows(RequestRefusedException.class, () -> parser.parseGit(body),
                    "a git request without a usable github_url should be refused: " + body);
            assertEquals(Refusal.INVALID_METADATA, e.refusal(), "a missing github_url should be INVALID_METADATA");
            assertTrue(e.detail().contains("'github_url'"), "the refusal should name github_url, said: " + e.detail());
        }
    }

    @Test
    void parseGitReadsTheUrlTrimmedBesideTheMetadata() {
        MetadataParser.GitRequest g = parser.parseGit("{\"github_url\": \" https://github.com/o/r \", " + STACK
                + ", \"pipeline\": {\"run_sca\": false}}");
        assertEquals("https://github.com/o/r", g.url(), "the URL should be read trimmed");
        assertEquals("maven", g.request().stack().buildTool(), "the stack beside the URL should be read");
        assertFalse(g.request().pipeline().runSca(), "the toggles beside the URL should be read");
    }

    @Test
    void parseGitRefusesUnknownFieldsToo() {
        RequestRefusedException e = assertThrows(RequestRefusedException.class,
                () -> parser.parseGit("{\"github_url\": \"https://github.com/o/r\", " + STACK + ", \"branch\": \"x\"}"),
                "an unknown field beside github_url should be refused");
        assertEquals(Refusal.INVALID_METADATA, e.refusal(), "an unknown field should be INVALID_METADATA");
        assertTrue(e.detail().contains("'branch'"), "the refusal should name the field, said: " + e.detail());
    }

    @Test
    void aFieldGivenTwiceIsRefusedRatherThanTheLastOneWinning() {
        refused("{" + STACK + ", \"pipeline\": {\"run_sast\": false}, \"pipeline\": {\"run_sast\": true}}",
                "pipeline");
    }
}
