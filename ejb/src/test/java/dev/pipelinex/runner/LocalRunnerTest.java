package dev.pipelinex.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.job.Workspace;
import dev.pipelinex.job.Workspaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs real stage scripts with bash and setsid. */
class LocalRunnerTest {

    private static final String STACK = "test-stack";

    @TempDir
    Path tmp;

    private Workspace ws;
    private final List<Path> pidFiles = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        ws = new Workspaces(tmp).create();
        Files.createDirectories(ws.work());
    }

    /** Kills, by pid, whatever a failed test's scripts may have left running. */
    @AfterEach
    void killLeftovers() throws IOException {
        for (Path f : pidFiles) {
            if (Files.isRegularFile(f)) {
                ProcessHandle.of(Long.parseLong(Files.readString(f).trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private StageCommand stage(String name, String script, Duration timeout) throws IOException {
        Path dir = Files.createDirectories(ws.pipelines().resolve(STACK));
        Files.writeString(dir.resolve(name + ".sh"), script);
        return new StageCommand(ws, STACK, name, timeout);
    }

    private Path pidFile(String name) {
        Path f = ws.outputs().resolve(name);
        pidFiles.add(f);
        return f;
    }

    private static long pid(Path file) throws IOException {
        assertTrue(Files.isRegularFile(file), "the script should have written " + file.getFileName());
        return Long.parseLong(Files.readString(file).trim());
    }

    /**
     * Whether {@code pid} is still a running process once the kernel has had up to 5 s to finish
     * killing it. SIGKILL is asynchronous: right after kill(2) returns, the target can still show as
     * running for a few milliseconds while the kernel tears it down (seen here: state R, then Z
     * 20 ms later). The scripts' processes are {@code sleep 300}, so one that was not killed is
     * still alive after the 5 s and the test fails. A killed process whose parent died stays a
     * zombie until PID 1 reaps it, and some container init processes never do;
     * ProcessHandle.isAlive() counts zombies as alive, so a zombie (state Z in /proc/<pid>/stat)
     * counts as dead here.
     */
    private static boolean alive(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (running(pid)) {
            if (System.nanoTime() > deadline) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static boolean running(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false; // gone between the two looks
        }
    }

    private static void waitFor(Path file) throws InterruptedException {
        for (int i = 0; i < 200 && !Files.isRegularFile(file); i++) {
            Thread.sleep(50);
        }
    }

    @Test
    void scriptGetsTheRunnerEnvironmentAndItsOutputIsAppendedToTheStageLog() throws Exception {
        StageCommand cmd = stage("build", """
                echo "APP_DIR=$APP_DIR"
                echo "PIPELINES_DIR=$PIPELINES_DIR"
                echo "REPORTS_DIR=$REPORTS_DIR"
                echo "STAGE=$STAGE"
                echo "JOB_ID=$JOB_ID"
                echo "MAVEN_HOME=$MAVEN_HOME"
                echo "PWD=$(pwd)"
                echo "NAMES=$(env | cut -d= -f1 | sort | tr '\\n' ' ')"
                read -r line; echo "stdin read status $?"
                echo "to stderr" >&2
                exit 3
                """, Duration.ofSeconds(30));
        Files.createDirectories(cmd.log().getParent());
        Files.writeString(cmd.log(), "[PIPELINE] START build\n");

        StageRun run = new LocalRunner(Map.of("MAVEN_HOME", "/opt/maven"), "test-node").run(cmd);

        assertEquals(3, run.exitCode(), "the script's exit code should be returned");
        assertFalse(run.timedOut(), "a script that ends in time has not timed out");
        String log = Files.readString(ws.stageLog("build"));
        assertTrue(log.startsWith("[PIPELINE] START build\n"), "output should be appended, not overwrite the log: " + log);
        for (String line : List.of("APP_DIR=" + ws.work(), "PIPELINES_DIR=" + ws.pipelines().resolve(STACK),
                "REPORTS_DIR=" + ws.outputs(), "STAGE=build", "JOB_ID=" + ws.jobId(), "MAVEN_HOME=/opt/maven",
                "PWD=" + ws.work().toRealPath(), "stdin read status 1", "to stderr")) {
            assertTrue(log.contains(line + "\n"), "the stage log should contain '" + line + "': " + log);
        }
        String names = log.lines().filter(l -> l.startsWith("NAMES=")).findFirst().orElseThrow().substring(6);
        java.util.Set<String> allowed = java.util.Set.of("APP_DIR", "PIPELINES_DIR", "REPORTS_DIR", "STAGE", "JOB_ID",
                "MAVEN_HOME", "PATH", "HOME", "LANG", "JAVA_HOME", "PIPELINEX_CONTROL_DIR", LocalRunner.NODE_VARIABLE,
                "PWD", "SHLVL", "_", "OLDPWD");
        for (String name : names.trim().split(" ")) {
            assertTrue(allowed.contains(name), "nothing of the server's environment reaches a stage, yet it had " + name + ": " + names);
        }
    }

    /** Where bubblewrap works here: a build beside resolve never touches the job's repository. */
    @Test
    void aSandboxedBuildBesideResolveHasARepositoryOfItsOwnBehindTheCache() throws Exception {
        Sandbox sandbox = new Sandbox("/usr/bin/bwrap", List.of());
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")) && sandbox.probe() == null,
                "bubblewrap works here");
        Path cache = Files.createDirectories(tmp.resolve("cache"));
        LocalRunner runner = new LocalRunner(Map.of(), "test-node", new JavaHomes(Map.of()), sandbox, proxy(cache, "http://127.0.0.1:9/"),
                tmp.resolve("resolved"));
        assertTrue(runner.buildsBesideResolve(), "a sandboxed job has a repository of its own");
        assertFalse(new LocalRunner(Map.of(), "test-node").buildsBesideResolve(), "without a sandbox stages share one");
        String script = """
                echo "local=$MAVEN_REPO_LOCAL tail=$MAVEN_REPO_TAIL socket=$PIPELINEX_REPOSITORY_SOCKET"
                mkdir -p "$MAVEN_REPO_LOCAL/g/a/1" && echo jar > "$MAVEN_REPO_LOCAL/g/a/1/a-1.jar"
                """;
        StageCommand plain = stage("build", script, Duration.ofSeconds(30));
        StageCommand beside = new StageCommand(ws, STACK, "build", plain.timeout(), Map.of(), true);

        assertEquals(0, runner.run(beside).exitCode(), () -> read(ws.stageLog("build")));
        assertTrue(read(ws.stageLog("build")).contains("local=" + StageCommand.PRIVATE_REPOSITORY + " tail=" + cache
                + " socket=" + Sandbox.REPOSITORY_SOCKET + "\n"), read(ws.stageLog("build")));
        assertFalse(Files.exists(ws.mavenRepository().resolve("g")), "the job's repository is left to resolve");

        assertEquals(0, runner.run(plain).exitCode(), () -> read(ws.stageLog("build")));
        assertTrue(read(ws.stageLog("build")).contains("local=" + ws.mavenRepository() + " tail="), read(ws.stageLog("build")));
        assertTrue(Files.exists(ws.mavenRepository().resolve("g/a/1/a-1.jar")), "other stages write the job's repository");
    }

    private static dev.pipelinex.repository.RepositoryProxy proxy(Path cache, String upstream) {
        return new dev.pipelinex.repository.RepositoryProxy(cache, cache.resolveSibling("proxy-state"),
                List.of(java.net.URI.create(upstream)), Duration.ofMinutes(30), 1 << 20);
    }

    /**
     * Where bubblewrap and socat work here: a sandboxed stage gets a file through the proxy's
     * socket, checked and kept by the server, and reaches nothing on the host's loopback itself.
     */
    @Test
    void aSandboxedStageReachesTheRepositoryProxyAndNothingElse() throws Exception {
        Sandbox sandbox = new Sandbox("/usr/bin/bwrap", List.of());
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")) && sandbox.probe() == null
                && Files.isExecutable(Path.of("/usr/bin/socat")), "bubblewrap and socat work here");
        com.sun.net.httpserver.HttpServer upstream = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        byte[] jar = "the jar".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        upstream.createContext("/", ex -> {
            String p = ex.getRequestURI().getPath();
            byte[] body = p.endsWith("/lib-1.0.jar") ? jar : p.endsWith("/lib-1.0.jar.sha1")
                    ? java.util.HexFormat.of().formatHex(sha1(jar)).getBytes() : null;
            ex.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        upstream.start();
        try {
            int port = upstream.getAddress().getPort();
            Path cache = Files.createDirectories(tmp.resolve("cache"));
            LocalRunner runner = new LocalRunner(Map.of(), "test-node", new JavaHomes(Map.of()), sandbox,
                    proxy(cache, "http://127.0.0.1:" + port + "/"), tmp.resolve("resolved"));
            String script = """
                    printf 'GET /org/example/lib/1.0/lib-1.0.jar HTTP/1.1\\r\\nConnection: close\\r\\n\\r\\n' \\
                      | socat - "UNIX-CONNECT:$PIPELINEX_REPOSITORY_SOCKET" | tail -c 7; echo
                    if (exec 3<>/dev/tcp/127.0.0.1/%d) 2>/dev/null; then echo "reached the host"; else echo "no route"; fi
                    """.formatted(port);
            assertEquals(0, runner.run(stage("build", script, Duration.ofSeconds(30))).exitCode(), () -> read(ws.stageLog("build")));
            String log = read(ws.stageLog("build"));
            assertTrue(log.contains("the jar\nno route\n"), log);
            assertTrue(log.contains("[repository] 1 files served"), "the stage's log says what it took: " + log);
            assertEquals("the jar", Files.readString(cache.resolve("org/example/lib/1.0/lib-1.0.jar")), "kept in the shared cache");
        } finally {
            upstream.stop(0);
        }
    }

    /**
     * As root, where bubblewrap, socat and control groups work here: the stage is the host's UID
     * 10001 and writes the job's folders it was handed, reaches the proxy's socket, and a stage
     * that forks past its limit is told so in its log.
     */
    @Test
    void asRootAStageIsAnUnprivilegedUserWithLimits() throws Exception {
        Sandbox sandbox = new Sandbox("/usr/bin/bwrap", List.of(), true);
        java.util.Optional<StageCgroups> cgroups = StageCgroups.detect(new StageCgroups.Limits(512L << 20, 40), StageCgroupsTest.ownNode());
        org.junit.jupiter.api.Assumptions.assumeTrue(StageUser.serverIsRoot() && Files.isExecutable(Path.of("/usr/bin/bwrap"))
                && sandbox.probe() == null && Files.isExecutable(Path.of("/usr/bin/socat")) && cgroups.isPresent(),
                "root, bubblewrap, socat and control groups here");
        Path cache = Files.createDirectories(tmp.resolve("cache"));
        LocalRunner runner = new LocalRunner(Map.of(), "test-node", new JavaHomes(Map.of()), sandbox,
                proxy(cache, "http://127.0.0.1:9/"), tmp.resolve("resolved"), cgroups.get());
        Files.writeString(ws.work().resolve("pom.xml"), "<project/>");
        runner.prepareJob(ws);
        String script = """
                id -u
                echo built > "$APP_DIR/target.txt" && echo wrote-work
                echo out > "$REPORTS_DIR/build/out.txt"
                printf 'GET /org/example/none/1/none-1.jar HTTP/1.1\r\nConnection: close\r\n\r\n' \
                  | socat - "UNIX-CONNECT:$PIPELINEX_REPOSITORY_SOCKET" | head -1
                dash -c 'i=0; while [ $i -lt 100 ]; do sleep 30 & i=$((i+1)); done' 2>/dev/null
                true
                """;
        assertEquals(0, runner.run(stage("build", script, Duration.ofSeconds(60))).exitCode(), () -> read(ws.stageLog("build")));
        String log = read(ws.stageLog("build"));
        assertTrue(log.startsWith("10001\nwrote-work\n") && log.contains("\nHTTP/1.1 502 "), "the proxy answered: " + log);
        assertEquals(10001, Files.getAttribute(ws.work().resolve("target.txt"), "unix:uid"));
        assertEquals(10001, Files.getAttribute(ws.output("build").resolve("out.txt"), "unix:uid"));
        assertTrue(log.contains("the stage reached its limit of 40 processes"), log);
        StageCgroupsTest.removeParents(cgroups.get());
    }

    private static byte[] sha1(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-1").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    @Test
    void successfulScriptReturnsZero() throws Exception {
        StageRun run = new LocalRunner(Map.of(), "test-node").run(stage("sast", "echo fine\n", Duration.ofSeconds(30)));
        assertEquals(0, run.exitCode(), "a script that succeeds should return 0");
        assertFalse(run.timedOut(), "a script that ends in time has not timed out");
        assertTrue(run.durationMs() >= 0 && run.durationMs() < 30_000, "the duration should be measured: " + run.durationMs());
        assertEquals("fine\n", Files.readString(ws.stageLog("sast")), "the log should hold the output");
    }

    @Test
    void scannersRunAtALowerPriorityThanTheBuild() throws Exception {
        LocalRunner runner = new LocalRunner(Map.of(), "test-node");
        runner.run(stage("build", "echo niceness $(nice)\n", Duration.ofSeconds(30)));
        runner.run(stage("secrets", "echo niceness $(nice)\n", Duration.ofSeconds(30)));
        int build = Integer.parseInt(Files.readString(ws.stageLog("build")).trim().replace("niceness ", ""));
        int secrets = Integer.parseInt(Files.readString(ws.stageLog("secrets")).trim().replace("niceness ", ""));
        assertEquals(Math.min(19, build + LocalRunner.BACKGROUND_NICENESS), secrets, "the scanner is nicer than the build");
    }

    @Test
    void missingScriptEndsWithBashsNotFoundCode() throws Exception {
        StageRun run = new LocalRunner(Map.of(), "test-node").run(new StageCommand(ws, STACK, "nothing", Duration.ofSeconds(30)));
        assertEquals(127, run.exitCode(), "bash should exit 127 for a missing script");
        assertTrue(Files.readString(ws.stageLog("nothing")).contains("nothing.sh"),
                "the log should name the missing script");
    }

    @Test
    void stagePastItsDeadlineIsKilledWithItsBackgroundGrandchildren() throws Exception {
        Path bg = pidFile("bg.pid");
        Path escaped = pidFile("escaped.pid");
        Path main = pidFile("main.pid");
        Path fg = pidFile("fg.pid");
        StageCommand cmd = stage("test", """
                sleep 300 &
                echo $! > "$REPORTS_DIR/bg.pid"
                setsid sleep 301 &
                echo $! > "$REPORTS_DIR/escaped.pid"
                echo $$ > "$REPORTS_DIR/main.pid"
                echo started
                sleep 302 &
                echo $! > "$REPORTS_DIR/fg.pid"
                wait $!
                echo "not reached"
                """, Duration.ofSeconds(2));

        StageRun run = new LocalRunner(Map.of(), "test-node").run(cmd);

        assertTrue(run.timedOut(), "a stage past its deadline should be reported as timed out");
        assertEquals(-1, run.exitCode(), "a timed-out stage has no exit code");
        assertTrue(run.durationMs() >= 2000 && run.durationMs() < 60_000,
                "the stage should be stopped at its 2 s deadline, took " + run.durationMs() + " ms");
        assertFalse(alive(pid(main)), "the stage script should be dead after run() returns");
        assertFalse(alive(pid(fg)), "the child the script waits for should be dead after run() returns");
        assertFalse(alive(pid(bg)), "the background grandchild should be dead after run() returns");
        assertFalse(alive(pid(escaped)), "a grandchild in a session of its own should be dead after run() returns");
        String log = Files.readString(ws.stageLog("test"));
        assertTrue(log.contains("started") && !log.contains("not reached"), "the script should have been cut off: " + log);
    }

    @Test
    void backgroundProcessesDoNotOutliveAStageThatEnds() throws Exception {
        Path bg = pidFile("bg.pid");
        StageCommand cmd = stage("secrets", """
                sleep 300 &
                echo $! > "$REPORTS_DIR/bg.pid"
                exit 0
                """, Duration.ofSeconds(30));
        StageRun run = new LocalRunner(Map.of(), "test-node").run(cmd);
        assertEquals(0, run.exitCode(), "the script should end with 0");
        assertFalse(alive(pid(bg)), "a background process should be killed when its stage ends");
    }

    @Test
    void interruptedRunKillsTheStageAndPassesTheInterruptOn() throws Exception {
        Path main = pidFile("main.pid");
        Path bg = pidFile("bg.pid");
        StageCommand cmd = stage("sca", """
                echo $$ > "$REPORTS_DIR/main.pid"
                sleep 300 &
                echo $! > "$REPORTS_DIR/bg.pid"
                exec sleep 301
                """, Duration.ofSeconds(120));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                new LocalRunner(Map.of(), "test-node").run(cmd);
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        waitFor(bg);
        t.interrupt();
        t.join(30_000);
        assertFalse(t.isAlive(), "run() should return soon after an interrupt");
        assertInstanceOf(InterruptedException.class, thrown.get(), "run() should throw InterruptedException when interrupted");
        assertFalse(alive(pid(main)), "the stage script should be killed when the run is interrupted");
        assertFalse(alive(pid(bg)), "the stage's background process should be killed when the run is interrupted");
    }

    @Test
    void cancelKillsTheJobsProcessesOfThisNodeOnly() throws Exception {
        String node = "node-" + java.util.UUID.randomUUID();
        ProcessBuilder stage = new ProcessBuilder("setsid", "sleep", "300");
        stage.environment().put(LocalRunner.NODE_VARIABLE, node);
        stage.environment().put("JOB_ID", ws.jobId());
        Process ours = stage.start();
        ProcessBuilder otherJob = new ProcessBuilder("setsid", "sleep", "300");
        otherJob.environment().put(LocalRunner.NODE_VARIABLE, node);
        otherJob.environment().put("JOB_ID", "another-job");
        Process theirs = otherJob.start();
        try {
            Thread.sleep(200); // until setsid has exec'd sleep with the environment
            new LocalRunner(Map.of(), node).cancel(ws);
            assertTrue(ours.waitFor(5, java.util.concurrent.TimeUnit.SECONDS), "the job's process should be dead");
            assertTrue(theirs.isAlive(), "another job's process must survive");
        } finally {
            ours.destroyForcibly();
            theirs.destroyForcibly();
        }
    }

    @Test
    void processesLeftByACrashedRunOfThisNodeAreKilledAndOthersAreNot() throws Exception {
        String node = "node-" + java.util.UUID.randomUUID();
        ProcessBuilder leftover = new ProcessBuilder("setsid", "sleep", "300");
        leftover.environment().put(LocalRunner.NODE_VARIABLE, node);
        Process ours = leftover.start();
        ProcessBuilder other = new ProcessBuilder("setsid", "sleep", "300");
        other.environment().put(LocalRunner.NODE_VARIABLE, node + "-other");
        Process theirs = other.start();
        try {
            Thread.sleep(200); // until setsid has exec'd sleep with the environment
            assertEquals(1, new LocalRunner(Map.of(), node).removeOrphans(),
                    "exactly the process carrying this node's marker should be killed");
            assertTrue(ours.waitFor(5, java.util.concurrent.TimeUnit.SECONDS), "the leftover should be dead");
            assertTrue(theirs.isAlive(), "a process of another node must survive");
        } finally {
            ours.destroyForcibly();
            theirs.destroyForcibly();
        }
    }
}
