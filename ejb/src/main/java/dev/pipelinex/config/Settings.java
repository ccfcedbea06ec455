package dev.pipelinex.config;

import dev.pipelinex.intake.GitPolicy;
import dev.pipelinex.intake.IntakeLimits;
import dev.pipelinex.job.Workspaces;
import com.github.dockerjava.api.DockerClient;
import dev.pipelinex.runner.DockerRunner;
import dev.pipelinex.runner.DockerSettings;
import dev.pipelinex.runner.JavaHomes;
import dev.pipelinex.runner.LocalRunner;
import dev.pipelinex.runner.StageCgroups;
import dev.pipelinex.runner.Runner;
import dev.pipelinex.repository.MavenCentral;
import dev.pipelinex.repository.RepositoryProxy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Every setting of PipelineX, read through MicroProfile Config (system properties, environment
 * variables such as {@code PIPELINEX_WORKSPACES}, …). Names, defaults and meanings are listed in
 * docs/configuration.md, which ConfigurationDocTest keeps complete.
 */
@ApplicationScoped
public class Settings {

    private static final Logger LOG = Logger.getLogger(Settings.class.getName());
    public static final String WORKSPACES = "pipelinex.workspaces";

    private Config config() {
        return ConfigProvider.getConfig(Settings.class.getClassLoader());
    }

    private <T> T get(String name, Class<T> type, T fallback) {
        return config().getOptionalValue(name, type).orElse(fallback);
    }

    public Workspaces workspaces() {
        String dataDir = System.getProperty("jboss.server.data.dir", System.getProperty("java.io.tmpdir"));
        String fallback = Path.of(dataDir, "pipelinex", "workspaces").toString();
        return new Workspaces(Path.of(get(WORKSPACES, String.class, fallback)));
    }

    public IntakeLimits intakeLimits() {
        IntakeLimits d = IntakeLimits.DEFAULTS;
        return new IntakeLimits(
                get("pipelinex.intake.max-upload-bytes", Long.class, d.maxUploadBytes()),
                get("pipelinex.intake.max-files", Integer.class, d.maxFiles()),
                get("pipelinex.intake.max-unpacked-bytes", Long.class, d.maxUnpackedBytes()),
                get("pipelinex.intake.max-depth", Integer.class, d.maxDepth()),
                get("pipelinex.intake.clone-timeout-seconds", Integer.class, d.cloneTimeoutSeconds()));
    }

    public GitPolicy gitPolicy() {
        String hosts = get("pipelinex.git.allowed-hosts", String.class, "github.com");
        return new GitPolicy(Set.of(hosts.split(",")), get("pipelinex.git.allow-http", Boolean.class, false),
                get("pipelinex.git.allow-private-addresses", Boolean.class, false));
    }

    /**
     * The signer of API tokens, from the key store that wildfly/configure.sh made
     * ({@code pipelinex.tokens.keystore} and {@code pipelinex.tokens.keystore-password}).
     */
    public dev.pipelinex.access.TokenIssuer tokenIssuer() {
        String file = config().getOptionalValue("pipelinex.tokens.keystore", String.class)
                .orElseThrow(() -> new IllegalStateException("pipelinex.tokens.keystore is not set: "
                        + "configure the server with wildfly/configure.sh"));
        String password = get("pipelinex.tokens.keystore-password", String.class, "");
        return dev.pipelinex.access.TokenIssuer.fromKeyStore(Path.of(file), password.toCharArray());
    }

    /** The longest lifetime a token may be given ({@code pipelinex.tokens.max-days}, default 90). */
    public int tokenMaxDays() {
        return Math.max(1, get("pipelinex.tokens.max-days", Integer.class, 90));
    }

    public Duration stageTimeout() {
        return Duration.ofSeconds(get("pipelinex.stage.timeout-seconds", Long.class, 1800L));
    }

    /** Most bytes of each stage log; past it the stage's output is discarded ({@code pipelinex.stage.max-log-bytes}, default 64 MiB). */
    public long maxLogBytes() {
        return Math.max(4096L, get("pipelinex.stage.max-log-bytes", Long.class, 64L << 20));
    }

    /** Most bytes a running job's folder may take ({@code pipelinex.job.max-disk-bytes}, default 4 GiB; 0: no limit). */
    public long maxDiskBytes() {
        return Math.max(0L, get("pipelinex.job.max-disk-bytes", Long.class, 4L << 30));
    }

    /** Most jobs of one account QUEUED at once before its new ones get 429 ({@code pipelinex.account.max-queued}, default 50; 0: no limit). */
    public int maxQueuedPerAccount() {
        return get("pipelinex.account.max-queued", Integer.class, 50);
    }

