package dev.pipelinex.scanners.secrets;

/**
 * A secret found at {@code path} (relative to the project root, {@code /} separators):
 * in the working tree ({@code commit} null) or in the lines a commit added (its short id).
 */
public record Occurrence(String path, SecretMatcher.Hit hit, String commit) {

    public String fingerprint() {
        return SecretText.fingerprint(hit.rule().id(), path, hit.secret());
    }
}
