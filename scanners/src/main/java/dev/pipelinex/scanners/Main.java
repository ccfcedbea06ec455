package dev.pipelinex.scanners;

import dev.pipelinex.scanners.maven.PluginDependencies;
import dev.pipelinex.scanners.maven.ReactorModules;
import dev.pipelinex.scanners.maven.SurefireCount;
import dev.pipelinex.scanners.sast.SastReportCommand;
import dev.pipelinex.scanners.sca.AdvisoriesImportCommand;
import dev.pipelinex.scanners.sca.ScaCommand;
import dev.pipelinex.scanners.secrets.SecretsCommand;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code pipelinex-scanners <command> [options]}: the scanners the pipeline's stage scripts
 * call inside the runner. Exit codes: 0 the command wrote its reports (findings or not),
 * 1 it failed, 2 it was called wrongly.
 */
public final class Main {

    private Main() {
    }

    static Map<String, Command> commands() {
        Map<String, Command> all = new LinkedHashMap<>();
        for (Command c : List.<Command>of(new SecretsCommand(), new ScaCommand(), new SastReportCommand(),
                new AdvisoriesImportCommand())) {
            all.put(c.name(), c);
        }
        return all;
    }

    public static void main(String[] argv) {
        System.exit(run(argv));
    }

    /** A helper of the Maven stage scripts: positional arguments, its answer on standard output. */
    interface Helper {
        void main(String[] args) throws Exception;
    }

    static Map<String, Helper> helpers() {
        return Map.of("surefire-count", SurefireCount::main, "reactor-modules", ReactorModules::main,
                "plugin-dependencies", PluginDependencies::main);
    }

    public static int run(String[] argv) {
        Map<String, Command> commands = commands();
        if (argv.length == 0 || argv[0].equals("help") || argv[0].equals("--help")) {
            usage(commands);
            return argv.length == 0 ? 2 : 0;
        }
        Helper helper = helpers().get(argv[0]);
        if (helper != null) {
            try {
                helper.main(Arrays.copyOfRange(argv, 1, argv.length));
                return 0;
            } catch (Exception e) {
                System.err.println("pipelinex-scanners " + argv[0] + " failed: " + e);
                return 1;
            }
        }
        Command command = commands.get(argv[0]);
        if (command == null) {
            System.err.println("pipelinex-scanners: unknown command '" + argv[0] + "'");
            usage(commands);
            return 2;
        }
        try {
            return command.run(Args.parse(Arrays.asList(argv).subList(1, argv.length)));
        } catch (Args.UsageException e) {
            System.err.println("pipelinex-scanners " + command.name() + ": " + e.getMessage());
            System.err.println("usage: pipelinex-scanners " + command.name() + " " + command.usage());
            return 2;
        } catch (Exception e) {
            System.err.println("pipelinex-scanners " + command.name() + " failed: " + e);
            e.printStackTrace(System.err);
            return 1;
        }
    }

    private static void usage(Map<String, Command> commands) {
        System.err.println("usage: pipelinex-scanners <command> [options]");
        commands.values().forEach(c -> System.err.println("  " + c.name() + " " + c.usage()));
        System.err.println("  surefire-count PROJECT_DIR | reactor-modules TREE_JSON"
                + " | plugin-dependencies EFFECTIVE_POM OUT_DIR REPOSITORY...  (helpers of the Maven stages)");
    }
}
