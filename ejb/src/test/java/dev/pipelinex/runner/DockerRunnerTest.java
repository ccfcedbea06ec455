package dev.pipelinex.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.job.Workspaces;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URI;
import dev.pipelinex.repository.RepositoryProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs DockerRunner with a real docker-java client against a fake Docker Engine API served on
 * loopback by the JDK's HttpServer, and checks what the runner asks the engine for.
 */
class DockerRunnerTest {

    private static final String STACK = "spring-boot-maven";
    private static final String IMAGE = "pipelinex/runner:test";
    private static final String NODE = "node-a";
    private static final String MIRROR = "https://mirror.example/maven2";
    private static final long MEMORY = 2L * 1024 * 1024 * 1024;
    private static final double CPUS = 1.5;
    private static final long PIDS = 256;
    private static final long TMPFS = 512L * 1024 * 1024;
    private static final String STDOUT = "hello from stage\n";
    private static final String STDERR = "warning on stderr\n";

    @TempDir
    Path tmp;

    private final ObjectMapper json = new ObjectMapper();
    private final FakeEngine engine = new FakeEngine();
    private DockerClient client;
    private Workspace ws;
    private Path cache;

    @BeforeEach
    void setUp() throws IOException {
        engine.start();
        client = DockerRunner.client("tcp://127.0.0.1:" + engine.port());
        ws = new Workspaces(tmp.resolve("workspaces")).create();
        Files.createDirectories(ws.pipelines().resolve(STACK));
        cache = tmp.resolve("maven").resolve("repository");
    }

    @AfterEach
    void tearDown() throws IOException {
        engine.releaseWaits();
        try {
            client.close();
        } finally {
            engine.stop();
        }
    }

    private DockerRunner runner() {
        DockerSettings settings = new DockerSettings("tcp://127.0.0.1:" + engine.port(), IMAGE, MEMORY, CPUS, PIDS,
                TMPFS, cache.getParent(), MIRROR, NODE);
        RepositoryProxy proxy = new RepositoryProxy(cache, tmp.resolve("proxy"), List.of(URI.create(MIRROR)),
                Duration.ofMinutes(30), 1 << 20);
        return new DockerRunner(client, settings, proxy, tmp.resolve("proxy").resolve("resolved"));
    }

    /** The binds but the repository socket's, which must be there once, read by the stage at its fixed place. */
    private static List<String> withoutSocket(List<String> binds) {
        List<String> sockets = binds.stream().filter(b -> b.endsWith(":" + DockerRunner.REPOSITORY_SOCKET + ":rw")).toList();
        assertEquals(1, sockets.size(), "one repository socket: " + binds);
        assertTrue(sockets.get(0).startsWith("/tmp/pipelinex-repo"), "a socket of the server's own folder: " + sockets);
        return binds.stream().filter(b -> !sockets.contains(b)).toList();
    }

    /** The stage's log as the worker leaves it before the runner starts: folder made, START line written. */
    private StageCommand stage(String name, Duration timeout) throws IOException {
        Files.createDirectories(ws.stageReports(name));
        Files.writeString(ws.stageLog(name), "[PIPELINE] START " + name + "\n");
        return new StageCommand(ws, STACK, name, timeout);
    }

    private JsonNode createBody() throws IOException {
        assertNotNull(engine.createBody, "the runner should have created a container");
        return json.readTree(engine.createBody);
    }

