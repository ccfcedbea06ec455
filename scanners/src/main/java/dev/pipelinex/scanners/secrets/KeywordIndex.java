package dev.pipelinex.scanners.secrets;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * An Aho-Corasick automaton over bytes that finds every keyword in one pass, ASCII letters
 * matched without regard to case. Keywords are lower-case ASCII; upper-case input bytes move the
 * automaton like their lower-case letters, so the text is never copied to lower-case. Each state
 * knows the rules whose keywords end there.
 */
final class KeywordIndex {

    private final int[] next;
    private final int[][] rulesAt;

    /** {@code keywords}: each lower-case keyword and the indexes of the rules that name it. */
    KeywordIndex(Map<String, int[]> keywords) {
        List<int[]> trie = new ArrayList<>();
        List<TreeSet<Integer>> outputs = new ArrayList<>();
        trie.add(newNode());
        outputs.add(new TreeSet<>());
        for (Map.Entry<String, int[]> e : keywords.entrySet()) {
            int s = 0;
            for (byte b : e.getKey().getBytes(StandardCharsets.US_ASCII)) {
                int c = b & 0xff;
                if (trie.get(s)[c] < 0) {
                    trie.get(s)[c] = trie.size();
                    trie.add(newNode());
                    outputs.add(new TreeSet<>());
                }
                s = trie.get(s)[c];
            }
            for (int r : e.getValue()) {
                outputs.get(s).add(r);
            }
        }
        int states = trie.size();
        next = new int[states * 256];
        int[] fail = new int[states];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int c = 0; c < 256; c++) {
            int t = trie.get(0)[c];
            if (t < 0) {
                next[c] = 0;
            } else {
                next[c] = t;
                fail[t] = 0;
                queue.add(t);
            }
        }
        while (!queue.isEmpty()) {
            int s = queue.poll();
            outputs.get(s).addAll(outputs.get(fail[s]));
            for (int c = 0; c < 256; c++) {
                int t = trie.get(s)[c];
                if (t < 0) {
                    next[s * 256 + c] = next[fail[s] * 256 + c];
                } else {
                    next[s * 256 + c] = t;
                    fail[t] = next[fail[s] * 256 + c];
                    queue.add(t);
                }
            }
        }
        for (int s = 0; s < states; s++) {
            for (int c = 'A'; c <= 'Z'; c++) {
                next[s * 256 + c] = next[s * 256 + c + ('a' - 'A')];
            }
        }
        rulesAt = new int[states][];
        for (int s = 0; s < states; s++) {
            TreeSet<Integer> out = outputs.get(s);
            rulesAt[s] = out.isEmpty() ? null : out.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private static int[] newNode() {
        int[] n = new int[256];
        Arrays.fill(n, -1);
        return n;
    }

    /** Receives the keyword hits of a scan. */
    interface Hits {
        /** A keyword of {@code rules} ends in the line that starts at {@code lineStart} (line number {@code line}). */
        void hit(int line, int lineStart, int[] rules);
    }

    /** Scans {@code data[from, to)}, whose first line has number {@code firstLine}. */
    void scan(byte[] data, int from, int to, int firstLine, Hits hits) {
        final int[] next = this.next;
        final int[][] rulesAt = this.rulesAt;
        int state = 0;
        int line = firstLine;
        int lineStart = from;
        for (int i = from; i < to; i++) {
            int b = data[i] & 0xff;
            if (b == '\n') {
                line++;
                lineStart = i + 1;
                state = 0;
                continue;
            }
            state = next[(state << 8) | b];
            int[] rules = rulesAt[state];
            if (rules != null) {
                hits.hit(line, lineStart, rules);
            }
        }
    }
}
