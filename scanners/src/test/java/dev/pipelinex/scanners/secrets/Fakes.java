package dev.pipelinex.scanners.secrets;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random text shaped like provider credentials, for tests: nothing here is or was a credential.
 * Every value made is remembered, so that a test can check reports never contain one.
 */
final class Fakes {

    static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    static final String BASE64 = ALNUM + "+/";
    static final String URLSAFE = ALNUM + "_-";
    static final String HEX = "0123456789abcdef";
    static final String DIGITS = "0123456789";
    static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private final Random random;
    private final List<String> secrets = new ArrayList<>();
    private final List<String> randomParts = new ArrayList<>();

    Fakes(long seed) {
        this.random = new Random(seed);
    }

    /** {@code n} random characters of {@code chars}, with upper, lower case and a digit when the set has them. */
    String random(String chars, int n) {
        while (true) {
            StringBuilder sb = new StringBuilder(n);
            for (int i = 0; i < n; i++) {
                sb.append(chars.charAt(random.nextInt(chars.length())));
            }
            String s = sb.toString();
            String lower = s.toLowerCase();
            boolean stopword = lower.contains("test") || lower.contains("fake") || lower.contains("mock")
                    || lower.contains("xxxxxx") || lower.contains("your") || lower.contains("dummy");
            boolean mixed = !chars.equals(ALNUM) && !chars.equals(BASE64) && !chars.equals(URLSAFE)
                    || n < 8 || s.chars().anyMatch(Character::isUpperCase) && s.chars().anyMatch(Character::isLowerCase)
                    && s.chars().anyMatch(Character::isDigit);
            if (!stopword && mixed) {
                randomParts.add(s);
                return s;
            }
        }
    }

    /** Remembers a whole secret. */
    String secret(String s) {
        secrets.add(s);
        return s;
    }

    String awsKeyId() {
        return secret("AKIA" + random(BASE32, 16));
    }

    String githubPat() {
        return secret("ghp_" + random(ALNUM, 36));
    }

    String gitlabPat() {
        return secret("glpat-" + random(URLSAFE, 20));
    }

    String npmToken() {
        return secret("npm_" + random(ALNUM, 36));
    }

    String slackBot() {
        return secret("xoxb-" + random(DIGITS, 12) + "-" + random(DIGITS, 13) + "-" + random(ALNUM, 24));
    }

    String stripeLive() {
        return secret("sk_live_" + random(ALNUM, 24));
    }

    String sendgrid() {
        return secret("SG." + random(URLSAFE, 22) + "." + random(URLSAFE, 43));
    }

    String googleApiKey() {
        return secret("AIza" + random(URLSAFE, 35));
    }

    String password(int n) {
        return secret(random(ALNUM, n));
    }

    String jwt() {
        return secret("eyJhbGciOiJSUzI1NiJ9." + "eyJzdWIiOiJ1c2VyLTQyIiwic2NvcGUiOiJhZG1pbiJ9." + random(URLSAFE, 86));
    }

    /** The lines of a PEM RSA private key; the secret remembered is its body. */
    List<String> rsaKeyLines() {
        List<String> lines = new ArrayList<>();
        lines.add("-----BEGIN RSA PRIVATE KEY-----");
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            String l = (i == 0 ? "MIIEpAIBAAKCAQEA" + random(BASE64, 48) : random(BASE64, 64));
            lines.add(l);
            body.append(l).append('\n');
        }
        lines.add("-----END RSA PRIVATE KEY-----");
        secret(body.toString());
        return lines;
    }

    List<String> secrets() {
        return secrets;
    }

    /** The random parts of every secret made (the parts a report could leak). */
    List<String> randomParts() {
        return randomParts;
    }
}
