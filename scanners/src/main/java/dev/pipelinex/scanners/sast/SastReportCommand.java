package dev.pipelinex.scanners.sast;

import dev.pipelinex.scanners.Args;
import dev.pipelinex.scanners.Command;
import dev.pipelinex.scanners.report.Finding;
import dev.pipelinex.scanners.report.Reports;
import dev.pipelinex.scanners.report.Sarif;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code sast-report}: SpotBugs' XML report into {@code sast.sarif} and {@code result.json},
 * paths rewritten from source roots to the repository. With {@code --class-dirs} the precision
 * step ({@link InjectionPruner}) re-examines each injection finding in the bytecode and marks the
 * ones it proves safe as suppressed, with the reason; {@code --pruning false} turns it off.
 */
public final class SastReportCommand implements Command {

    /** Time the precision step may spend on one finding. */
    static final long DEFAULT_BUDGET_MS = 2_000;

    @Override
    public String name() {
        return "sast-report";
    }

    @Override
    public String usage() {
        return "--spotbugs-xml FILE --source DIR --out DIR [--classes N] [--started-ms EPOCH_MS]"
                + " [--class-dirs DIR" + java.io.File.pathSeparator + "DIR...] [--pruning true|false]"
                + " [--findsecbugs-plugin JAR] [--pruning-budget-ms N]";
    }

    @Override
    public int run(Args args) throws Exception {
        Path xml = args.path("spotbugs-xml");
        Path source = args.path("source");
        Path out = args.path("out");
        if (!Files.isRegularFile(xml)) {
            throw new Args.UsageException("no SpotBugs report at " + xml);
        }
        if (!Files.isDirectory(source)) {
            throw new Args.UsageException("the source folder " + source + " does not exist");
        }
        SpotBugsReport.Result result = new SpotBugsReport().read(xml, SourceIndex.of(source));
        List<Finding> findings = result.findings();
        Map<String, Object> pruning = new LinkedHashMap<>();
        List<Path> classDirs = classDirs(args);
        boolean prune = !args.option("pruning").map(String::trim).orElse("true").equalsIgnoreCase("false");
        pruning.put("enabled", prune && !classDirs.isEmpty());
        if (prune && !classDirs.isEmpty()) {
            SinkTable sinks = args.optionalPath("findsecbugs-plugin").map(SinkTable::fromPlugin).orElse(SinkTable.empty());
            InjectionPruner pruner = new InjectionPruner(new ClassRepository(classDirs), sinks,
                    args.number("pruning-budget-ms", DEFAULT_BUDGET_MS));
            InjectionPruner.Outcome outcome = pruner.prune(findings, result.sites());
            findings = outcome.findings();
            pruning.put("examined", outcome.examined());
            pruning.put("suppressed", outcome.suppressed());
            pruning.put("duration_ms", outcome.millis());
        }
        Map<String, Object> runProps = new LinkedHashMap<>();
        runProps.put("analyzer", "SpotBugs " + result.spotbugsVersion() + " with FindSecBugs");
        runProps.put("pruning", pruning);
        Sarif.write(out.resolve("sast.sarif"), Sarif.log(
                new Sarif.Tool("SpotBugs with FindSecBugs", result.spotbugsVersion(), "https://find-sec-bugs.github.io/"),
                result.rules(), findings, runProps));
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("reported", findings.stream().filter(f -> !f.suppressed()).count());
        extra.put("informational_left_out", result.informationalLeftOut());
        extra.put("pruning", pruning);
        long classes = args.number("classes", -1);
        if (classes >= 0) {
            extra.put("class_folders", classes);
        }
        Reports.writeResult(out, "sast", "PASSED", args.number("started-ms", 0),
                Reports.message("sast", findings), Reports.summary(findings, extra));
        System.out.println(Reports.message("sast", findings));
        return 0;
    }

    /** The class folders of {@code --class-dirs} (path-separator lists, the option may repeat). */
    private static List<Path> classDirs(Args args) {
        List<Path> dirs = new ArrayList<>();
        for (String list : args.all("class-dirs")) {
            for (String d : list.split(java.util.regex.Pattern.quote(java.io.File.pathSeparator))) {
                if (!d.isBlank() && Files.isDirectory(Path.of(d.trim()))) {
                    dirs.add(Path.of(d.trim()));
                }
            }
        }
        return dirs;
    }
}
