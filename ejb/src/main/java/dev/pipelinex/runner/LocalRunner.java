package dev.pipelinex.runner;

import dev.pipelinex.job.Workspace;
import dev.pipelinex.repository.ProxySocket;
import dev.pipelinex.repository.RepositoryProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Runs stage scripts as child processes of the server, each in a process group of its own so
 * that the whole tree (Maven, forked test JVMs, anything they spawned) is killed at the end.
 * With a {@link Sandbox} (bubblewrap), each stage is confined to its job's folders, as UID
 * 10001, without network: its Maven reaches only the server's {@link RepositoryProxy}, through
 * a socket of the stage's own, and the job gets a Maven repository of its own that reads the
 * shared cache (the proxy's, read-only) behind it. Without one it isolates nothing: Maven uses
 * the server's network and repository; use it for trusted projects and development.
 */
public final class LocalRunner implements Runner {

    private static final Logger LOG = Logger.getLogger(LocalRunner.class.getName());

    /** Every stage process and its descendants carry this variable, naming the node that ran them. */
    static final String NODE_VARIABLE = "PIPELINEX_NODE";
    /**
     * The niceness of background stages (the scanners), so that the build and tests go first:
     * weight 272 against 1024, about the quarter the Docker runner gives (CPU shares 256). Much
     * less starves a scanner that holds one of the job's stage slots.
     */
    static final int BACKGROUND_NICENESS = 6;

    private final Map<String, String> extraEnv;
    private final String node;
    private final JavaHomes javaHomes;
    private final Sandbox sandbox;
    private final RepositoryProxy proxy;
    private final ResolveMemo memo;
    private final StageCgroups cgroups;

    /**
     * @param extraEnv variables passed to every stage, e.g. {@code MAVEN_HOME}, {@code MAVEN_REPO_LOCAL}
     * @param node     this node's name, by which processes a crashed run left are found again
     */
    public LocalRunner(Map<String, String> extraEnv, String node) {
        this(extraEnv, node, new JavaHomes(Map.of()));
    }

    /** @param javaHomes the JDKs of this machine that stages may use */
    public LocalRunner(Map<String, String> extraEnv, String node, JavaHomes javaHomes) {
        this(extraEnv, node, javaHomes, null, null, null);
    }

    /**
     * @param sandbox the sandbox every stage runs in, or null for none
     * @param proxy   the repository proxy a sandboxed stage's Maven uses, whose shared cache it
     *                reads; null only without a sandbox
     * @param memoDir where remembered resolutions are kept (the server's own folder)
     */
    public LocalRunner(Map<String, String> extraEnv, String node, JavaHomes javaHomes, Sandbox sandbox, RepositoryProxy proxy,
                       Path memoDir) {
        this(extraEnv, node, javaHomes, sandbox, proxy, memoDir, null);
    }

    /** @param cgroups the memory and process limits of each stage, or null for none */
    public LocalRunner(Map<String, String> extraEnv, String node, JavaHomes javaHomes, Sandbox sandbox, RepositoryProxy proxy,
                       Path memoDir, StageCgroups cgroups) {
        this.cgroups = cgroups;
        this.extraEnv = Map.copyOf(extraEnv);
        this.node = node;
        this.javaHomes = javaHomes;
        this.sandbox = sandbox;
        this.proxy = proxy;
        // Only a sandboxed job has a repository of its own, reading the cache behind it.
        this.memo = sandbox == null || proxy == null ? null
                : new ResolveMemo(memoDir, List.of(proxy.cache()),
                        "local " + new TreeMap<>(this.extraEnv) + " " + proxy.describeUpstreams());
    }

    public boolean sandboxed() {
        return sandbox != null;
    }

    /** Only a sandboxed job has a repository of its own, which a build beside resolve must not read. */
    @Override
    public boolean buildsBesideResolve() {
        return memo != null;
    }

    @Override
    public JavaHomes javaHomes() {
        return javaHomes;
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public StageRun run(StageCommand cmd) throws InterruptedException {
        return memo != null && cmd.resolve() ? memo.resolve(cmd, () -> runProcess(cmd)) : runProcess(cmd);
    }

    /** Runs the stage's script as a process tree of its own, killed whatever happens. */
    private StageRun runProcess(StageCommand cmd) throws InterruptedException {
        long start = System.nanoTime();
        Process process;
        StageOutput output = null;
        ProxySocket socket = null;
        StageCgroups.Group group = null;
        try {
            Workspace ws = cmd.workspace();
            List<String> handed = new java.util.ArrayList<>();
            for (String stage : cmd.writes()) {
                Files.createDirectories(ws.output(stage));
                handed.add(ws.output(stage).toString());
            }
            List<String> command = new java.util.ArrayList<>(List.of("setsid"));
            if (cmd.background()) {
                command.addAll(List.of("nice", "-n", String.valueOf(BACKGROUND_NICENESS)));
            }
            List<String> script = List.of("bash", cmd.script().toString());
            output = new StageOutput(cmd);
            if (sandbox != null) {
                Files.createDirectories(ws.mavenRepository());
                handed.add(ws.mavenRepository().toString());
                if (sandbox.asRoot()) {
                    // The folders themselves, not what is in them (the stage's user made that).
                    StageUser.chown(handed, false);
                }
                if (proxy != null) {
                    socket = proxy.open(output::note);
                }
                command.addAll(sandbox.command(mounts(cmd), cmd.appDir(), socket == null ? null : socket.path(), script));
            } else {
                command.addAll(script);
            }
            if (cgroups != null) {
                group = cgroups.create(ws.jobId() + "-" + cmd.stage() + "-" + Long.toHexString(System.nanoTime()));
                command = group.wrap(command);
            }
            ProcessBuilder pb = new ProcessBuilder(command)
                    .directory(cmd.appDir().toFile())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Map<String, String> env = pb.environment();
            // Nothing of the server's own environment (passwords, tokens, DOCKER_HOST) reaches a stage.
            env.clear();
            env.putAll(baseEnvironment());
            env.putAll(extraEnv);
            env.putAll(cmd.env());
            env.put("APP_DIR", cmd.appDir().toString());
            env.put("PIPELINES_DIR", cmd.pipelineDir().toString());
            env.put("REPORTS_DIR", ws.outputs().toString());
            env.put("STAGE", cmd.stage());
            env.put("JOB_ID", ws.jobId());
            env.put("PIPELINEX_CONTROL_DIR", ws.control().toString());
            env.put(NODE_VARIABLE, node);
            if (sandbox != null) {
                sandboxRepositories(cmd, env);
                if (socket != null) {
                    env.put("PIPELINEX_REPOSITORY_SOCKET", Sandbox.REPOSITORY_SOCKET);
                }
            }
            if (cmd.background()) {
                // Niceness counts only inside a session's autogroup, and each stage is a session
                // of its own: stage.sh gives its autogroup the same niceness.
                env.put("PIPELINEX_NICENESS", String.valueOf(BACKGROUND_NICENESS));
            }
            process = pb.start();
        } catch (IOException | RuntimeException e) {
            if (group != null) {
                group.close();
            }
            closeQuietly(socket, output);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot start stage " + cmd.stage() + ": " + e.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
        StageOutput log = output;
        Thread copier = new Thread(() -> copy(process, log), "pipelinex-output-" + cmd.workspace().jobId() + "-" + cmd.stage());
        copier.setDaemon(true);
        copier.start();
        boolean finished = false;
        try {
            finished = process.waitFor(cmd.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            // Whatever happened (deadline, interrupt, normal end), nothing the stage started survives it.
            killTree(process);
            java.util.Optional<String> reached = java.util.Optional.empty();
            if (group != null) {
                reached = group.limitsReached(cgroups.limits());
                group.close();
            }
            copier.join(10_000);
            reached.ifPresent(log::note);
            closeQuietly(socket, output);
        }
        long took = (System.nanoTime() - start) / 1_000_000;
        if (!finished) {
            process.waitFor(10, TimeUnit.SECONDS);
            return new StageRun(-1, true, took);
        }
        return new StageRun(process.exitValue(), false, took);
    }

    /** The stage's repository socket (its summary goes into the log), then the log. */
    private static void closeQuietly(ProxySocket socket, StageOutput output) {
        if (socket != null) {
            socket.close();
        }
        if (output != null) {
            try {
                output.close();
            } catch (IOException e) {
                LOG.warning("cannot close the log of a stage: " + e.getMessage());
            }
        }
    }

    /** The process's output into the stage's log, until every process holding the pipe is gone. */
    private static void copy(Process process, StageOutput output) {
        try (var in = process.getInputStream()) {
            in.transferTo(output);
        } catch (IOException e) {
            LOG.fine("stage output ended: " + e.getMessage());
        }
    }

    /**
     * What every stage starts from instead of the server's environment: a search path, a home,
     * a locale, and the server's JDK unless the job's command names one.
     */
    private Map<String, String> baseEnvironment() {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        env.put("HOME", sandbox != null ? "/tmp" : System.getProperty("user.home"));
        env.put("LANG", "C.UTF-8");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        return env;
    }

    /** What of the job a sandboxed stage sees: its project, its scripts (read-only), its output folders, its Maven repository. */
    private static List<Sandbox.Mount> mounts(StageCommand cmd) {
        Workspace ws = cmd.workspace();
        List<Sandbox.Mount> mounts = new java.util.ArrayList<>(List.of(
                new Sandbox.Mount(cmd.appDir(), cmd.project().writable()),
                new Sandbox.Mount(ws.pipelines(), false),
                new Sandbox.Mount(ws.control(), false)));
        for (String stage : cmd.writes()) {
            mounts.add(new Sandbox.Mount(ws.output(stage), true));
        }
        if (!cmd.besideResolve()) {
            mounts.add(new Sandbox.Mount(ws.mavenRepository(), true));
        }
        return mounts;
    }

    /**
     * A sandboxed job writes its own Maven repository and reads, after it, the shared cache
     * (read-only; what the proxy fetched for any job). Never the server's own repository: what
     * it holds was not checked by the proxy. A build beside resolve has a repository in the
     * sandbox's private {@code /tmp} instead.
     */
    private void sandboxRepositories(StageCommand cmd, Map<String, String> env) {
        env.put("MAVEN_REPO_LOCAL", cmd.besideResolve() ? StageCommand.PRIVATE_REPOSITORY : cmd.workspace().mavenRepository().toString());
        if (proxy != null && Files.isDirectory(proxy.cache())) {
            env.put("MAVEN_REPO_TAIL", proxy.cache().toString());
        } else {
            env.remove("MAVEN_REPO_TAIL");
        }
    }

    /** Before the job's first stage, while none of its processes runs: as root, its working copy goes to UID 10001. */
    @Override
    public void prepareJob(Workspace ws) {
        if (sandbox != null && sandbox.asRoot()) {
            StageUser.chown(List.of(ws.work().toString()), true);
        }
    }

    @Override
    public void finish(dev.pipelinex.job.Workspace workspace) {
        if (sandbox != null) {
            dev.pipelinex.job.Workspaces.deleteTree(workspace.mavenRepository());
        }
    }

    /**
     * Kills the stage processes that a crashed run of this node left (they outlive the server:
     * each stage has a session of its own). They are known by {@value #NODE_VARIABLE} in their
     * environment; at start-up no stage of this run exists yet.
     */
    @Override
    public int removeOrphans() {
        int killed = killMarked(List.of(("\0" + NODE_VARIABLE + "=" + node + "\0").getBytes(StandardCharsets.UTF_8)));
        if (killed > 0) {
            LOG.warning("killed " + killed + " stage processes left by an earlier run of node " + node);
        }
        return killed;
    }

    /**
     * Kills every stage process of this node for the job (its {@code JOB_ID} and
     * {@value #NODE_VARIABLE} in the environment), whatever session it moved to.
     */
    @Override
    public void cancel(Workspace workspace) {
        int killed = killMarked(List.of(
                ("\0" + NODE_VARIABLE + "=" + node + "\0").getBytes(StandardCharsets.UTF_8),
                ("\0JOB_ID=" + workspace.jobId() + "\0").getBytes(StandardCharsets.UTF_8)));
        if (killed > 0) {
            LOG.info("killed " + killed + " remaining processes of cancelled job " + workspace.jobId());
        }
    }

    /** Kills the processes (not this server) whose environment has every one of {@code markers}. */
    private static int killMarked(List<byte[]> markers) {
        long self = ProcessHandle.current().pid();
        int killed = 0;
        for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
            if (p.pid() == self) {
                continue;
            }
            byte[] env;
            try {
                // A leading NUL so that the first variable matches like the others.
                byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ"));
                env = new byte[raw.length + 1];
                System.arraycopy(raw, 0, env, 1, raw.length);
            } catch (IOException | RuntimeException e) {
                continue; // gone, or not ours to read
            }
            if (markers.stream().allMatch(m -> contains(env, m)) && !dying(p.pid()) && p.destroyForcibly()) {
                killed++;
            }
        }
        return killed;
    }

    /**
     * True for a process already on its way out: a zombie, or one with SIGKILL pending (a process
     * group just killed can still be listed, and its environment read, for some milliseconds).
     */
    static boolean dying(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state) of proc(5); field 31 is the bitmap of pending signals.
            long pending = Long.parseLong(f[28]);
            return f[0].equals("Z") || f[0].equals("X") || (pending & (1L << 8)) != 0;
        } catch (IOException | RuntimeException e) {
            return true; // gone
        }
    }

    private static boolean contains(byte[] data, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= data.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (data[i + j] != part[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
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
