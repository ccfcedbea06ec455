package dev.pipelinex.scanners.secrets;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * Applies a rule set to text. One pass of the keyword automaton over the bytes finds the lines
 * (and, for multi-line rules, the files) a rule's regex must run on; only those lines are
 * decoded. A line marked {@code pipelinex:allow} (or {@code gitleaks:allow}) is not reported.
 * When rules find overlapping secrets on a line, the rule listed first is reported. Immutable
 * and safe to share between threads.
 */
public final class SecretMatcher {

    public static final List<String> ALLOW_MARKERS = List.of("pipelinex:allow", "gitleaks:allow");

    /** A secret found: the rule, its index in the set, where it is (lines from 1) and the secret itself. */
    public record Hit(SecretRule rule, int ruleIndex, int line, int endLine, int column, int columnEnd, String secret,
                      double entropy) {
        @Override
        public String toString() {
            return rule.id() + " at line " + line + " (" + SecretText.redact(secret) + ")";
        }
    }

    private final RuleSet set;
    private final List<SecretRule> rules;
    private final boolean[] multiline;
    private final int[] alwaysRules;
    private final KeywordIndex index;
    private final int words;

    public SecretMatcher(RuleSet set) {
        this.set = set;
        this.rules = set.rules();
        this.multiline = new boolean[rules.size()];
        this.words = (rules.size() + 63) / 64;
        Map<String, List<Integer>> byKeyword = new LinkedHashMap<>();
        List<Integer> always = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            SecretRule r = rules.get(i);
            multiline[i] = r.multiline();
            if (r.keywords().isEmpty()) {
                always.add(i);
            }
            for (String k : r.keywords()) {
                byKeyword.computeIfAbsent(k, x -> new ArrayList<>()).add(i);
            }
        }
        Map<String, int[]> keywords = new LinkedHashMap<>();
        byKeyword.forEach((k, v) -> keywords.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
        this.index = new KeywordIndex(keywords);
        this.alwaysRules = always.stream().mapToInt(Integer::intValue).toArray();
    }

    /** True when files at this path are not scanned at all (the global allowlist's paths). */
    public boolean skipsPath(String path) {
        return set.allowlist().allowsPath(path);
    }

    /** Scans a whole text as the content of the file at {@code path}. */
    public List<Hit> scan(String path, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return scan(path, b, 0, b.length, 1);
    }

    /** Scans {@code data[from, to)}, the lines of the file at {@code path} from line {@code firstLine} on. */
    public List<Hit> scan(String path, byte[] data, int from, int to, int firstLine) {
        if (skipsPath(path)) {
            return List.of();
        }
        boolean[] active = new boolean[rules.size()];
        boolean any = false;
        for (int i = 0; i < active.length; i++) {
            active[i] = rules.get(i).appliesTo(path);
            any |= active[i];
        }
        if (!any) {
            return List.of();
        }
        List<LineHits> lines = new ArrayList<>();
        long[] fileRules = new long[words];
        index.scan(data, from, to, firstLine, (line, lineStart, ruleIdx) -> {
            LineHits last = lines.isEmpty() ? null : lines.get(lines.size() - 1);
            if (last == null || last.line != line) {
                last = new LineHits(line, lineStart, new long[words]);
                lines.add(last);
            }
            for (int r : ruleIdx) {
                if (multiline[r]) {
                    fileRules[r >>> 6] |= 1L << r;
                } else {
                    last.rules[r >>> 6] |= 1L << r;
                }
            }
        });
        for (int r : alwaysRules) {
            if (multiline[r]) {
                fileRules[r >>> 6] |= 1L << r;
            }
        }
        List<LineHits> toCheck = lines;
        if (alwaysRules.length > 0 && hasLineRule(alwaysRules)) {
            toCheck = everyLine(data, from, to, firstLine, lines);
        }
        List<Hit> candidates = new ArrayList<>();
        for (LineHits lh : toCheck) {
            matchLine(data, lh, to, active, candidates);
        }
        if (hasAny(fileRules, active)) {
            matchFile(data, from, to, firstLine, fileRules, active, candidates);
        }
        return resolveOverlaps(candidates);
    }

