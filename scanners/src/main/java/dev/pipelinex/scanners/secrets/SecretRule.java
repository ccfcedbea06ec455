package dev.pipelinex.scanners.secrets;

import dev.pipelinex.scanners.report.Severity;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One detection rule of a rule file. The regex runs only on a line (or, for a
 * {@code multiline} rule, a file) that contains one of the {@code keywords}, case-insensitive;
 * a rule without keywords runs everywhere. {@code secretGroup} is the group holding the secret
 * (0: the whole match). {@code minEntropy} is the least Shannon entropy, in bits per character,
 * the secret must have (0: no minimum). {@code path}, when set, limits the rule to files whose
 * relative path it finds something in. {@code samples} and {@code nonSamples} are the rule's
 * {@code tp} and {@code fp} examples, read as the content of a file at {@code samplePath}.
 */
public record SecretRule(String id, String description, Severity severity, List<String> keywords, Pattern regex,
                         int secretGroup, double minEntropy, Pattern path, boolean multiline, Allowlist allowlist,
                         List<String> samples, List<String> nonSamples, String samplePath, String origin) {

    public SecretRule {
        keywords = List.copyOf(keywords);
        samples = List.copyOf(samples);
        nonSamples = List.copyOf(nonSamples);
    }

    public boolean appliesTo(String relativePath) {
        return (path == null || path.matcher(relativePath).find()) && !allowlist.allowsPath(relativePath);
    }
}
