package dev.pipelinex.scanners.sca;

import dev.pipelinex.scanners.Args;
import dev.pipelinex.scanners.Command;
import dev.pipelinex.scanners.report.Reports;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code advisories-import <zip|dir> --into DIR}: turns an OSV export into an advisory store
 * that {@code sca --advisories DIR} reads package by package.
 */
public final class AdvisoriesImportCommand implements Command {

    @Override
    public String name() {
        return "advisories-import";
    }

    @Override
    public String usage() {
        return "<zip|dir> --into DIR: import the Maven advisories of an OSV export into an advisory store";
    }

    @Override
    public int run(Args args) throws Exception {
        for (String name : args.names()) {
            if (!name.equals("into")) {
                throw new Args.UsageException("unknown option --" + name);
            }
        }
        if (args.positional().size() != 1) {
            throw new Args.UsageException("one OSV export (zip or folder) is required");
        }
        Path input = Path.of(args.positional().get(0));
        Path into = args.path("into");
        if (!Files.exists(input)) {
            throw new Args.UsageException(input + " does not exist");
        }
        AdvisoryStore.ImportSummary summary = AdvisoryStore.importFrom(input, into, Reports.json());
        System.out.println(summary.line());
        return 0;
    }
}
