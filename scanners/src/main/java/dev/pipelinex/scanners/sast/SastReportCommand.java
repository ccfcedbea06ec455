package dev.pipelinex.scanners.sast;

import dev.pipelinex.scanners.Args;
import dev.pipelinex.scanners.Command;
import dev.pipelinex.scanners.report.Reports;
import dev.pipelinex.scanners.report.Sarif;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code sast-report}: SpotBugs' XML report into {@code sast.sarif} and {@code result.json},
 * paths rewritten from source roots to the repository.
 */
public final class SastReportCommand implements Command {

    @Override
    public String name() {
        return "sast-report";
    }

    @Override
    public String usage() {
        return "--spotbugs-xml FILE --source DIR --out DIR [--classes N] [--started-ms EPOCH_MS]";
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
        Map<String, Object> runProps = new LinkedHashMap<>();
        runProps.put("analyzer", "SpotBugs " + result.spotbugsVersion() + " with FindSecBugs");
        Sarif.write(out.resolve("sast.sarif"), Sarif.log(
                new Sarif.Tool("SpotBugs with FindSecBugs", result.spotbugsVersion(), "https://find-sec-bugs.github.io/"),
                result.rules(), result.findings(), runProps));
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("informational_left_out", result.informationalLeftOut());
        long classes = args.number("classes", -1);
        if (classes >= 0) {
            extra.put("class_folders", classes);
        }
        Reports.writeResult(out, "sast", "PASSED", args.number("started-ms", 0),
                Reports.message("sast", result.findings()), Reports.summary(result.findings(), extra));
        System.out.println(Reports.message("sast", result.findings()));
        return 0;
    }
}
