package dev.pipelinex.scanners.secrets;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a rule (or the whole rule set) does not report: secrets a regex finds something in,
 * secrets containing a stopword (case-insensitive), and files whose path a regex finds
 * something in.
 */
public record Allowlist(List<Pattern> regexes, List<String> stopwords, List<Pattern> paths) {

    public static final Allowlist EMPTY = new Allowlist(List.of(), List.of(), List.of());

    public Allowlist {
        regexes = List.copyOf(regexes);
        stopwords = stopwords.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        paths = List.copyOf(paths);
    }

    /** True when the secret is a known non-secret: a regex finds something in it or it contains a stopword. */
    public boolean allowsSecret(String secret) {
        for (Pattern p : regexes) {
            if (p.matcher(secret).find()) {
                return true;
            }
        }
        if (!stopwords.isEmpty()) {
            String lower = secret.toLowerCase(Locale.ROOT);
            for (String w : stopwords) {
                if (lower.contains(w)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** True when files at this path (relative, with {@code /}) are not scanned. */
    public boolean allowsPath(String path) {
        for (Pattern p : paths) {
            if (p.matcher(path).find()) {
                return true;
            }
        }
        return false;
    }

    public Allowlist plus(Allowlist other) {
        List<Pattern> r = new ArrayList<>(regexes);
        r.addAll(other.regexes);
        List<String> s = new ArrayList<>(stopwords);
        s.addAll(other.stopwords);
        List<Pattern> p = new ArrayList<>(paths);
        p.addAll(other.paths);
        return new Allowlist(r, s, p);
    }
}