    private static List<String> strings(JsonNode array) {
        assertNotNull(array, "expected a JSON array");
        assertTrue(array.isArray(), "expected a JSON array: " + array);
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static int indexOf(List<String> requests, String method, String pathSuffix) {
        for (int i = 0; i < requests.size(); i++) {
            Request r = Request.parse(requests.get(i));
            if (r.method.equals(method) && r.path.endsWith(pathSuffix)) {
                return i;
            }
        }
        return -1;
    }

    private static Request find(List<String> requests, String method, String pathSuffix) {
        int i = indexOf(requests, method, pathSuffix);
        assertTrue(i >= 0, "expected a " + method + " …" + pathSuffix + " among " + requests);
        return Request.parse(requests.get(i));
    }

    /** The specification every stage container gets, whatever the stage. */
    private void assertCommonSpecification(JsonNode body, String stage) {
        assertEquals(IMAGE, body.path("Image").asText(), "the image of the settings should be used");
        assertEquals("10001:10001", body.path("User").asText(), "the container should run as UID 10001");
        assertEquals("/job", body.path("WorkingDir").asText(), "the working directory should be /job");
        assertEquals(List.of("bash", "/job/pipelines/" + STACK + "/" + stage + ".sh"), strings(body.get("Cmd")),
                "the stage script should be run with bash");
        List<String> env = strings(body.get("Env"));
        for (String v : List.of("APP_DIR=/job/source", "PIPELINES_DIR=/job/pipelines/" + STACK,
                "REPORTS_DIR=/job/reports", "MAVEN_REPO_LOCAL=/job/m2", "STAGE=" + stage, "JOB_ID=" + ws.jobId())) {
            assertTrue(env.contains(v), "the environment should contain " + v + ": " + env);
        }
        JsonNode labels = body.path("Labels");
        assertEquals(ws.jobId(), labels.path("pipelinex.job").asText(), "the job label: " + labels);
        assertEquals(NODE, labels.path("pipelinex.node").asText(), "the node label: " + labels);

        JsonNode host = body.path("HostConfig");
        assertTrue(host.path("ReadonlyRootfs").asBoolean(false), "the root file system should be read-only: " + host);
        assertEquals(List.of("ALL"), strings(host.get("CapDrop")), "every capability should be dropped");
        assertEquals(List.of("no-new-privileges"), strings(host.get("SecurityOpt")), "no new privileges");
        assertEquals(MEMORY, host.path("Memory").asLong(), "the memory limit");
        assertEquals(MEMORY, host.path("MemorySwap").asLong(), "memory+swap equals memory: no swap");
        assertEquals(1_500_000_000L, host.path("NanoCpus").asLong(), "the CPU limit in nano CPUs");
        assertEquals(PIDS, host.path("PidsLimit").asLong(), "the pids limit");
        JsonNode tmpfs = host.path("Tmpfs");
        assertEquals(1, tmpfs.size(), "only /tmp should be a tmpfs: " + tmpfs);
        assertTrue(tmpfs.path("/tmp").asText().contains("size=" + TMPFS), "the /tmp tmpfs should be limited: " + tmpfs);
    }

    /** A Maven stage's mounts: the job's working copy, its scripts, its own output folder (never the server's reports), its repository. */
    private List<String> expectedBinds(String stage, boolean withCache) {
        List<String> binds = new ArrayList<>(List.of(
                ws.work() + ":/job/source:rw",
                ws.pipelines() + ":/job/pipelines:ro",
                ws.output(stage) + ":/job/reports/" + stage + ":rw",
                ws.dir().resolve("m2") + ":/job/m2:rw"));
        if (withCache) {
            binds.add(cache + ":/cache:ro");
        }
        return binds;
    }

    @Test
    void buildStageRunsOfflineInAHardenedContainerAndStreamsItsLog() throws Exception {
        Files.createDirectories(cache);
        StageRun run = runner().run(stage("build", Duration.ofSeconds(30)));

        assertEquals(0, run.exitCode(), "the container's status code should be returned");
        assertFalse(run.timedOut(), "a stage that ends in time has not timed out");

        JsonNode body = createBody();
        assertCommonSpecification(body, "build");
        List<String> env = strings(body.get("Env"));
        assertTrue(env.contains("PIPELINEX_REPOSITORY_SOCKET=" + DockerRunner.REPOSITORY_SOCKET), "Maven reaches the proxy: " + env);
        assertTrue(env.contains("MAVEN_REPO_TAIL=/cache"), "the existing cache should be Maven's tail: " + env);
        assertTrue(env.stream().noneMatch(v -> v.startsWith("MAVEN_MIRROR_URL=")), "no stage knows an upstream: " + env);
        JsonNode host = body.path("HostConfig");
        assertEquals("none", host.path("NetworkMode").asText(), "build should have no network");
        assertEquals(1024, host.path("CpuShares").asInt(), "the build has the default CPU weight: " + host);
        assertEquals(Set.copyOf(expectedBinds("build", true)), Set.copyOf(withoutSocket(strings(host.get("Binds")))), "the mounts");
        assertEquals(6, host.get("Binds").size(), "no other mounts: " + host.get("Binds"));
        assertEquals("pipelinex-" + ws.jobId() + "-build", engine.createName, "the container name");

        assertEquals("[PIPELINE] START build\n" + STDOUT + STDERR, Files.readString(ws.stageLog("build")),
                "stdout and stderr should be appended to the stage log");

        List<String> requests = engine.requests();
        int create = indexOf(requests, "POST", "/containers/create");
        int start = indexOf(requests, "POST", "/containers/c1/start");
        int logs = indexOf(requests, "GET", "/containers/c1/logs");
        int wait = indexOf(requests, "POST", "/containers/c1/wait");
        int delete = indexOf(requests, "DELETE", "/containers/c1");
        assertTrue(create >= 0 && start > create && wait > start && delete > wait && delete > logs && logs > start,
                "create, start, wait, then delete: " + requests);
        assertEquals(-1, indexOf(requests, "POST", "/containers/c1/kill"), "a stage that ends is not killed: " + requests);
        Map<String, String> q = find(requests, "DELETE", "/containers/c1").query;
        assertEquals("true", q.get("force"), "the container should be removed by force: " + q);
        Map<String, String> lq = find(requests, "GET", "/containers/c1/logs").query;
        assertEquals("true", lq.get("follow"), "the log should be followed: " + lq);
        assertEquals("true", lq.get("stdout"), "stdout should be logged: " + lq);
        assertEquals("true", lq.get("stderr"), "stderr should be logged: " + lq);
    }

    @Test
    void aBuildBesideResolveHasARepositoryOfItsOwnInItsTmpfs() throws Exception {
        Files.createDirectories(cache);
        StageCommand plain = stage("build", Duration.ofSeconds(30));
        assertTrue(runner().buildsBesideResolve(), "every job has a repository of its own");
        runner().run(new StageCommand(ws, STACK, "build", plain.timeout(), Map.of(), true));

        JsonNode body = createBody();
        List<String> env = strings(body.get("Env"));
        assertTrue(env.contains("MAVEN_REPO_LOCAL=/tmp/pipelinex-m2"), "a repository in the container's tmpfs: " + env);
        assertTrue(env.contains("MAVEN_REPO_TAIL=/cache"), "on the cache: " + env);
        JsonNode host = body.path("HostConfig");
        assertEquals("none", host.path("NetworkMode").asText(), "no network");
        List<String> binds = withoutSocket(strings(host.get("Binds")));
        assertTrue(binds.stream().noneMatch(b -> b.contains(":/job/m2:")), "the job's repository, which resolve fills, is not mounted: " + binds);
        assertEquals(Set.of(ws.work() + ":/job/source:rw", ws.pipelines() + ":/job/pipelines:ro",
                ws.output("build") + ":/job/reports/build:rw", cache + ":/cache:ro"), Set.copyOf(binds), "the mounts");
    }

    @Test
    void aScannerSeesTheProjectReadOnlyAndWritesOnlyItsOwnOutputFolder() throws Exception {
        Files.createDirectories(cache);
        runner().run(stage("secrets", Duration.ofSeconds(30)));
        List<String> binds = strings(createBody().path("HostConfig").get("Binds"));
        assertTrue(binds.contains(ws.source() + ":/job/source:ro"), "the project as admitted, read-only: " + binds);
        assertTrue(binds.contains(ws.output("secrets") + ":/job/reports/secrets:rw"), "its own output folder: " + binds);
        assertTrue(binds.stream().noneMatch(b -> b.startsWith(ws.reports().toString()) || b.startsWith(ws.work().toString())),
                "neither the server's reports nor the build's working copy: " + binds);
    }

    @Test
    void theServersEnvironmentDoesNotReachAStage() throws Exception {
        runner().run(stage("build", Duration.ofSeconds(30)));
        List<String> env = strings(createBody().get("Env"));
        for (String v : env) {
            String name = v.substring(0, v.indexOf('='));
            assertTrue(ALLOWED_ENV.contains(name), "only the runner contract's variables reach a stage, not " + name + ": " + env);
        }
    }

    /** What a container's environment may hold: the runner contract, Maven's settings, the scanners' data, the job's own options. */
    static final Set<String> ALLOWED_ENV = Set.of("APP_DIR", "PIPELINES_DIR", "REPORTS_DIR", "STAGE", "JOB_ID",
            "PIPELINEX_CONTROL_DIR", "HOME", "MAVEN_REPO_LOCAL", "PIPELINEX_REPOSITORY_SOCKET", "MAVEN_REPO_TAIL",
            "PIPELINEX_ADVISORIES", "PIPELINEX_SECRET_RULES");

    @Test
    void scannersWeighLessThanTheBuildWhenTheCpuIsContended() throws Exception {
        Files.createDirectories(cache);
        runner().run(stage("sast", Duration.ofSeconds(30)));
        assertEquals(256, createBody().path("HostConfig").path("CpuShares").asInt(), "a background stage's CPU weight");
    }

    @Test
    void resolveHasNoNetworkEitherOnlyTheRepositorySocket() throws Exception {
        // No cache folder: no /cache mount and no tail.
        StageRun run = runner().run(stage("resolve", Duration.ofSeconds(30)));

        assertEquals(0, run.exitCode(), "the container's status code should be returned");
        assertFalse(run.timedOut(), "a stage that ends in time has not timed out");
        JsonNode body = createBody();
        assertCommonSpecification(body, "resolve");
        List<String> env = strings(body.get("Env"));
        assertTrue(env.contains("PIPELINEX_REPOSITORY_SOCKET=" + DockerRunner.REPOSITORY_SOCKET), "Maven reaches the proxy: " + env);
        assertTrue(env.stream().noneMatch(v -> v.startsWith("MAVEN_MIRROR_URL=")), "the upstreams are the proxy's: " + env);
        assertTrue(env.stream().noneMatch(v -> v.startsWith("MAVEN_REPO_TAIL=")), "no cache, no tail: " + env);
        JsonNode host = body.path("HostConfig");
        assertEquals("none", host.path("NetworkMode").asText(), "resolve has no network");
        assertEquals(Set.copyOf(expectedBinds("resolve", false)), Set.copyOf(withoutSocket(strings(host.get("Binds")))), "the mounts");
        assertEquals(5, host.get("Binds").size(), "no cache mount without a cache folder: " + host.get("Binds"));
        assertEquals("pipelinex-" + ws.jobId() + "-resolve", engine.createName, "the container name");
        assertTrue(indexOf(engine.requests(), "DELETE", "/containers/c1") >= 0, "the container should be removed");
    }

    @Test
    void whatAResolveLeftInItsRepositoryNeverReachesTheSharedCache() throws Exception {
        Files.createDirectories(cache);
        // A jar with a matching .sha1, as a hostile resolve writes it: once promoted, now ignored.
        Path dir = Files.createDirectories(ws.dir().resolve("m2/org/example/lib/1.0"));
        Files.writeString(dir.resolve("lib-1.0.jar"), "trojan bytes");
        Files.writeString(dir.resolve("lib-1.0.jar.sha1"), java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1").digest("trojan bytes".getBytes())));

        StageRun run = runner().run(stage("resolve", Duration.ofSeconds(30)));

        assertEquals(0, run.exitCode(), "the container's status code should be returned");
        try (var inCache = Files.walk(cache)) {
            assertEquals(List.of(cache), inCache.toList(), "only the proxy writes the shared cache");
        }
    }

    @Test
    void nonZeroStatusCodeIsTheExitCode() throws Exception {
        engine.exitCode = 3;
        StageRun run = runner().run(stage("test", Duration.ofSeconds(30)));

        assertEquals(3, run.exitCode(), "the container's status code should be returned");
        assertFalse(run.timedOut(), "a stage that ends in time has not timed out");
        List<String> requests = engine.requests();
        assertTrue(indexOf(requests, "DELETE", "/containers/c1") > indexOf(requests, "POST", "/containers/c1/wait"),
                "a failed stage's container should be removed too: " + requests);
    }

    @Test
    void stagePastItsDeadlineIsKilledAndRemoved() throws Exception {
        engine.waitNeverAnswers = true;
        StageRun run = runner().run(stage("test", Duration.ofSeconds(1)));

        assertTrue(run.timedOut(), "a stage past its deadline should be reported as timed out");
        assertTrue(run.durationMs() >= 1000 && run.durationMs() < 30_000,
                "the stage should be stopped at its 1 s deadline, took " + run.durationMs() + " ms");
        List<String> requests = engine.requests();
        int wait = indexOf(requests, "POST", "/containers/c1/wait");
        int kill = indexOf(requests, "POST", "/containers/c1/kill");
        int delete = indexOf(requests, "DELETE", "/containers/c1");
        assertTrue(wait >= 0 && kill > wait, "the container should be killed after its deadline: " + requests);
        assertTrue(delete > kill, "the killed container should be removed: " + requests);
        assertEquals("true", find(requests, "DELETE", "/containers/c1").query.get("force"), "removed by force");
    }

    @Test
    void interruptedRunRemovesTheContainerAndPassesTheInterruptOn() throws Exception {
        engine.waitNeverAnswers = true;
        StageCommand cmd = stage("sca", Duration.ofSeconds(120));
        DockerRunner runner = runner();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<StageRun> returned = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                returned.set(runner.run(cmd));
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        assertTrue(engine.waitArrived.await(30, TimeUnit.SECONDS), "the runner should wait for the container");
        t.interrupt();
        t.join(30_000);

        assertFalse(t.isAlive(), "run() should return soon after an interrupt");
        assertInstanceOf(InterruptedException.class, thrown.get(),
                "run() should throw InterruptedException when interrupted, not report " + returned.get());
        List<String> requests = engine.requests();
        int delete = indexOf(requests, "DELETE", "/containers/c1");
        assertTrue(delete > indexOf(requests, "POST", "/containers/c1/wait"),
                "the container of an interrupted run should be removed: " + requests);
        assertEquals("true", find(requests, "DELETE", "/containers/c1").query.get("force"), "removed by force");
    }

    @Test
    void cancelKillsAndRemovesEveryContainerOfTheJob() throws Exception {
        runner().cancel(ws);

        List<String> requests = engine.requests();
        Request list = find(requests, "GET", "/containers/json");
        JsonNode labels = json.readTree(list.query.get("filters")).path("label");
        assertEquals(List.of("pipelinex.job=" + ws.jobId()), strings(labels), "only the job's containers: " + list.query);
        assertEquals("true", list.query.get("all"), "stopped containers too: " + list.query);
        for (String id : List.of("o1", "o2")) {
            Request delete = find(requests, "DELETE", "/containers/" + id);
            assertEquals("true", delete.query.get("force"), "a running container is killed and removed: " + delete.query);
        }
    }

    @Test
    void removeOrphansRemovesEveryContainerOfThisNode() throws Exception {
        int removed = runner().removeOrphans();

        assertEquals(2, removed, "every listed container should be counted");
        List<String> requests = engine.requests();
        Request list = find(requests, "GET", "/containers/json");
        String filters = list.query.get("filters");
        assertNotNull(filters, "the list should be filtered: " + requests);
        JsonNode labels = json.readTree(filters).path("label");
        assertEquals(List.of("pipelinex.node=" + NODE), strings(labels), "only this node's containers: " + filters);
        assertEquals("true", list.query.get("all"), "stopped containers should be listed too: " + list.query);
        for (String id : List.of("o1", "o2")) {
            Request delete = find(requests, "DELETE", "/containers/" + id);
            assertEquals("true", delete.query.get("force"), "orphans should be removed by force: " + delete.query);
        }
    }

    @Test
    void orphanAlreadyGoneIsNotAnError() throws Exception {
        engine.goneContainers.add("o1");
        assertEquals(2, runner().removeOrphans(), "a container removed meanwhile still counts as listed");
        assertTrue(indexOf(engine.requests(), "DELETE", "/containers/o2") >= 0, "the other orphan should be removed");
    }

    /** One recorded request: method, raw path and decoded query. */
    private record Request(String method, String path, Map<String, String> query) {

        static Request parse(String line) {
            String[] parts = line.split(" ", 2);
            String target = parts[1];
            int q = target.indexOf('?');
            String path = q < 0 ? target : target.substring(0, q);
            Map<String, String> query = new LinkedHashMap<>();
            if (q >= 0) {
                for (String pair : target.substring(q + 1).split("&")) {
                    int eq = pair.indexOf('=');
                    String k = eq < 0 ? pair : pair.substring(0, eq);
                    String v = eq < 0 ? "" : pair.substring(eq + 1);
                    query.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
                }
            }
            return new Request(parts[0], path, query);
        }
    }

    /** A fake Docker Engine API: just the endpoints DockerRunner uses, every request recorded in order. */
    private static final class FakeEngine {

        private final List<String> requests = new CopyOnWriteArrayList<>();
        private final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch waitArrived = new CountDownLatch(1);
        final Set<String> goneContainers = java.util.Collections.synchronizedSet(new HashSet<>());
        private HttpServer server;
        private ExecutorService executor;
        volatile String createBody;
        volatile String createName;
        volatile int exitCode;
        volatile boolean waitNeverAnswers;

        void start() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            executor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "fake-docker-engine");
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(executor);
            server.createContext("/", this::handle);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        List<String> requests() {
            return List.copyOf(requests);
        }

        void releaseWaits() {
            release.countDown();
        }

        void stop() {
            server.stop(0);
            executor.shutdownNow();
        }

        private void handle(HttpExchange ex) throws IOException {
            try (ex) {
                String method = ex.getRequestMethod();
                String path = ex.getRequestURI().getRawPath();
                String query = ex.getRequestURI().getRawQuery();
                byte[] body = ex.getRequestBody().readAllBytes();
                requests.add(method + " " + path + (query == null ? "" : "?" + query));

                if (method.equals("GET") && path.endsWith("/_ping")) {
                    send(ex, 200, "text/plain", "OK".getBytes(StandardCharsets.US_ASCII));
                } else if (method.equals("POST") && path.endsWith("/containers/create")) {
                    createBody = new String(body, StandardCharsets.UTF_8);
                    createName = Request.parse("POST /?" + (query == null ? "" : query)).query.get("name");
                    send(ex, 201, "application/json", "{\"Id\":\"c1\",\"Warnings\":[]}".getBytes(StandardCharsets.UTF_8));
                } else if (method.equals("POST") && path.endsWith("/containers/c1/start")) {
                    ex.sendResponseHeaders(204, -1);
                } else if (method.equals("GET") && path.endsWith("/containers/c1/logs")) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    frame(out, 1, STDOUT);
                    frame(out, 2, STDERR);
                    send(ex, 200, "application/vnd.docker.raw-stream", out.toByteArray());
                } else if (method.equals("POST") && path.endsWith("/containers/c1/wait")) {
                    waitArrived.countDown();
                    if (waitNeverAnswers) {
                        try {
                            release.await(120, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return; // closing without an answer
                    }
                    send(ex, 200, "application/json",
                            ("{\"StatusCode\":" + exitCode + "}").getBytes(StandardCharsets.UTF_8));
                } else if (method.equals("POST") && path.endsWith("/containers/c1/kill")) {
                    ex.sendResponseHeaders(204, -1);
                } else if (method.equals("GET") && path.endsWith("/containers/json")) {
                    String list = "[{\"Id\":\"o1\",\"Names\":[\"/pipelinex-j1-build\"],\"Labels\":{\"pipelinex.job\":\"j1\","
                            + "\"pipelinex.node\":\"" + NODE + "\"}},"
                            + "{\"Id\":\"o2\",\"Names\":[\"/pipelinex-j2-test\"],\"Labels\":{\"pipelinex.job\":\"j2\","
                            + "\"pipelinex.node\":\"" + NODE + "\"}}]";
                    send(ex, 200, "application/json", list.getBytes(StandardCharsets.UTF_8));
                } else if (method.equals("DELETE") && path.matches(".*/containers/[^/]+")) {
                    String id = path.substring(path.lastIndexOf('/') + 1);
                    if (goneContainers.contains(id)) {
                        send(ex, 404, "application/json",
                                ("{\"message\":\"No such container: " + id + "\"}").getBytes(StandardCharsets.UTF_8));
                    } else {
                        ex.sendResponseHeaders(204, -1);
                    }
                } else {
                    send(ex, 404, "application/json", "{\"message\":\"not faked\"}".getBytes(StandardCharsets.UTF_8));
                }
            }
        }

        private static void frame(ByteArrayOutputStream out, int stream, String payload) {
            byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(ByteBuffer.allocate(8).put((byte) stream).put((byte) 0).put((byte) 0).put((byte) 0)
                    .putInt(bytes.length).array());
            out.writeBytes(bytes);
        }

        private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
            ex.getResponseHeaders().set("Content-Type", type);
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        }
    }
}
