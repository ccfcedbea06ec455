package dev.pipelinex.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Runs stage scripts as child processes of the server, each in a process group of its own so
 * that the whole tree (Maven, forked test JVMs, anything they spawned) is killed at the end.
 * It isolates nothing: use it for trusted projects and development.
 */
public final class LocalRunner implements Runner {

    private static final Logger LOG = Logger.getLogger(LocalRunner.class.getName());

    private final Map<String, String> extraEnv;

    /** @param extraEnv variables passed to every stage, e.g. {@code MAVEN_HOME}, {@code MAVEN_REPO_LOCAL} */
    public LocalRunner(Map<String, String> extraEnv) {
        this.extraEnv = Map.copyOf(extraEnv);
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public StageRun run(StageCommand cmd) throws InterruptedException {
        Path log = cmd.log();
        long start = System.nanoTime();
        Process process;
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(List.of("setsid", "bash", cmd.script().toString()))
                    .directory(cmd.workspace().dir().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Map<String, String> env = pb.environment();
            env.putAll(extraEnv);
            env.put("APP_DIR", cmd.workspace().source().toString());
            env.put("PIPELINES_DIR", cmd.pipelineDir().toString());
            env.put("REPORTS_DIR", cmd.workspace().reports().toString());
            env.put("STAGE", cmd.stage());
            env.put("JOB_ID", cmd.workspace().jobId());
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start stage " + cmd.stage() + ": " + e.getMessage(), e);
        }
        boolean finished = false;
        try {
            finished = process.waitFor(cmd.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            // Whatever happened (deadline, interrupt, normal end), nothing the stage started survives it.
            killTree(process);
        }
        long took = (System.nanoTime() - start) / 1_000_000;
        if (!finished) {
            process.waitFor(10, TimeUnit.SECONDS);
            return new StageRun(-1, true, took);
        }
        return new StageRun(process.exitValue(), false, took);
    }

    static void killTree(Process process) {
        long pgid = process.pid();
        List<ProcessHandle> descendants = process.descendants().toList();
        try {
            new ProcessBuilder("kill", "-KILL", "--", "-" + pgid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            LOG.warning("cannot signal process group " + pgid + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Processes that left the group with a setsid of their own are still our descendants.
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
