package dev.pipelinex.runner;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.job.Workspaces;
import dev.pipelinex.repository.ProxySocket;
import dev.pipelinex.repository.RepositoryProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs each stage in a fresh, hardened container of the runner image: UID 10001, read-only
 * root, tmpfs {@code /tmp}, every capability dropped, no new privileges, memory, CPU and pids
 * limits, and no network ({@code none}: only loopback). Its Maven reaches only the server's
 * {@link RepositoryProxy}, through a Unix socket of the stage's own bound in at
 * {@value #REPOSITORY_SOCKET}. The container only sees the job's project, its output folders,
 * installed scripts (read-only), its own repository and the shared cache (read-only).
 */
public final class DockerRunner implements Runner {

    private static final Logger LOG = Logger.getLogger(DockerRunner.class.getName());

    public static final String JOB_LABEL = "pipelinex.job";
    public static final String NODE_LABEL = "pipelinex.node";
    /** Where operator data for the scanners appears inside a stage container. */
    static final String ADVISORIES = "/opt/pipelinex/data/advisories";
    static final String SECRET_RULES = "/opt/pipelinex/data/secret-rules";
    static final String UID = StageUser.OWNER;
    /** Where a stage finds the repository proxy's socket. */
    static final String REPOSITORY_SOCKET = "/job/repository.sock";

    private final DockerClient docker;
    private final DockerSettings settings;
    private final RepositoryProxy proxy;
    private final ResolveMemo memo;

    /**
     * @param proxy   the repository proxy every stage's Maven uses; its shared cache is mounted
     *                read-only at {@code /cache}
     * @param memoDir where remembered resolutions are kept (the server's own folder)
     */
    public DockerRunner(DockerClient docker, DockerSettings settings, RepositoryProxy proxy, java.nio.file.Path memoDir) {
        this.docker = docker;
        this.settings = settings;
        this.proxy = proxy;
        this.memo = new ResolveMemo(memoDir, List.of(proxy.cache()), "docker " + settings.image() + " " + proxy.describeUpstreams());
    }

    /** A client of the Engine API at {@code host} ({@code unix:///…} or {@code tcp://…}). */
    public static DockerClient client(String host) {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(host).build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(URI.create(host))
                .connectionTimeout(Duration.ofSeconds(10))
                .maxConnections(32)
                .build();
        return DockerClientImpl.getInstance(config, http);
    }

    /** True when the engine answers and has the runner image. */
    public static boolean available(DockerClient docker, String image) {
        try {
            docker.pingCmd().exec();
            docker.inspectImageCmd(image).exec();
            return true;
        } catch (RuntimeException e) {
            LOG.info("Docker runner not available (" + e.getMessage() + ")");
            return false;
        }
    }

    @Override
    public String name() {
        return "docker";
    }

    @Override
    public boolean buildsBesideResolve() {
        return true;
    }

    @Override
    public String problem() {
        try {
            docker.pingCmd().exec();
        } catch (RuntimeException e) {
            return "the Docker engine at " + settings.host() + " does not answer: " + e.getMessage();
        }
        try {
            docker.inspectImageCmd(settings.image()).exec();
        } catch (RuntimeException e) {
            return "the runner image " + settings.image() + " is missing (pipelines/runner/build-image.sh)";
        }
        return null;
    }

    /** The image label that lists its JDKs, {@code 17=/usr/lib/jvm/…,25=/opt/pipelinex/jdk-25}. */
    static final String JDKS_LABEL = "pipelinex.jdks";

    private volatile JavaHomes javaHomes;

    /**
     * The JDKs of the runner image, from its {@code pipelinex.jdks} label (build-image.sh writes
     * it); an image without the label has its {@code JAVA_HOME}, taken as Java 17.
     */
    @Override
    public JavaHomes javaHomes() {
        JavaHomes known = javaHomes;
        if (known != null) {
            return known;
        }
        try {
            var config = docker.inspectImageCmd(settings.image()).exec().getConfig();
            Map<String, String> labels = config == null || config.getLabels() == null ? Map.of() : config.getLabels();
            JavaHomes homes = JavaHomes.parse(labels.get(JDKS_LABEL));
            if (homes.all().isEmpty() && config != null && config.getEnv() != null) {
                for (String e : config.getEnv()) {
                    if (e.startsWith("JAVA_HOME=")) {
                        homes = new JavaHomes(Map.of(17, e.substring("JAVA_HOME=".length())));
                    }
                }
            }
            javaHomes = homes;
            return homes;
        } catch (RuntimeException e) {
            LOG.warning("cannot read the JDKs of " + settings.image() + ": " + e.getMessage());
            return new JavaHomes(Map.of());
        }
    }

    @Override
    public StageRun run(StageCommand cmd) throws InterruptedException {
        return cmd.resolve() ? memo.resolve(cmd, () -> runContainer(cmd)) : runContainer(cmd);
    }

    /** Runs the stage in a container of its own, removed whatever happens. */
    private StageRun runContainer(StageCommand cmd) throws InterruptedException {
        Workspace ws = cmd.workspace();
        long start = System.nanoTime();
        prepare(cmd);
        boolean timedOut = false;
        int exit = -1;
        String id = null;
        try (StageOutput log = new StageOutput(cmd);
             ProxySocket socket = proxy.open(log::note);
             ResultCallback.Adapter<Frame> logs = new ResultCallback.Adapter<>() {
                 @Override
                 public void onNext(Frame frame) {
                     try {
                         log.write(frame.getPayload());
                     } catch (IOException e) {
                         throw new UncheckedIOException(e);
                     }
                 }
             }) {
            id = create(cmd, socket.path());
            docker.startContainerCmd(id).exec();
            docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(true).exec(logs);
            try {
                exit = docker.waitContainerCmd(id).exec(new WaitContainerResultCallback())
                        .awaitStatusCode(cmd.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (DockerClientException e) {
                if (e.getCause() instanceof InterruptedException interrupted) {
                    // docker-java wraps the interrupt; pass it on (the finally removes the container by force).
                    throw interrupted;
                }
                timedOut = true;
                kill(id);
            }
            logs.awaitCompletion(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + cmd.log() + ": " + e.getMessage(), e);
        } finally {
            if (id != null) {
                remove(id);
            }
        }
        return new StageRun(exit, timedOut, (System.nanoTime() - start) / 1_000_000);
    }

    /** The container of one stage, created but not started; {@code socket} is its repository proxy's. */
    String create(StageCommand cmd, java.nio.file.Path socket) {
        Workspace ws = cmd.workspace();
        // Of the job, the container sees its project (writable only as the Maven stages' working
        // copy), its scripts and the server's signals read-only, and its own output folders.
        List<Bind> binds = new ArrayList<>(List.of(
                new Bind(cmd.appDir().toString(), new Volume("/job/source"), cmd.project().writable() ? AccessMode.rw : AccessMode.ro),
                new Bind(ws.pipelines().toString(), new Volume("/job/pipelines"), AccessMode.ro)));
        if (Files.isDirectory(ws.control())) {
            binds.add(new Bind(ws.control().toString(), new Volume("/job/control"), AccessMode.ro));
        }
        for (String stage : cmd.writes()) {
            binds.add(new Bind(ws.output(stage).toString(), new Volume("/job/reports/" + stage), AccessMode.rw));
        }
        // A build beside resolve never sees the job's repository that resolve is filling: it has
        // one in its own tmpfs, with the shared cache behind it.
        if (!cmd.besideResolve()) {
            binds.add(new Bind(ws.mavenRepository().toString(), new Volume("/job/m2"), AccessMode.rw));
        }
        if (socket != null) {
            binds.add(new Bind(socket.toString(), new Volume(REPOSITORY_SOCKET), AccessMode.rw));
        }
        List<String> env = new ArrayList<>(List.of(
                "APP_DIR=/job/source",
                "PIPELINES_DIR=/job/pipelines/" + cmd.stackId(),
                "REPORTS_DIR=/job/reports",
                "STAGE=" + cmd.stage(),
                "JOB_ID=" + ws.jobId(),
                "PIPELINEX_CONTROL_DIR=/job/control",
                "HOME=/tmp",
                "MAVEN_REPO_LOCAL=" + (cmd.besideResolve() ? StageCommand.PRIVATE_REPOSITORY : "/job/m2")));
        if (socket != null) {
            env.add("PIPELINEX_REPOSITORY_SOCKET=" + REPOSITORY_SOCKET);
        }
        if (Files.isDirectory(proxy.cache())) {
            binds.add(new Bind(proxy.cache().toString(), new Volume("/cache"), AccessMode.ro));
            env.add("MAVEN_REPO_TAIL=/cache");
        }
        cmd.env().forEach((k, v) -> env.add(k + "=" + v));
        // The scanners are in the image; the operator's data for them is mounted read-only.
        if (settings.advisoriesDir() != null && Files.isDirectory(settings.advisoriesDir())) {
            binds.add(new Bind(settings.advisoriesDir().toString(), new Volume(ADVISORIES), AccessMode.ro));
            env.add("PIPELINEX_ADVISORIES=" + ADVISORIES);
        }
        if (settings.secretRulesDir() != null && Files.isDirectory(settings.secretRulesDir())) {
            binds.add(new Bind(settings.secretRulesDir().toString(), new Volume(SECRET_RULES), AccessMode.ro));
            env.add("PIPELINEX_SECRET_RULES=" + SECRET_RULES);
        }
        HostConfig host = HostConfig.newHostConfig()
                .withNetworkMode("none")
                .withReadonlyRootfs(true)
                .withTmpFs(Map.of("/tmp", "rw,exec,nosuid,nodev,size=" + settings.tmpfsBytes()))
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withMemory(settings.memoryBytes())
                .withMemorySwap(settings.memoryBytes())
                .withNanoCPUs((long) (settings.cpus() * 1_000_000_000L))
                // Background stages (the scanners) weigh a quarter of the default 1024 when the CPU is contended.
                .withCpuShares(cmd.background() ? 256 : 1024)
                .withPidsLimit(settings.pids())
                .withBinds(binds);
        CreateContainerResponse c = docker.createContainerCmd(settings.image())
                .withName("pipelinex-" + ws.jobId() + "-" + cmd.stage())
                .withUser(UID)
                .withWorkingDir("/job")
                .withEnv(env)
                .withLabels(Map.of(JOB_LABEL, ws.jobId(), NODE_LABEL, settings.node(), "pipelinex.stage", cmd.stage()))
                .withCmd("bash", "/job/pipelines/" + cmd.stackId() + "/" + cmd.stage() + ".sh")
                .withHostConfig(host)
                .exec();
        return c.getId();
    }

    /** Makes the stage's output folders and the job's repository, and hands them (not what is in them) to UID 10001. */
    private static void prepare(StageCommand cmd) {
        Workspace ws = cmd.workspace();
        List<String> dirs = new ArrayList<>();
        try {
            Files.createDirectories(ws.mavenRepository());
            dirs.add(ws.mavenRepository().toString());
            for (String stage : cmd.writes()) {
                Files.createDirectories(ws.output(stage));
                dirs.add(ws.output(stage).toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StageUser.chown(dirs, false);
    }

    /** Before the job's first stage, while none of its processes runs: its working copy goes to UID 10001. */
    @Override
    public void prepareJob(Workspace ws) {
        StageUser.chown(List.of(ws.work().toString()), true);
    }

    @Override
    public void finish(Workspace workspace) {
        Workspaces.deleteTree(workspace.mavenRepository());
    }

    /** Removes the containers a crashed run of this node left behind; returns how many. */
    @Override
    public int removeOrphans() {
        List<Container> left = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(NODE_LABEL, settings.node())).exec();
        for (Container c : left) {
            LOG.warning("removing container " + c.getId() + " left by an earlier run (job "
                    + c.getLabels().get(JOB_LABEL) + ")");
            remove(c.getId());
        }
        return left.size();
    }

    /** Kills and removes every container of the job ({@value #JOB_LABEL} label) on this node's engine. */
    @Override
    public void cancel(Workspace workspace) {
        List<Container> left = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(JOB_LABEL, workspace.jobId())).exec();
        for (Container c : left) {
            LOG.info("removing container " + c.getId() + " of cancelled job " + workspace.jobId());
            remove(c.getId());
        }
    }

    private void kill(String id) {
        try {
            docker.killContainerCmd(id).exec();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "kill of " + id + " failed (it may have ended)", e);
        }
    }

    private void remove(String id) {
        try {
            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // already gone
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot remove container " + id, e);
        }
    }
}
