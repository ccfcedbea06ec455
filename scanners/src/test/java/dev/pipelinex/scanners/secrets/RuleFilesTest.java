package dev.pipelinex.scanners.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.scanners.report.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Operator rule files: merged over the built-in rules, validated strictly. */
class RuleFilesTest {

    @TempDir
    Path dir;

    private final Fakes fakes = new Fakes(3);

    private Path file(String name, String toml) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, toml);
        return f;
    }

    private String error(String toml) throws IOException {
        Path f = file("extra.toml", toml);
        return assertThrows(RuleFileException.class, () -> RuleSet.load(List.of(f))).getMessage();
    }

    @Test
    void anExtraFileReplacesDisablesAndAddsRules() throws IOException {
        Path extra = file("extra.toml", """
                version = 1
                [allowlist]
                stopwords = ["sandbox"]

                [[rules]]
                id = "npm-token"
                disabled = true

                [[rules]]
                id = "github-pat"
                description = "GitHub token of the company"
                severity = "critical"
                keywords = ["ghp_"]
                regex = '''\\b(ghp_[0-9A-Za-z]{36})\\b'''

                [[rules]]
                id = "acme-internal-token"
                description = "Acme internal token"
                severity = "high"
                keywords = ["acme_"]
                regex = '''\\b(acme_[0-9a-f]{32})\\b'''
                tp = ["token = acme_0f1e2d3c4b5a69788796a5b4c3d2e1f0"]
                fp = ["token = acme_"]
                """);
        RuleSet builtIn = RuleSet.builtIn();
        RuleSet merged = RuleSet.load(List.of(extra));
        assertEquals(builtIn.rules().size(), merged.rules().size(), "one rule off, one on");
        assertEquals("acme-internal-token", merged.rules().get(0).id(), "new rules go first");
        assertFalse(merged.rules().stream().anyMatch(r -> r.id().equals("npm-token")));
        SecretRule gh = merged.rules().stream().filter(r -> r.id().equals("github-pat")).findFirst().orElseThrow();
        assertEquals(Severity.CRITICAL, gh.severity());
        assertEquals(extra.toString(), gh.origin());
        int builtInIndex = indexOf(builtIn, "github-pat");
        assertEquals(builtInIndex + 1, indexOf(merged, "github-pat"), "a replaced rule keeps its place");

        SecretMatcher m = new SecretMatcher(merged);
        String text = "NPM=" + fakes.npmToken() + "\nGH=" + fakes.githubPat()
                + "\nsecret = \"acme_0f1e2d3c4b5a69788796a5b4c3d2e1f0\"\nGH2=ghp_sandbox" + fakes.random(Fakes.ALNUM, 29) + "\n";
        List<String> found = m.scan("src/main/resources/app.yml", text).stream()
                .map(h -> h.rule().id() + "@" + h.line() + ":" + h.rule().severity().id()).toList();
        assertEquals(List.of("github-pat@2:critical", "acme-internal-token@3:high"), found,
                "npm-token is off, github-pat critical, the new rule beats the generic one, the new stopword applies");
    }

    private static int indexOf(RuleSet set, String id) {
        for (int i = 0; i < set.rules().size(); i++) {
            if (set.rules().get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void laterFilesApplyOverEarlierOnes() throws IOException {
        Path a = file("a.toml", """
                version = 1
                [[rules]]
                id = "acme"
                description = "Acme key"
                severity = "low"
                regex = '''acme_[0-9]{8}'''
                """);
        Path b = file("b.toml", """
                version = 1
                [[rules]]
                id = "acme"
                disabled = true
                """);
        assertTrue(RuleSet.load(List.of(a)).rules().stream().anyMatch(r -> r.id().equals("acme")));
        assertFalse(RuleSet.load(List.of(a, b)).rules().stream().anyMatch(r -> r.id().equals("acme")));
    }

    @Test
    void aBadRegexNamesTheFileAndTheRule() throws IOException {
        String message = error("""
                version = 1
                [[rules]]
                id = "broken"
                description = "Broken"
                severity = "high"
                regex = '''(unclosed[a-z'''
                """);
        assertTrue(message.startsWith(dir.resolve("extra.toml") + ": rule \"broken\" (rules[0]): regex does not compile: "), message);
    }

    @Test
    void strictValidationNamesWhatIsWrong() throws IOException {
        String rule = """
                version = 1
                [[rules]]
                id = "r1"
                description = "R"
                severity = "high"
                regex = '''(a)(b)'''
                """;
        assertTrue(error(rule + "colour = \"red\"\n").contains("rule \"r1\" (rules[0]): unknown key \"colour\""));
        assertTrue(error(rule + "secret_group = 3\n").contains("rule \"r1\" (rules[0]): secret_group 3 is out of range: the regex has 2 groups"));
        assertTrue(error(rule.replace("\"high\"", "\"urgent\"")).contains("severity must be one of critical, high, medium, low, info"));
        assertTrue(error(rule.replace("id = \"r1\"\n", "")).endsWith("extra.toml: rules[0]: id is missing"));
        assertTrue(error(rule.replace("description = \"R\"\n", "")).endsWith("rule \"r1\" (rules[0]): description is missing"));
        assertTrue(error(rule + "entropy = 12\n").contains("entropy must be a number from 0 to 8"));
        assertTrue(error(rule + "keywords = \"abc\"\n").contains("keywords must be an array of strings"));
        assertTrue(error(rule + "[rules.allowlist]\nregexes = ['''[''']\n").contains("rule \"r1\" (rules[0]): allowlist: regexes does not compile"));
        assertTrue(error(rule + "[rules.allowlist]\nwords = [\"x\"]\n").contains("allowlist: unknown key \"words\""));
        assertTrue(error(rule + rule.substring(rule.indexOf("[[rules]]"))).contains("rule \"r1\" (rules[1]) repeats an id"));
        assertTrue(error(rule.replace("version = 1", "version = 2")).contains("version 2 is not supported"));
        assertTrue(error(rule.replace("version = 1\n", "")).contains("version is missing"));
        assertTrue(error("version = 1\nrules = 3\n").contains("rules must be an array of tables"));
        assertTrue(error("version = 1\n[[rules]]\nid = \"nope\"\ndisabled = true\n").contains("rule \"nope\" is disabled, but no rule read before has that id"));
        assertTrue(error("version = 1\n[[rules]]\nid = 'x\n").contains("extra.toml:3: not valid TOML"));
        assertTrue(error(rule + "path = '''\\.properties$'''\ntp = [\"ab\"]\n").contains("sample_path \"sample.txt\" does not match the rule's path"));
        assertTrue(error("version = 1\nname = \"x\"\n").contains("extra.toml: unknown key \"name\""));
    }

    @Test
    void aMissingRuleFileIsAnError() {
        RuleFileException e = assertThrows(RuleFileException.class, () -> RuleSet.load(List.of(dir.resolve("none.toml"))));
        assertEquals(dir.resolve("none.toml") + ": no such rule file", e.getMessage());
    }

    @Test
    void theCommandRejectsABadRuleFileAsAUsageError() throws Exception {
        Path bad = file("bad.toml", "version = 1\n[[rules]]\nid = \"b\"\ndescription = \"B\"\nseverity = \"low\"\nregex = '''*'''\n");
        Path src = Files.createDirectories(dir.resolve("src"));
        CommandRun run = CommandRun.of("secrets", "--source", src.toString(), "--out", dir.resolve("out").toString(),
                "--rules", bad.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.stderr().contains(bad + ": rule \"b\" (rules[0]): regex does not compile"), run.stderr());
        assertFalse(Files.exists(dir.resolve("out/result.json")));
    }
}