    private boolean hasLineRule(int[] ruleIdx) {
        for (int r : ruleIdx) {
            if (!multiline[r]) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasAny(long[] mask, boolean[] active) {
        for (int w = 0; w < mask.length; w++) {
            long m = mask[w];
            while (m != 0) {
                int r = w * 64 + Long.numberOfTrailingZeros(m);
                m &= m - 1;
                if (active[r]) {
                    return true;
                }
            }
        }
        return false;
    }

    private List<LineHits> everyLine(byte[] data, int from, int to, int firstLine, List<LineHits> keywordLines) {
        List<LineHits> all = new ArrayList<>();
        int k = 0;
        int line = firstLine;
        int start = from;
        while (start < to || (start == to && start == from)) {
            long[] mask = new long[words];
            for (int r : alwaysRules) {
                if (!multiline[r]) {
                    mask[r >>> 6] |= 1L << r;
                }
            }
            while (k < keywordLines.size() && keywordLines.get(k).line == line) {
                long[] km = keywordLines.get(k++).rules;
                for (int w = 0; w < words; w++) {
                    mask[w] |= km[w];
                }
            }
            all.add(new LineHits(line, start, mask));
            int nl = indexOf(data, (byte) '\n', start, to);
            if (nl < 0) {
                break;
            }
            start = nl + 1;
            line++;
        }
        return all;
    }

    private void matchLine(byte[] data, LineHits lh, int to, boolean[] active, List<Hit> out) {
        int end = indexOf(data, (byte) '\n', lh.lineStart, to);
        if (end < 0) {
            end = to;
        }
        if (end > lh.lineStart && data[end - 1] == '\r') {
            end--;
        }
        String text = null;
        for (int w = 0; w < words; w++) {
            long m = lh.rules[w];
            while (m != 0) {
                int r = w * 64 + Long.numberOfTrailingZeros(m);
                m &= m - 1;
                if (!active[r]) {
                    continue;
                }
                if (text == null) {
                    text = new String(data, lh.lineStart, end - lh.lineStart, StandardCharsets.UTF_8);
                    if (allowed(text)) {
                        return;
                    }
                }
                SecretRule rule = rules.get(r);
                Matcher matcher = rule.regex().matcher(text);
                while (matcher.find()) {
                    Hit hit = accept(rule, r, matcher, lh.line, lh.line, matcher.start(rule.secretGroup()),
                            matcher.end(rule.secretGroup()));
                    if (hit != null) {
                        out.add(hit);
                    }
                }
            }
        }
    }

    private void matchFile(byte[] data, int from, int to, int firstLine, long[] fileRules, boolean[] active,
                           List<Hit> out) {
        String text = new String(data, from, to - from, StandardCharsets.UTF_8);
        for (int w = 0; w < words; w++) {
            long m = fileRules[w];
            while (m != 0) {
                int r = w * 64 + Long.numberOfTrailingZeros(m);
                m &= m - 1;
                if (!active[r]) {
                    continue;
                }
                SecretRule rule = rules.get(r);
                Matcher matcher = rule.regex().matcher(text);
                int counted = 0;
                int line = firstLine;
                while (matcher.find()) {
                    if (matcher.end() == matcher.start()) {
                        continue;
                    }
                    line += count(text, '\n', counted, matcher.start());
                    counted = matcher.start();
                    int endLine = line + count(text, '\n', matcher.start(), matcher.end() - 1);
                    int lineStart = text.lastIndexOf('\n', matcher.start() - 1) + 1;
                    int lineEnd = text.indexOf('\n', matcher.end() - 1);
                    if (allowed(text.substring(lineStart, lineEnd < 0 ? text.length() : lineEnd))) {
                        continue;
                    }
                    Hit hit = accept(rule, r, matcher, line, endLine, matcher.start() - lineStart, Integer.MAX_VALUE);
                    if (hit != null) {
                        out.add(hit);
                    }
                }
            }
        }
    }

    private Hit accept(SecretRule rule, int r, Matcher m, int line, int endLine, int column, int columnEnd) {
        String secret = m.group(rule.secretGroup());
        if (secret == null || secret.isEmpty()) {
            return null;
        }
        double entropy = SecretText.entropy(secret);
        if (entropy < rule.minEntropy()) {
            return null;
        }
        if (set.allowlist().allowsSecret(secret) || rule.allowlist().allowsSecret(secret)) {
            return null;
        }
        return new Hit(rule, r, line, endLine, column, columnEnd, secret, entropy);
    }

    private static boolean allowed(String text) {
        for (String marker : ALLOW_MARKERS) {
            if (text.contains(marker)) {
                return true;
            }
        }
        return false;
    }

    /** Per line, the rule listed first keeps its secret; a later rule's overlapping secret is dropped. */
    private static List<Hit> resolveOverlaps(List<Hit> candidates) {
        if (candidates.size() < 2) {
            return candidates;
        }
        candidates.sort(Comparator.comparingInt(Hit::line).thenComparingInt(Hit::ruleIndex)
                .thenComparingInt(Hit::column));
        List<Hit> kept = new ArrayList<>();
        int lineFrom = 0;
        for (Hit h : candidates) {
            while (lineFrom < kept.size() && kept.get(lineFrom).line() != h.line()) {
                lineFrom++;
            }
            boolean overlaps = false;
            for (int i = lineFrom; i < kept.size() && !overlaps; i++) {
                Hit k = kept.get(i);
                overlaps = h.column() < k.columnEnd() && k.column() < h.columnEnd();
            }
            if (!overlaps) {
                kept.add(h);
            }
        }
        kept.sort(Comparator.comparingInt(Hit::line).thenComparingInt(Hit::column));
        return kept;
    }

    private static int count(String s, char c, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == c) {
                n++;
            }
        }
        return n;
    }

    private static int indexOf(byte[] data, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (data[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private record LineHits(int line, int lineStart, long[] rules) {
    }
}