    /** Jobs this node runs at once ({@code pipelinex.concurrency}, default 2): the job listener's sessions. */
    public int concurrency() {
        return Math.max(1, get("pipelinex.concurrency", Integer.class, 2));
    }

    /**
     * Most jobs of one account running at once while another account's job waits
     * ({@code pipelinex.account.max-running}; default the concurrency less one, at least 1, so
     * that one account never holds the last worker of a node against a waiting newcomer; 0: no limit).
     */
    public int maxRunningPerAccount() {
        return get("pipelinex.account.max-running", Integer.class, Math.max(1, concurrency() - 1));
    }

    /**
     * The throttle of failed sign-ins ({@code pipelinex.signin.*}): per account, 5 free failures,
     * locked at 20 for 300 s; per address, 25 free and locked at 100.
     */
    public dev.pipelinex.access.SignInThrottle signInThrottle() {
        Duration lock = Duration.ofSeconds(get("pipelinex.signin.lock-seconds", Integer.class, 300));
        return new dev.pipelinex.access.SignInThrottle(
                new dev.pipelinex.access.SignInThrottle.Limits(get("pipelinex.signin.free-failures", Integer.class, 5),
                        get("pipelinex.signin.lock-failures", Integer.class, 20), lock),
                new dev.pipelinex.access.SignInThrottle.Limits(get("pipelinex.signin.address-free-failures", Integer.class, 25),
                        get("pipelinex.signin.address-lock-failures", Integer.class, 100), lock));
    }

    /** Most event streams open on a node at once ({@code pipelinex.events.max-streams}, default 200; 0: no limit). */
    public int maxEventStreams() {
        return get("pipelinex.events.max-streams", Integer.class, 200);
    }

    /** Most event streams one account may have open on a node ({@code pipelinex.events.max-streams-per-account}, default 20; 0: no limit). */
    public int maxEventStreamsPerAccount() {
        return get("pipelinex.events.max-streams-per-account", Integer.class, 20);
    }

    /**
     * How long an event stream's reader may leave an event unread before the stream is dropped
     * ({@code pipelinex.events.send-timeout-seconds}, default 30).
     */
    public Duration eventSendTimeout() {
        return Duration.ofSeconds(Math.max(1, get("pipelinex.events.send-timeout-seconds", Integer.class, 30)));
    }

    /** Most jobs QUEUED at once before new ones get 429 ({@code pipelinex.queue.max-queued}, default 100; 0: no limit). */
    public int maxQueued() {
        return get("pipelinex.queue.max-queued", Integer.class, 100);
    }

    /**
     * Free bytes the workspace disk must keep for new jobs to be taken
     * ({@code pipelinex.workspaces.min-free-bytes}, default 2 GiB; 0: not checked).
     */
    public long minFreeBytes() {
        return get("pipelinex.workspaces.min-free-bytes", Long.class, 2L << 30);
    }

    /**
     * How long a finished job's workspace is kept after it ended ({@code pipelinex.retention.max-age},
     * an ISO-8601 duration, default {@code P7D}).
     */
    public Duration retentionMaxAge() {
        return Duration.parse(get("pipelinex.retention.max-age", String.class, "P7D").trim());
    }

    /** How often old workspaces are looked for ({@code pipelinex.retention.interval}, default {@code PT1H}; {@code PT0S}: never). */
    public Duration retentionInterval() {
        return Duration.parse(get("pipelinex.retention.interval", String.class, "PT1H").trim());
    }

    /** How many stages of one job may run at the same time ({@code pipelinex.stage.parallelism}, default 2). */
    public int stageParallelism() {
        return Math.max(1, get("pipelinex.stage.parallelism", Integer.class, 2));
    }

    /**
     * Whether the build stage may run the tests in its own Maven run when the test stage is on
     * ({@code pipelinex.stage.tests-in-build}, default true): the project's lifecycle runs once.
     */
    public boolean testsInBuild() {
        return get("pipelinex.stage.tests-in-build", Boolean.class, true);
    }

    /**
     * Whether the build may start beside the resolve stage, on the shared cache and the proxy, where the
     * runner gives each job a Maven repository of its own ({@code pipelinex.stage.build-beside-resolve},
     * default true): it stands when resolve downloads nothing, else it is built again after resolve.
     */
    public boolean buildBesideResolve() {
        return get("pipelinex.stage.build-beside-resolve", Boolean.class, true);
    }

