package dev.pipelinex.scanners.secrets;

import dev.pipelinex.scanners.report.Finding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jgit.errors.LargeObjectException;
import org.eclipse.jgit.errors.RevWalkException;

/**
 * One secret scan of a project: its files, and in {@link Mode#GIT} also the lines its commits
 * added. A secret both in the files and in the history is reported once, where it is in the
 * files, with the commit that added it. Findings the project's {@link Baseline} names are
 * reported as suppressed. Reports carry a redacted form of each secret, never the secret.
 */
public final class SecretScan {

    public enum Mode {
        FILES, GIT;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The findings and what was scanned; {@code notes} are for the result message. */
    public record Outcome(List<Finding> findings, int filesScanned, int filesSkipped, long bytesScanned,
                          int commitsScanned, List<String> notes) {
    }

    private SecretScan() {
    }

    public static Outcome run(Path source, RuleSet rules, Mode mode, int maxCommits, int threads) throws IOException {
        SecretMatcher matcher = new SecretMatcher(rules);
        TreeScanner.Result tree = TreeScanner.scan(source, matcher, threads);
        List<String> notes = new ArrayList<>();
        List<Occurrence> history = List.of();
        int commits = 0;
        if (mode == Mode.GIT) {
            if (Files.exists(source.resolve(".git"))) {
                try {
                    HistoryScanner.Result h = HistoryScanner.scan(source, matcher, maxCommits);
                    history = h.occurrences();
                    commits = h.commitsScanned();
                    if (h.truncated()) {
                        notes.add("the history scan stopped after " + commits + " commits (--max-commits); older commits were not scanned");
                    }
                } catch (IOException | RevWalkException | LargeObjectException e) {
                    notes.add("the history could not be scanned, so only the files were (" + e.getMessage() + ")");
                }
            } else {
                notes.add("no git repository in the source folder, so only its files were scanned");
            }
        }
        Map<String, String> commitOf = new HashMap<>();
        Map<String, Occurrence> historyOnly = new LinkedHashMap<>();
        Map<String, Boolean> inTree = new HashMap<>();
        tree.occurrences().forEach(o -> inTree.put(o.fingerprint(), true));
        for (Occurrence o : history) {
            if (inTree.containsKey(o.fingerprint())) {
                commitOf.put(o.fingerprint(), o.commit());
            } else {
                historyOnly.put(o.fingerprint(), o);
            }
        }
        Baseline.Loaded baseline = Baseline.load(source);
        baseline.problem().ifPresent(notes::add);
        List<Finding> findings = new ArrayList<>();
        for (Occurrence o : tree.occurrences()) {
            findings.add(finding(o, commitOf.get(o.fingerprint()), false, baseline.baseline()));
        }
        List<Occurrence> old = new ArrayList<>(historyOnly.values());
        old.sort(Comparator.comparing(Occurrence::path).thenComparingInt(o -> o.hit().line()));
        for (Occurrence o : old) {
            findings.add(finding(o, o.commit(), true, baseline.baseline()));
        }
        return new Outcome(findings, tree.filesScanned(), tree.filesSkipped(), tree.bytesScanned(), commits, notes);
    }

    static Finding finding(Occurrence o, String commit, boolean historyOnly, Baseline baseline) {
        SecretMatcher.Hit h = o.hit();
        String redacted = SecretText.redact(h.secret());
        String fingerprint = o.fingerprint();
        String message = h.rule().description() + " in " + o.path() + ":" + h.line()
                + (historyOnly ? " of commit " + commit : "") + " (" + redacted + ")";
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("redacted", redacted);
        props.put("entropy", SecretText.round2(h.entropy()));
        if (commit != null) {
            props.put("commit", commit);
        }
        Finding f = new Finding(h.rule().id(), h.rule().severity(), message, o.path(), h.line(), h.endLine(),
                fingerprint, null, props);
        return baseline.justification(fingerprint).map(f::suppressedBecause).orElse(f);
    }
}
