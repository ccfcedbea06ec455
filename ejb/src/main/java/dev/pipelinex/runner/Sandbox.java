package dev.pipelinex.runner;

import dev.pipelinex.pipeline.Stage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The local runner's sandbox: bubblewrap ({@code bwrap}) around each stage. The stage runs as
 * UID 10001 in a user namespace of its own, with its own PID, IPC and host-name namespaces, a
 * read-only view of the system folders and of the tools it needs (Maven, the scanners, the
 * JDKs, the shared Maven caches), a private {@code /tmp}, and only its job's project, reports
 * and Maven repository writable. Every stage but {@code resolve} runs without network.
 * Nothing else of the machine (other jobs, the server's configuration) is visible inside.
 */
public final class Sandbox {

    private static final Logger LOG = Logger.getLogger(Sandbox.class.getName());
    public static final int UID = 10001;
    private static final List<String> SYSTEM = List.of("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/opt");

    /** The folders of a job that its stages write: the project, the reports, the job's Maven repository. */
    static final List<String> WRITABLE = List.of("source", "reports", "m2");

    private final String bwrap;
    private final Set<Path> readOnly;

    /**
     * @param bwrap    the bubblewrap program
     * @param readOnly folders outside the system ones that stages read (tool homes, caches)
     */
    public Sandbox(String bwrap, Collection<Path> readOnly) {
        this.bwrap = bwrap;
        this.readOnly = new LinkedHashSet<>(readOnly);
    }

    /**
     * A sandbox when bubblewrap is installed and the kernel lets it make a user namespace here;
     * empty otherwise, with the reason logged as a warning a person will see.
     */
    public static java.util.Optional<Sandbox> detect(Collection<Path> readOnly) {
        String bwrap = "/usr/bin/bwrap";
        if (!Files.isExecutable(Path.of(bwrap))) {
            LOG.severe("THE LOCAL RUNNER IS NOT SANDBOXED: bubblewrap is not installed (apt-get install bubblewrap). "
                    + "Stages run with the server's own user and rights; use it only for projects you trust, "
                    + "or the Docker runner.");
            return java.util.Optional.empty();
        }
        Sandbox sandbox = new Sandbox(bwrap, readOnly);
        String problem = sandbox.probe();
        if (problem != null) {
            LOG.severe("THE LOCAL RUNNER IS NOT SANDBOXED: bubblewrap cannot start a sandbox on this machine ("
                    + problem + "). Stages run with the server's own user and rights; use it only for projects "
                    + "you trust, or the Docker runner.");
            return java.util.Optional.empty();
        }
        LOG.info("the local runner runs each stage in a bubblewrap sandbox (UID " + UID
                + ", read-only system, only the job's project, reports and Maven repository writable, no network but for resolve)");
        return java.util.Optional.of(sandbox);
    }

    /** Starts {@code true} in a sandbox like a stage's; null when that works, else what went wrong. */
    String probe() {
        try {
            Path dir = Files.createTempDirectory("pipelinex-sandbox-probe");
            try {
                List<String> cmd = new ArrayList<>(command(dir, "probe", List.of("true")));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return "the probe did not end within 10 s";
                }
                String out = new String(p.getInputStream().readAllBytes()).trim();
                return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out;
            } finally {
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The command that runs {@code command} for {@code stage} of the job whose folder is {@code jobDir}. */
    public List<String> command(Path jobDir, String stage, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of(bwrap,
                "--unshare-user", "--uid", Integer.toString(UID), "--gid", Integer.toString(UID),
                "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--hostname", "pipelinex-stage", "--die-with-parent", "--new-session"));
        if (!Stage.RESOLVE.id().equals(stage)) {
            cmd.add("--unshare-net");
        }
        for (String dir : SYSTEM) {
            Path p = Path.of(dir);
            if (Files.isSymbolicLink(p)) {
                try {
                    cmd.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), dir));
                } catch (IOException e) {
                    // an unreadable link is left out
                }
            } else if (Files.isDirectory(p)) {
                cmd.addAll(List.of("--ro-bind", dir, dir));
            }
        }
        cmd.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"));
        for (Path p : readOnly) {
            if (Files.exists(p) && !underSystem(p)) {
                cmd.addAll(List.of("--ro-bind", p.toString(), p.toString()));
            }
        }
        // The job's folder is read-only (its metadata and state are the server's); its project,
        // reports and Maven repository are the stage's to write.
        cmd.addAll(List.of("--ro-bind", jobDir.toString(), jobDir.toString()));
        for (String writable : WRITABLE) {
            Path p = jobDir.resolve(writable);
            if (Files.isDirectory(p)) {
                cmd.addAll(List.of("--bind", p.toString(), p.toString()));
            }
        }
        cmd.addAll(List.of("--chdir", jobDir.toString()));
        cmd.addAll(command);
        return cmd;
    }

    private static boolean underSystem(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        return SYSTEM.stream().map(Path::of).anyMatch(abs::startsWith);
    }
}