    /**
     * The folder of advisories imported from an OSV export ({@code pipelinex.advisories.dir});
     * the SCA stage uses them beside the curated snapshot the scanners carry, when it exists.
     */
    public Optional<Path> advisoriesDir() {
        return config().getOptionalValue("pipelinex.advisories.dir", String.class).filter(s -> !s.isBlank()).map(Path::of);
    }

    /** A folder of extra secret-scanning rule files, *.toml ({@code pipelinex.secrets.rules-dir}). */
    public Optional<Path> secretRulesDir() {
        return config().getOptionalValue("pipelinex.secrets.rules-dir", String.class).filter(s -> !s.isBlank()).map(Path::of);
    }

    /**
     * The runner named by {@code pipelinex.runner}: {@code docker}, {@code local}, or {@code auto}
     * (the default: docker when the engine answers and has the runner image, else local).
     */
    public Runner runner() {
        String wanted = get("pipelinex.runner", String.class, "auto").trim().toLowerCase(java.util.Locale.ROOT);
        DockerSettings docker = dockerSettings();
        RepositoryProxy proxy = repositoryProxy();
        Path memo = docker.mavenCache().resolve("proxy").resolve("resolved");
        Runner chosen = switch (wanted) {
            case "local" -> localRunner(proxy, memo);
            case "docker" -> new DockerRunner(DockerRunner.client(docker.host()), docker, proxy, memo);
            case "auto" -> {
                DockerClient client = DockerRunner.client(docker.host());
                if (DockerRunner.available(client, docker.image())) {
                    yield new DockerRunner(client, docker, proxy, memo);
                }
                closeQuietly(client);
                yield localRunner(proxy, memo);
            }
            default -> throw new IllegalStateException("pipelinex.runner must be docker, local or auto, not '"
                    + wanted + "'");
        };
        LOG.info("PipelineX runs stages with the " + chosen.name() + " runner (pipelinex.runner=" + wanted + ")");
        return chosen;
    }

    private static void closeQuietly(DockerClient client) {
        try {
            client.close();
        } catch (java.io.IOException e) {
            LOG.fine("closing an unused Docker client failed: " + e.getMessage());
        }
    }

