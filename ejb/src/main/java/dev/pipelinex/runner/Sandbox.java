package dev.pipelinex.runner;

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
 * UID 10001 in a user namespace of its own (the server's own UID outside), or, when the server
 * runs as root, as the host's UID 10001 ({@link StageUser}) with no capability, so that nothing
 * in it has more rights outside than an unprivileged user. It has its own PID, IPC, mount and
 * host-name namespaces, a
 * read-only view of the system folders (of /etc only what programs need) and of the tools it
 * needs (Maven, the scanners, the JDKs, the shared Maven caches), a private {@code /tmp}, an
 * empty environment but for what the runner passes, and of its job only the folders its
 * command names. No stage has a network (a network namespace of its own, with only loopback):
 * dependencies come through the repository proxy's socket, bound in at {@link #REPOSITORY_SOCKET}.
 * Nothing else of the machine (other jobs, the server's configuration, the job's state and
 * reports) is visible inside.
 */
public final class Sandbox {

    private static final Logger LOG = Logger.getLogger(Sandbox.class.getName());
    public static final int UID = StageUser.UID;
    /** Where a stage finds the repository proxy's socket. */
    public static final String REPOSITORY_SOCKET = "/run/pipelinex/repository.sock";
    private static final List<String> SYSTEM = List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/opt");
    /** What of /etc a stage sees: the dynamic linker's cache, users and groups by name, time zone, certificates, the JDKs' and Maven's own files. */
    static final List<String> ETC = List.of("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/passwd",
            "/etc/group", "/etc/nsswitch.conf", "/etc/hosts", "/etc/resolv.conf", "/etc/host.conf", "/etc/gai.conf", "/etc/localtime", "/etc/timezone", "/etc/ssl",
            "/etc/ca-certificates", "/etc/java-17-openjdk", "/etc/java-21-openjdk", "/etc/java-25-openjdk",
            "/etc/alternatives", "/etc/maven", "/etc/mavenrc", "/etc/debian_version", "/etc/os-release");

    private static final String SETPRIV = "/usr/bin/setpriv";

    private final String bwrap;
    private final Set<Path> readOnly;
    private final boolean asRoot;

    /**
     * A sandbox for a server that does not run as root.
     *
     * @param bwrap    the bubblewrap program
     * @param readOnly folders outside the system ones that stages read (tool homes, caches)
     */
    public Sandbox(String bwrap, Collection<Path> readOnly) {
        this(bwrap, readOnly, false);
    }

    /**
     * @param asRoot whether the server runs as root: bubblewrap then makes no user namespace
     *               (inside one, UID 10001 would be root outside) and the stage's command starts
     *               as the host's UID 10001 through {@code setpriv}, every capability dropped
     */
    public Sandbox(String bwrap, Collection<Path> readOnly, boolean asRoot) {
        this.bwrap = bwrap;
        this.readOnly = new LinkedHashSet<>(readOnly);
        this.asRoot = asRoot;
    }

    /** Whether stages run as the host's UID 10001, whose folders the runner must hand to it. */
    public boolean asRoot() {
        return asRoot;
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
        boolean root = StageUser.serverIsRoot();
        if (root && !Files.isExecutable(Path.of(SETPRIV))) {
            LOG.severe("THE LOCAL RUNNER IS NOT SANDBOXED: the server runs as root and " + SETPRIV
                    + " (util-linux) is missing, so a stage cannot be started as an unprivileged user. "
                    + "Stages run with the server's own user and rights; use it only for projects you trust, "
                    + "or the Docker runner.");
            return java.util.Optional.empty();
        }
        Sandbox sandbox = new Sandbox(bwrap, readOnly, root);
        String problem = sandbox.probe();
        if (problem != null) {
            LOG.severe("THE LOCAL RUNNER IS NOT SANDBOXED: bubblewrap cannot start a sandbox on this machine ("
                    + problem + "). Stages run with the server's own user and rights; use it only for projects "
                    + "you trust, or the Docker runner.");
            return java.util.Optional.empty();
        }
        LOG.info("the local runner runs each stage in a bubblewrap sandbox (UID " + UID
                + (root ? " of the host, no capability" : " in a user namespace") + ", read-only system, only the job's project, reports and Maven repository writable, no network: "
                + "dependencies through the repository proxy)");
        return java.util.Optional.of(sandbox);
    }

    /** Starts {@code true} in a sandbox like a stage's; null when that works, else what went wrong. */
    String probe() {
        try {
            Path dir = Files.createTempDirectory("pipelinex-sandbox-probe");
            try {
                List<String> cmd = new ArrayList<>(command(List.of(new Mount(dir, true)), dir, null, List.of("true")));
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

    /** A folder of the job's that a stage sees at the same path, writable or not. */
    public record Mount(Path path, boolean writable) {
    }

    /**
     * The command that runs {@code command} in a sandbox that sees the system folders and the
     * tools read-only, a private {@code /tmp}, and of the job only {@code mounts}: never the
     * job's folder as a whole (its state, metadata, reports and logs are the server's), no
     * network, and the repository proxy's socket {@code repositorySocket} (when not null) at
     * {@link #REPOSITORY_SOCKET}.
     */
    public List<String> command(List<Mount> mounts, Path chdir, Path repositorySocket, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of(bwrap));
        if (!asRoot) {
            cmd.addAll(List.of("--unshare-user", "--uid", Integer.toString(UID), "--gid", Integer.toString(UID)));
        }
        cmd.addAll(List.of("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--unshare-net", "--hostname", "pipelinex-stage", "--die-with-parent", "--new-session"));
        List<String> binds = new ArrayList<>();
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
        // Of /etc only what programs need to start, resolve names and trust certificates: not
        // shadow, not the server's or anyone's configuration.
        for (String etc : ETC) {
            if (Files.exists(Path.of(etc))) {
                binds.addAll(List.of("--ro-bind", etc, etc));
            }
        }
        cmd.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"));
        for (Path p : readOnly) {
            if (Files.exists(p) && !underSystem(p)) {
                binds.addAll(List.of("--ro-bind", p.toString(), p.toString()));
            }
        }
        for (Mount m : mounts) {
            if (Files.isDirectory(m.path())) {
                binds.addAll(List.of(m.writable() ? "--bind" : "--ro-bind", m.path().toString(), m.path().toString()));
            }
        }
        if (repositorySocket != null) {
            binds.addAll(List.of("--bind", repositorySocket.toString(), REPOSITORY_SOCKET));
        }
        // The folders above each bound path are the sandbox's own, made open to the stage's user
        // (as root, bubblewrap would copy the host's modes: a stage could not pass /root).
        Set<String> parents = new java.util.TreeSet<>();
        for (int i = 0; i + 2 < binds.size(); i += 3) {
            for (Path p = Path.of(binds.get(i + 2)).getParent(); p != null && p.getParent() != null; p = p.getParent()) {
                if (!underSystem(p)) {
                    parents.add(p.toString());
                }
            }
        }
        for (String dir : parents) {
            cmd.addAll(List.of("--perms", "0755", "--dir", dir));
        }
        cmd.addAll(binds);
        cmd.addAll(List.of("--chdir", chdir.toString()));
        if (asRoot) {
            cmd.addAll(List.of("--", SETPRIV, "--reuid=" + UID, "--regid=" + UID, "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"));
        }
        cmd.addAll(command);
        return cmd;
    }

    private static boolean underSystem(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        return SYSTEM.stream().map(Path::of).anyMatch(abs::startsWith);
    }
}
