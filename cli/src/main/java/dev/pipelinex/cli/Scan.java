package dev.pipelinex.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * {@code pipelinex scan}: submits a project, shows its stages as they run (from the job's event
 * stream), prints a summary of tests and findings, writes the reports where asked, and exits
 * with the job's verdict, so that a CI system can call it.
 */
public final class Scan {

    static final int OK = 0, JOB_FAILED = 1, REFUSED = 2, UNREACHABLE = 3;

    private final PrintStream out;
    private final ApiClient api;

    Scan(PrintStream out, ApiClient api) {
        this.out = out;
        this.api = api;
    }

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        URI server = URI.create(env.getOrDefault("PIPELINEX_URL", "http://127.0.0.1:8080"));
        System.exit(new Scan(System.out, new ApiClient(server, ApiClient.authorizationFrom(env))).run(List.of(args)));
    }

    int run(List<String> argv) {
        ScanArgs args;
        try {
            args = ScanArgs.parse(argv);
        } catch (ScanArgs.UsageException e) {
            if (!e.getMessage().isEmpty()) {
                out.println("pipelinex scan: " + e.getMessage());
            }
            out.println(ScanArgs.USAGE);
            return REFUSED;
        }
        try {
            JsonNode job = submit(args);
            String id = job.path("job_id").asText();
            out.println("job " + id + " (" + job.path("stack_id").asText() + "): " + String.join(", ",
                    iterable(job.path("stages"))));
            Map<String, String> seen = new HashMap<>();
            ApiClient.Event end = api.follow(id, e -> show(e, seen, args.logs()));
            String state = ApiClient.JSON.readTree(end.data()).path("state").asText();
            JsonNode detail = api.get("api/jobs/" + id);
            summary(api.get("api/jobs/" + id + "/reports"));
            String error = detail.path("state").path("error").asText("");
            out.println("job " + state + (error.isEmpty() || error.equals("null") ? "" : ": " + error));
            if (args.reportsDir() != null) {
                int n = unzip(api.download("api/jobs/" + id + "/reports.zip"), args.reportsDir());
                out.println("reports: " + n + " files in " + args.reportsDir());
            }
            return state.equals("SUCCEEDED") ? OK : JOB_FAILED;
        } catch (ApiClient.ApiException e) {
            out.println("pipelinex scan: " + e.getMessage());
            return REFUSED;
        } catch (UncheckedIOException e) {
            out.println("pipelinex scan: cannot reach the server (" + e.getMessage() + "); PIPELINEX_URL sets its address");
            return UNREACHABLE;
        } catch (IOException e) {
            out.println("pipelinex scan: " + e.getMessage());
            return UNREACHABLE;
        }
    }

    private JsonNode submit(ScanArgs args) throws IOException {
        ObjectNode metadata = ApiClient.JSON.createObjectNode();
        String stack = args.stack();
        if (args.isUrl()) {
            metadata.put("github_url", args.target());
        } else if (stack == null) {
            Path target = Path.of(args.target());
            stack = Files.isDirectory(target) && !ProjectZip.isSpringBoot(target) ? "maven" : "spring-boot";
        }
        ObjectNode s = metadata.putObject("stack");
        s.put("language", "java");
        s.put("framework", "maven".equals(stack) ? "none" : stack == null ? "spring-boot" : stack);
        s.put("build_tool", "maven");
        if (args.java() != null) {
            metadata.putObject("versions").put("java", args.java());
        }
        ObjectNode pipeline = metadata.putObject("pipeline");
        args.toggles().forEach(pipeline::put);
        if (args.failOn() != null) {
            pipeline.put("fail_on", args.failOn());
        }
        if (args.secretScanMode() != null) {
            pipeline.put("secret_scan_mode", args.secretScanMode());
        }
        if (args.isUrl()) {
            return api.github(metadata.toString());
        }
        Path target = Path.of(args.target());
        byte[] zip;
        if (Files.isDirectory(target)) {
            zip = ProjectZip.of(target, "git".equals(args.secretScanMode()));
        } else if (Files.isRegularFile(target)) {
            zip = Files.readAllBytes(target);
        } else {
            throw new ApiClient.ApiException(0, args.target() + " is not a folder, a ZIP file or an https URL");
        }
        out.printf("submitting %s (%d KiB)%n", args.target(), zip.length >> 10);
        return api.upload(zip, metadata.toString());
    }

    /** Prints each stage's change of status as it happens, and log lines when asked. */
    private void show(ApiClient.Event e, Map<String, String> seen, boolean logs) {
        try {
            JsonNode data = ApiClient.JSON.readTree(e.data());
            if (e.name().equals("log") && logs) {
                out.println("  [" + data.path("stage").asText() + "] " + data.path("line").asText());
            } else if (e.name().equals("state")) {
                for (JsonNode stage : data.path("stages")) {
                    String name = stage.path("name").asText();
                    String status = stage.path("status").asText();
                    if (!status.equals(seen.put(name, status)) && !status.equals("PENDING")) {
                        out.println(line(name, status, stage.path("duration_ms"), stage.path("message").asText("")));
                    }
                }
            }
        } catch (IOException x) {
            // an event this client does not understand is passed over
        }
    }

    static String line(String stage, String status, JsonNode durationMs, String message) {
        String took = durationMs.isNumber() ? String.format(Locale.ROOT, " %6.1f s", durationMs.asLong() / 1000.0) : "";
        String text = message.isEmpty() || message.equals("null") ? "" : "  " + message;
        return String.format(Locale.ROOT, "  %-8s %-9s%s%s", stage, status, took, text);
    }

    /** The table at the end: one row per stage with its tests or findings. */
    void summary(JsonNode reports) {
        out.println();
        out.printf("  %-8s %-8s %8s  %s%n", "stage", "status", "time", "result");
        for (JsonNode r : reports.path("stages")) {
            out.printf(Locale.ROOT, "  %-8s %-8s %7.1fs  %s%n", r.path("stage").asText(), r.path("status").asText(),
                    r.path("duration_ms").asLong() / 1000.0, result(r.path("summary")));
        }
        out.println();
    }

    static String result(JsonNode summary) {
        if (summary.has("tests")) {
            JsonNode t = summary.path("tests");
            return t.path("passed").asInt() + " passed, " + t.path("failed").asInt() + " failed, "
                    + t.path("skipped").asInt() + " skipped";
        }
        if (summary.has("findings")) {
            JsonNode f = summary.path("findings");
            StringBuilder b = new StringBuilder();
            for (String level : List.of("critical", "high", "medium", "low", "info")) {
                b.append(b.length() == 0 ? "" : ", ").append(f.path(level).asInt()).append(' ').append(level);
            }
            return b.toString();
        }
        return "";
    }

    /** Unpacks the reports ZIP into {@code dir}, refusing any entry that would land outside it. */
    static int unzip(InputStream zip, Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        Files.createDirectories(root);
        int n = 0;
        try (ZipInputStream in = new ZipInputStream(zip)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                Path dest = root.resolve(e.getName()).normalize();
                if (!dest.startsWith(root) || dest.equals(root)) {
                    throw new IOException("the reports hold an entry outside their folder: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(dest);
                } else {
                    Files.createDirectories(dest.getParent());
                    Files.copy(in, dest, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    n++;
                }
            }
        }
        return n;
    }

    private static Iterable<String> iterable(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
