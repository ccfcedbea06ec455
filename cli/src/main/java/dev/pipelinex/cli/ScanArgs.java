package dev.pipelinex.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The command line of {@code pipelinex scan}: what to scan, which stages, where the server is. */
record ScanArgs(String target, String stack, String java, Map<String, Boolean> toggles, String failOn,
                String secretScanMode, Path reportsDir, boolean logs) {

    static final String USAGE = """
            usage: pipelinex scan <folder | project.zip | https://github.com/owner/repo> [options]
              --stack spring-boot|maven   the project's stack (default: spring-boot when a class is
                                          annotated @SpringBootApplication, else maven)
              --java 17|21|25             the Java release to build with (default: the server's, 17)
              --no-build --no-tests --no-sast --no-sca --no-secrets
                                          leave a stage out
              --fail-on SEVERITY          fail the job on a finding at or above critical|high|medium|low
              --secret-scan-mode files|git
              --reports DIR               write the job's reports (results, logs, SARIF, SBOM) into DIR
              --logs                      print the stages' log lines as they are written
            The server: PIPELINEX_URL (default http://127.0.0.1:8080); the account: PIPELINEX_TOKEN,
            or PIPELINEX_USER and PIPELINEX_PASSWORD, else PIPELINEX_ADMIN_USER (default admin) and
            PIPELINEX_ADMIN_PASSWORD (or the password ./pipelinex up made).
            Exit status: 0 the job succeeded, 1 it failed or was cancelled, 2 the request was refused
            or the command line is wrong, 3 the server could not be reached.""";

    static final Map<String, String> STAGE_FLAGS = Map.of(
            "--no-build", "run_build", "--no-tests", "run_unit_tests", "--no-sast", "run_sast",
            "--no-sca", "run_sca", "--no-secrets", "run_secret_scan");

    /** Thrown for a command line that cannot be used; the message says why. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    static ScanArgs parse(List<String> args) {
        String target = null, stack = null, java = null, failOn = null, mode = null;
        Path reports = null;
        boolean logs = false;
        Map<String, Boolean> toggles = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>(args);
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            switch (a) {
                case "--stack" -> stack = oneOf(a, value(rest, ++i, a), "spring-boot", "maven");
                case "--java" -> java = number(a, value(rest, ++i, a));
                case "--fail-on" -> failOn = oneOf(a, value(rest, ++i, a).toLowerCase(Locale.ROOT),
                        "critical", "high", "medium", "low", "info");
                case "--secret-scan-mode" -> mode = oneOf(a, value(rest, ++i, a), "files", "git");
                case "--reports" -> reports = Path.of(value(rest, ++i, a));
                case "--logs" -> logs = true;
                case "-h", "--help" -> throw new UsageException("");
                default -> {
                    if (STAGE_FLAGS.containsKey(a)) {
                        toggles.put(STAGE_FLAGS.get(a), false);
                    } else if (a.startsWith("-")) {
                        throw new UsageException("unknown option " + a);
                    } else if (target != null) {
                        throw new UsageException("one project at a time: got '" + target + "' and '" + a + "'");
                    } else {
                        target = a;
                    }
                }
            }
        }
        if (target == null) {
            throw new UsageException("what should be scanned? give a folder, a ZIP file or a GitHub URL");
        }
        return new ScanArgs(target, stack, java, toggles, failOn, mode, reports, logs);
    }

    boolean isUrl() {
        return target.startsWith("https://") || target.startsWith("http://");
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size() || args.get(i).startsWith("--")) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(i);
    }

    private static String oneOf(String option, String value, String... allowed) {
        for (String a : allowed) {
            if (a.equals(value)) {
                return value;
            }
        }
        throw new UsageException(option + " must be one of " + String.join(", ", allowed) + ", not '" + value + "'");
    }

    private static String number(String option, String value) {
        if (!value.matches("\\d{1,3}")) {
            throw new UsageException(option + " must be a Java release such as 17, not '" + value + "'");
        }
        return value;
    }
}
