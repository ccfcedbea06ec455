package dev.pipelinex.scanners.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SecretMatcherTest {

    private static final SecretMatcher BUILT_IN = new SecretMatcher(RuleSet.builtIn());
    private final Fakes fakes = new Fakes(11);

    private static SecretMatcher matcher(String toml) {
        return new SecretMatcher(new RuleSet(List.of(), Allowlist.EMPTY).merge(RuleSet.parse("test.toml", toml)));
    }

    @Test
    void theRegexRunsOnlyOnLinesWithAKeywordMatchedWithoutRegardToCase() {
        SecretMatcher m = matcher("""
                version = 1
                [[rules]]
                id = "acme"
                description = "Acme key"
                severity = "high"
                keywords = ["acme"]
                regex = '''\\b([a-z]{3}_[0-9]{6})\\b'''
                """);
        String text = "one abc_123456\nACME: xyz_654321\nAcMe def_111111 and ghi_222222\n";
        List<SecretMatcher.Hit> hits = m.scan("a.txt", text);
        assertEquals(List.of("xyz_654321@2", "def_111111@3", "ghi_222222@3"),
                hits.stream().map(h -> h.secret() + "@" + h.line()).toList());
    }

    @Test
    void linesAreNumberedAcrossCrLfAndTheCarriageReturnIsNotPartOfTheLine() {
        String token = fakes.githubPat();
        String text = "a=1\r\nb=2\r\nGITHUB_TOKEN=" + token + "\r\n";
        List<SecretMatcher.Hit> hits = BUILT_IN.scan("x.txt", text);
        assertEquals(1, hits.size());
        assertEquals(3, hits.get(0).line());
        assertEquals(token, hits.get(0).secret());
    }

    @Test
    void theFirstListedRuleWinsAnOverlapAndSeparateSecretsOnALineAreAllReported() {
        String pat = fakes.githubPat();
        String npm = fakes.npmToken();
        String line = "token = \"" + pat + "\"; npm = \"" + npm + "\"";
        List<SecretMatcher.Hit> hits = BUILT_IN.scan("src/main/java/A.java", line);
        assertEquals(List.of("github-pat", "npm-token"), hits.stream().map(h -> h.rule().id()).toList());
    }

    @Test
    void anInlineMarkerSilencesItsLine() {
        String text = "k1=" + fakes.npmToken() + " # pipelinex:allow\n"
                + "k2=" + fakes.npmToken() + " // gitleaks:allow\n"
                + "k3=" + fakes.npmToken() + "\n";
        List<SecretMatcher.Hit> hits = BUILT_IN.scan("x.txt", text);
        assertEquals(List.of(3), hits.stream().map(SecretMatcher.Hit::line).toList());
    }

    @Test
    void anInlineMarkerOnAnyLineOfAKeyBlockSilencesIt() {
        List<String> key = fakes.rsaKeyLines();
        String marked = "# pipelinex:allow (a key of the test suite)\n" + String.join("\n", key) + "\n";
        String plain = String.join("\n", key) + "\n";
        assertEquals(1, BUILT_IN.scan("k.pem", plain).size());
        String inBlock = key.get(0) + " pipelinex:allow\n" + String.join("\n", key.subList(1, key.size())) + "\n";
        assertEquals(0, BUILT_IN.scan("k.pem", inBlock).size());
        assertEquals(1, BUILT_IN.scan("k.pem", marked).size(), "a marker on the line before does not count");
    }

    @Test
    void aKeyBlockIsReportedFromItsFirstToItsLastLine() {
        List<String> key = fakes.rsaKeyLines();
        String text = "line one\nline two\n" + String.join("\n", key) + "\ntrailer\n";
        List<SecretMatcher.Hit> hits = BUILT_IN.scan("conf/server.pem", text);
        assertEquals(1, hits.size());
        assertEquals(3, hits.get(0).line());
        assertEquals(3 + key.size() - 1, hits.get(0).endLine());
        assertTrue(hits.get(0).secret().startsWith("MIIE"));
    }

    @Test
    void aRuleWithoutKeywordsRunsOnEveryLine() {
        SecretMatcher m = matcher("""
                version = 1
                [[rules]]
                id = "pin"
                description = "PIN"
                severity = "low"
                regex = '''pin=([0-9]{6})'''
                """);
        assertEquals(List.of(1, 3), m.scan("a.txt", "pin=123456\nnothing\npin=654321").stream()
                .map(SecretMatcher.Hit::line).toList());
    }

    @Test
    void pathLimitedRulesApplyOnlyToTheirFiles() {
        String line = "db.password=" + fakes.password(14);
        assertEquals(1, BUILT_IN.scan("src/main/resources/application.properties", line).size());
        assertEquals(0, BUILT_IN.scan("docs/notes.md", line).size());
    }
}