    /**
     * The repository proxy, the one way stages get dependencies: under {@code pipelinex.maven.cache},
     * {@code repository/} is the shared cache it alone writes (read-only to stages) and
     * {@code proxy/} its own state (kept metadata, downloads, remembered resolutions), which no
     * stage sees. Its upstreams: {@code pipelinex.maven.mirror-url}, or else Maven Central
     * ({@code pipelinex.maven.central-url}, by default the address Maven's super POM names);
     * then {@code pipelinex.maven.repositories}.
     */
    public RepositoryProxy repositoryProxy() {
        Path root = dockerSettings().mavenCache();
        java.net.URI central = config().getOptionalValue("pipelinex.maven.central-url", String.class)
                .filter(v -> !v.isBlank()).map(java.net.URI::create).orElseGet(MavenCentral::url);
        List<java.net.URI> upstreams = RepositoryProxy.upstreams(central, get("pipelinex.maven.mirror-url", String.class, ""),
                get("pipelinex.maven.repositories", String.class, ""));
        Path cache = root.resolve("repository");
        try {
            java.nio.file.Files.createDirectories(cache);
            java.nio.file.Files.createDirectories(root.resolve("proxy"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot make the shared Maven cache " + cache + ": " + e.getMessage(), e);
        }
        if (java.nio.file.Files.isDirectory(root.resolve(".pipelinex"))) {
            LOG.warning("the shared Maven cache " + root + " holds files of an earlier PipelineX that took artifacts from jobs; "
                    + "they are no longer read (only " + cache + " is); delete everything in " + root
                    + " but repository/ and proxy/");
        }
        RepositoryProxy proxy = new RepositoryProxy(cache, root.resolve("proxy"), upstreams,
                java.time.Duration.ofMinutes(get("pipelinex.maven.metadata-ttl-minutes", Long.class, 30L)), 2L << 30);
        LOG.info("the repository proxy serves stages from " + proxy.describeUpstreams() + " into the shared cache " + cache);
        return proxy;
    }

    private Runner localRunner(RepositoryProxy proxy, Path memo) {
        Map<String, String> env = new HashMap<>();
        config().getOptionalValue("pipelinex.maven.home", String.class).ifPresent(v -> env.put("MAVEN_HOME", v));
        config().getOptionalValue("pipelinex.maven.repo", String.class).ifPresent(v -> env.put("MAVEN_REPO_LOCAL", v));
        config().getOptionalValue("pipelinex.scanners.home", String.class).ifPresent(v -> env.put("PIPELINEX_SCANNERS", v));
        advisoriesDir().ifPresent(p -> env.put("PIPELINEX_ADVISORIES", p.toString()));
        secretRulesDir().ifPresent(p -> env.put("PIPELINEX_SECRET_RULES", p.toString()));
        JavaHomes homes = localJavaHomes();
        String mode = get("pipelinex.local.sandbox", String.class, "auto").trim().toLowerCase(java.util.Locale.ROOT);
        StageCgroups cgroups = StageCgroups.detect(new StageCgroups.Limits(
                get("pipelinex.local.memory-mb", Long.class, 3072L) << 20,
                get("pipelinex.local.pids", Long.class, 1024L)), node()).orElse(null);
        if (mode.equals("none")) {
            LOG.severe("THE LOCAL RUNNER IS NOT SANDBOXED (pipelinex.local.sandbox=none): stages run with the "
                    + "server's own user and rights; use it only for projects you trust");
            return new LocalRunner(env, node(), homes, null, null, null, cgroups);
        }
        if (!mode.equals("auto") && !mode.equals("bwrap")) {
            throw new IllegalStateException("pipelinex.local.sandbox must be auto, bwrap or none, not '" + mode + "'");
        }
        List<Path> readable = new java.util.ArrayList<>();
        for (String name : List.of("MAVEN_HOME", "PIPELINEX_SCANNERS", "PIPELINEX_ADVISORIES", "PIPELINEX_SECRET_RULES")) {
            if (env.get(name) != null) {
                readable.add(Path.of(env.get(name)));
            }
        }
        readable.add(proxy.cache());
        homes.all().values().forEach(h -> readable.add(Path.of(h)));
        Optional<dev.pipelinex.runner.Sandbox> sandbox = dev.pipelinex.runner.Sandbox.detect(readable);
        if (sandbox.isEmpty() && mode.equals("bwrap")) {
            throw new IllegalStateException("pipelinex.local.sandbox=bwrap, and no bubblewrap sandbox can be made here");
        }
        if (sandbox.isEmpty()) {
            return new LocalRunner(env, node(), homes, null, null, null, cgroups);
        }
        // A sandboxed job has a repository of its own; the server's is never read (the proxy did not check it).
        env.remove("MAVEN_REPO_LOCAL");
        return new LocalRunner(env, node(), homes, sandbox.get(), proxy, memo, cgroups);
    }

    /**
     * The JDKs the local runner may use ({@code pipelinex.java.homes}, {@code 17=/path,25=/path});
     * by default those installed under /usr/lib/jvm, and the server's own JDK.
     */
    public JavaHomes localJavaHomes() {
        Optional<String> spec = config().getOptionalValue("pipelinex.java.homes", String.class).filter(s -> !s.isBlank());
        if (spec.isPresent()) {
            return JavaHomes.parse(spec.get());
        }
        Map<Integer, String> homes = new java.util.TreeMap<>(JavaHomes.detect(Path.of("/usr/lib/jvm")).all());
        homes.putIfAbsent(Runtime.version().feature(), System.getProperty("java.home"));
        return new JavaHomes(homes);
    }

    /** The Java releases a job may ask for ({@code pipelinex.java.versions}); served when a JDK of the runner is at least as new. */
    public List<String> javaVersions() {
        return List.of(get("pipelinex.java.versions", String.class, "17,21,25").split("\\s*,\\s*"));
    }

    /**
     * This node's identity for the stages it starts ({@code pipelinex.node}): by default the
     * server's node name and its workspace root, so that two servers on one host (a running
     * PipelineX and a test server) never take each other's stages for leftovers.
     */
    public String node() {
        return get("pipelinex.node", String.class,
                System.getProperty("jboss.node.name", "pipelinex") + "@" + workspaces().root());
    }

    public DockerSettings dockerSettings() {
        String dataDir = System.getProperty("jboss.server.data.dir", System.getProperty("java.io.tmpdir"));
        String defaultHost = System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock");
        return new DockerSettings(
                get("pipelinex.docker.host", String.class, defaultHost),
                get("pipelinex.docker.image", String.class, "pipelinex/runner-java17:latest"),
                get("pipelinex.docker.memory-mb", Long.class, 3072L) << 20,
                get("pipelinex.docker.cpus", Double.class, 2.0),
                get("pipelinex.docker.pids", Long.class, 1024L),
                get("pipelinex.docker.tmpfs-mb", Long.class, 1024L) << 20,
                Path.of(get("pipelinex.maven.cache", String.class, Path.of(dataDir, "pipelinex", "maven-cache").toString())),
                get("pipelinex.maven.mirror-url", String.class, ""),
                node(), advisoriesDir().orElse(null), secretRulesDir().orElse(null));
    }
}
