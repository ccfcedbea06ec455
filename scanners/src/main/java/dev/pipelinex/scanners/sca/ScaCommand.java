package dev.pipelinex.scanners.sca;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Set;

/**
 * {@code sca}: matches the Maven dependency trees of a source tree against OSV advisories and
 * writes {@code sca.sarif}, a CycloneDX SBOM {@code bom.cdx.json} and the stage's {@code result.json}.
 * The status is PASSED whenever the scan ran (the service applies the quality gate); a scan that
 * cannot run writes status ERROR and exits 1.
 */
public final class ScaCommand implements Command {

    public static final String STAGE = "sca";
    public static final Sarif.Tool TOOL = new Sarif.Tool("PipelineX SCA", version(), null);

    private static final Set<String> OPTIONS = Set.of("source", "out", "trees", "advisories", "no-curated", "started-ms");

    @Override
    public String name() {
        return "sca";
    }

    @Override
    public String usage() {
        return "--source DIR --out DIR [--trees FILE|GLOB]... [--advisories DIR|ZIP]... [--no-curated] "
                + "[--started-ms EPOCH_MS]: dependency vulnerabilities of the Maven trees "
                + "(default: every module's " + TreeFiles.DEFAULT + ") and a CycloneDX SBOM";
    }

    @Override
    public int run(Args args) throws Exception {
        for (String name : args.names()) {
            if (!OPTIONS.contains(name)) {
                throw new Args.UsageException("unknown option --" + name);
            }
        }
        Path source = args.path("source");
        Path out = args.path("out");
        long startedMs = args.number("started-ms", 0);
        if (!Files.isDirectory(source)) {
            throw new Args.UsageException("--source " + source + " is not a folder");
        }
        List<String> trees = new ArrayList<>(args.all("trees"));
        trees.addAll(args.positional());
        ObjectMapper json = Reports.json();
        try {
            List<AdvisorySource> sources = new ArrayList<>();
            if (!args.flag("no-curated")) {
                sources.add(CuratedAdvisories.load(json));
            }
            for (String dir : args.all("advisories")) {
                sources.add(AdvisoryDatabase.open(Path.of(dir), json));
            }
            AdvisoryDatabase db = new AdvisoryDatabase(sources);

            List<Path> files = TreeFiles.find(source, trees);
            if (files.isEmpty()) {
                throw new ScanFailure("no dependency tree found under " + source + " (expected " + TreeFiles.DEFAULT
                        + " in each module, written by maven-dependency-plugin:tree -DoutputType=json)");
            }
            Poms poms = new Poms(source);
            List<Module> modules = TreeFiles.modules(source, files, poms, json);
            ScaScan.Result result = ScaScan.scan(modules, db, poms);

            Files.createDirectories(out);
            Map<String, Object> runProps = new LinkedHashMap<>();
            runProps.put("advisory_data", db.describe());
            runProps.put("dependencies", result.dependencies());
            runProps.put("modules", modules.stream().map(Module::pomPath).toList());
            Sarif.write(out.resolve("sca.sarif"), Sarif.log(TOOL, result.rules(), result.findings(), runProps));
            Reports.writeJson(out.resolve("bom.cdx.json"), CycloneDx.bom(modules, json, TOOL.version()));

            String date = db.newestDate();
            Map<String, Object> advisories = new LinkedHashMap<>();
            advisories.put("count", db.count());
            advisories.put("date", date);
            advisories.put("sources", db.describe());
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("dependencies", result.dependencies());
            extra.put("vulnerable_packages", result.vulnerablePackages());
            extra.put("modules", modules.size());
            extra.put("advisories", advisories);
            String message = message(result.findings(), result.dependencies(), db);
            Reports.writeResult(out, STAGE, "PASSED", startedMs, message, Reports.summary(result.findings(), extra));
            System.out.println(message);
            return 0;
        } catch (Exception e) {
            boolean known = e instanceof ScanFailure || e instanceof java.io.IOException;
            String message = "sca could not scan the dependencies: " + (known && e.getMessage() != null ? e.getMessage() : e);
            System.err.println("pipelinex-scanners sca: " + message);
            if (!known) {
                e.printStackTrace(System.err);
            }
            Files.createDirectories(out);
            Reports.writeResult(out, STAGE, "ERROR", startedMs, message, null);
            return 1;
        }
    }

    /** "sca: 3 findings (1 critical, 2 high) in 57 dependencies; advisories of 2026-11-20 (86 curated)". */
    static String message(List<Finding> findings, int dependencies, AdvisoryDatabase db) {
        StringBuilder sb = new StringBuilder(Reports.message(STAGE, findings));
        sb.append(" in ").append(dependencies).append(dependencies == 1 ? " dependency" : " dependencies");
        String date = db.newestDate();
        sb.append("; advisories of ").append(date == null ? "an unknown date" : date).append(" (");
        List<String> parts = new ArrayList<>();
        for (AdvisorySource s : db.sources()) {
            parts.add(s.count() + " " + s.label());
        }
        sb.append(parts.isEmpty() ? "none" : String.join(", ", parts)).append(')');
        return sb.toString();
    }

    static String version() {
        String v = ScaCommand.class.getPackage().getImplementationVersion();
        return v == null || v.isBlank() ? null : v;
    }

    /** A scan that cannot run for a reason the message says in full. */
    static final class ScanFailure extends Exception {
        ScanFailure(String message) {
            super(message);
        }
    }
}
