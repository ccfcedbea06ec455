package dev.pipelinex.scanners.secrets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/** What the reports may say about a secret: its entropy, a redacted form and a fingerprint. Never the secret. */
public final class SecretText {

    /** Secrets shorter than this are redacted to their length alone. */
    public static final int SHOWN_FROM_LENGTH = 16;
    /** The most characters of a secret a redacted form shows. */
    public static final int SHOWN_CHARS = 4;

    private SecretText() {
    }

    /** Shannon entropy in bits per character. */
    public static double entropy(String s) {
        if (s.isEmpty()) {
            return 0;
        }
        Map<Character, Integer> counts = new HashMap<>();
        for (int i = 0; i < s.length(); i++) {
            counts.merge(s.charAt(i), 1, Integer::sum);
        }
        double h = 0;
        double n = s.length();
        for (int c : counts.values()) {
            double p = c / n;
            h -= p * (Math.log(p) / Math.log(2));
        }
        return h;
    }

    /**
     * "ghp_…(40 chars)": the first {@value #SHOWN_CHARS} characters of a secret of at least
     * {@value #SHOWN_FROM_LENGTH}, otherwise only the length ("…(9 chars)").
     */
    public static String redact(String secret) {
        int n = secret.codePointCount(0, secret.length());
        String tail = "…(" + n + (n == 1 ? " char)" : " chars)");
        if (n < SHOWN_FROM_LENGTH) {
            return tail;
        }
        String head = secret.substring(0, secret.offsetByCodePoints(0, SHOWN_CHARS));
        if (head.chars().anyMatch(Character::isISOControl)) {
            head = head.replaceAll("\\p{Cntrl}", " ");
        }
        return head + tail;
    }

    /** The first 16 hex digits of SHA-256 of {@code ruleId:path:secret}: stays put when lines move. */
    public static String fingerprint(String ruleId, String path, String secret) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] d = sha.digest((ruleId + ":" + path + ":" + secret).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static double round2(double v) {
        return Math.round(v * 100.0) / 100.0;
    }
}
