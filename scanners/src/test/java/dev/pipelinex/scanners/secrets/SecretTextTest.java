package dev.pipelinex.scanners.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SecretTextTest {

    @Test
    void aLongSecretShowsItsFirstFourCharactersAndItsLength() {
        String secret = "ghp_" + "Q7fK2mZ9pL4xR8vT1nB6cW3yH5jD0sA2eG7u";
        assertEquals("ghp_…(40 chars)", SecretText.redact(secret));
    }

    @Test
    void aShortSecretShowsOnlyItsLength() {
        assertEquals("…(15 chars)", SecretText.redact("Pw9!kLm2#xQ7vR4"));
        assertEquals("…(1 char)", SecretText.redact("x"));
        assertEquals("Pw9!…(16 chars)", SecretText.redact("Pw9!kLm2#xQ7vR4z"));
    }

    @Test
    void noRedactedFormShowsMoreThanFourCharactersOfTheSecret() {
        Fakes fakes = new Fakes(7);
        for (int n = 1; n < 200; n++) {
            String secret = fakes.random(Fakes.ALNUM, n);
            String redacted = SecretText.redact(secret);
            int shown = redacted.indexOf('…');
            assertTrue(shown <= SecretText.SHOWN_CHARS, redacted);
            assertFalse(redacted.contains(secret), redacted);
            assertTrue(redacted.endsWith("(" + n + (n == 1 ? " char)" : " chars)")), redacted);
        }
    }

    @Test
    void controlCharactersAtTheStartAreNotCopiedIntoTheReport() {
        assertEquals("\\n   …(20 chars)".replace("\\n", " "), SecretText.redact("\n" + "   " + "abcdefghijklmnop"));
    }

    @Test
    void theFingerprintDependsOnRulePathAndSecretOnly() {
        String a = SecretText.fingerprint("github-pat", "src/a.properties", "ghp_one");
        assertEquals(16, a.length());
        assertTrue(a.matches("[0-9a-f]{16}"));
        assertEquals(a, SecretText.fingerprint("github-pat", "src/a.properties", "ghp_one"));
        assertNotEquals(a, SecretText.fingerprint("github-pat", "src/b.properties", "ghp_one"));
        assertNotEquals(a, SecretText.fingerprint("npm-token", "src/a.properties", "ghp_one"));
        assertNotEquals(a, SecretText.fingerprint("github-pat", "src/a.properties", "ghp_two"));
    }

    @Test
    void entropyIsShannonEntropyInBitsPerCharacter() {
        assertEquals(0.0, SecretText.entropy("aaaa"), 1e-9);
        assertEquals(1.0, SecretText.entropy("abab"), 1e-9);
        assertEquals(3.0, SecretText.entropy("abcdefgh"), 1e-9);
        assertEquals(0.0, SecretText.entropy(""), 1e-9);
    }
}
