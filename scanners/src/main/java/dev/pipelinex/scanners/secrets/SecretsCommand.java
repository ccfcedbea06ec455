package dev.pipelinex.scanners.secrets;

import dev.pipelinex.scanners.Args;
import dev.pipelinex.scanners.Command;
import dev.pipelinex.scanners.report.Finding;
import dev.pipelinex.scanners.report.Reports;
import dev.pipelinex.scanners.report.Rule;
import dev.pipelinex.scanners.report.Sarif;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code secrets}: scans a project for committed credentials and writes {@code secrets.sarif}
 * and {@code result.json}. The stage passes whenever the scan ran: the service's quality gate
 * judges the findings.
 */
public final class SecretsCommand implements Command {

    public static final String TOOL = "PipelineX secrets";
    private static final Set<String> OPTIONS = Set.of("source", "out", "mode", "rules", "started-ms", "max-commits");

    @Override
    public String name() {
        return "secrets";
    }

    @Override
    public String usage() {
        return "--source DIR --out DIR [--mode files|git] [--rules FILE]... [--started-ms EPOCH_MS] [--max-commits N]"
                + ": finds committed secrets in a project's files (and with --mode git in the lines its commits added)";
    }

    @Override
    public int run(Args args) throws Exception {
        long started = System.currentTimeMillis();
        Set<String> unknown = new TreeSet<>(args.names());
        unknown.removeAll(OPTIONS);
        if (!unknown.isEmpty()) {
            throw new Args.UsageException("unknown option --" + String.join(", --", unknown));
        }
        if (!args.positional().isEmpty()) {
            throw new Args.UsageException("unexpected argument \"" + args.positional().get(0) + "\"");
        }
        Path source = args.path("source");
        if (!Files.isDirectory(source)) {
            throw new Args.UsageException("--source " + source + " is not a directory");
        }
        Path out = args.path("out");
        String modeText = args.option("mode").orElse("files");
        SecretScan.Mode mode = switch (modeText) {
            case "files" -> SecretScan.Mode.FILES;
            case "git" -> SecretScan.Mode.GIT;
            default -> throw new Args.UsageException("--mode must be files or git, not \"" + modeText + "\"");
        };
        long maxCommits = args.number("max-commits", 1000);
        if (maxCommits < 1 || maxCommits > Integer.MAX_VALUE) {
            throw new Args.UsageException("--max-commits must be a positive number");
        }
        long startedMs = args.number("started-ms", started);
        List<Path> ruleFiles = new ArrayList<>();
        for (String r : args.all("rules")) {
            if (r.isBlank() || r.equals("true")) {
                throw new Args.UsageException("--rules needs a file");
            }
            ruleFiles.add(Path.of(r));
        }
        RuleSet rules;
        try {
            rules = RuleSet.load(ruleFiles);
        } catch (RuleFileException e) {
            throw new Args.UsageException(e.getMessage());
        }

        SecretScan.Outcome outcome = SecretScan.run(source, rules, mode, (int) maxCommits, TreeScanner.defaultThreads());
        List<Finding> findings = outcome.findings();

        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("files_scanned", outcome.filesScanned());
        counts.put("files_skipped", outcome.filesSkipped());
        counts.put("rules", rules.rules().size());
        counts.put("mode", mode.id());
        counts.put("commits_scanned", outcome.commitsScanned());
        Sarif.write(out.resolve("secrets.sarif"), Sarif.log(new Sarif.Tool(TOOL, version(), null), sarifRules(rules),
                findings, counts));
        StringBuilder message = new StringBuilder(Reports.message("secrets", findings));
        outcome.notes().forEach(n -> message.append("; ").append(n));
        Reports.writeResult(out, "secrets", "PASSED", startedMs, message.toString(), Reports.summary(findings, counts));

        long took = Math.max(1, System.currentTimeMillis() - started);
        System.out.println(message);
        System.out.printf("scanned %d files (%.1f MB, %d skipped) with %d rules in %d ms%s%n", outcome.filesScanned(),
                outcome.bytesScanned() / 1e6, outcome.filesSkipped(), rules.rules().size(), took,
                mode == SecretScan.Mode.GIT ? ", " + outcome.commitsScanned() + " commits" : "");
        for (Finding f : findings) {
            System.out.println("  " + (f.suppressed() ? "suppressed" : f.severity().id()) + " " + f.ruleId() + ": "
                    + f.message() + " [" + f.fingerprint() + "]");
        }
        return 0;
    }

    static List<Rule> sarifRules(RuleSet rules) {
        return rules.rules().stream().map(r -> new Rule(r.id(), r.description(), r.description()
                + ". A committed secret must be revoked and replaced: deleting it from the code leaves it in the history.",
                null, r.severity(), List.of("secret", "external/cwe/cwe-798"))).toList();
    }

    private static String version() {
        return SecretsCommand.class.getPackage().getImplementationVersion();
    }
}
