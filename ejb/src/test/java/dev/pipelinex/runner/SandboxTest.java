package dev.pipelinex.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxTest {

    @TempDir
    Path dir;

    Path job() throws IOException {
        Path job = dir.resolve("job");
        for (String d : List.of("work", "source", "reports/build", "out/build", "m2", "pipelines")) {
            Files.createDirectories(job.resolve(d));
        }
        Files.writeString(job.resolve("state.json"), "{\"state\":\"RUNNING\"}");
        Files.writeString(job.resolve("reports/build/build.log"), "the server's log\n");
        return job;
    }

    /** What a build stage of the job sees: its working copy, its scripts, its output folder, its repository. */
    static List<Sandbox.Mount> buildMounts(Path job) {
        return List.of(new Sandbox.Mount(job.resolve("work"), true), new Sandbox.Mount(job.resolve("pipelines"), false),
                new Sandbox.Mount(job.resolve("out/build"), true), new Sandbox.Mount(job.resolve("m2"), true));
    }

    /** The arguments that follow each occurrence of {@code option}, in pairs. */
    static List<String> after(List<String> cmd, String option) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < cmd.size() - 1; i++) {
            if (cmd.get(i).equals(option)) {
                out.add(cmd.get(i + 1));
            }
        }
        return out;
    }

    @Test
    void onlyTheStagesOwnFoldersAreWritableAndTheJobFolderIsNotSeen() throws IOException {
        Path job = job();
        Path maven = Files.createDirectories(dir.resolve("maven"));
        List<String> cmd = new Sandbox("/usr/bin/bwrap", List.of(maven, dir.resolve("absent")))
                .command(buildMounts(job), job.resolve("work"), null, List.of("bash", "build.sh"));
        assertEquals(List.of(job.resolve("work").toString(), job.resolve("out/build").toString(),
                job.resolve("m2").toString()), after(cmd, "--bind"));
        assertFalse(after(cmd, "--ro-bind").contains(job.toString()), "the job folder as a whole (state, reports) is not seen");
        assertFalse(after(cmd, "--ro-bind").contains("/etc"), "not the whole of /etc");
        assertFalse(after(cmd, "--ro-bind").contains("/etc/shadow"), "never the password hashes");
        assertTrue(after(cmd, "--ro-bind").contains(maven.toString()), "tools are read-only");
        assertFalse(after(cmd, "--ro-bind").contains(dir.resolve("absent").toString()), "missing folders are left out");
        assertTrue(cmd.contains("--unshare-net"), "no network for the build");
        assertEquals(List.of("10001"), after(cmd, "--uid"));
        assertEquals(List.of("bash", "build.sh"), cmd.subList(cmd.size() - 2, cmd.size()));
    }

    @Test
    void noStageHasANetworkResolveNeitherOnlyTheRepositorySocket() throws IOException {
        Path job = job();
        Path socket = Files.createFile(dir.resolve("s1.sock"));
        List<String> cmd = new Sandbox("/usr/bin/bwrap", List.of()).command(buildMounts(job), job, socket, List.of("true"));
        assertTrue(cmd.contains("--unshare-net"));
        int at = cmd.indexOf(socket.toString());
        assertEquals(List.of("--bind", socket.toString(), Sandbox.REPOSITORY_SOCKET), cmd.subList(at - 1, at + 2));
    }

    /** The real thing, where bubblewrap works on this machine. */
    @Test
    void aStageCannotWriteOutsideItsFoldersNorReachTheNetwork() throws Exception {
        Sandbox sandbox = new Sandbox("/usr/bin/bwrap", List.of());
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")) && sandbox.probe() == null, "bubblewrap works here");
        Path job = job();
        Path outside = Files.writeString(dir.resolve("outside.txt"), "untouched");
        String out = job.resolve("out/build").toString();
        String script = String.join("; ",
                "id -u > " + out + "/uid",
                "echo built > " + job.resolve("work/built"),
                "(ls " + dir + " >/dev/null) 2>/dev/null && ls " + dir + " > " + out + "/listing",
                "(cat " + job.resolve("state.json") + ") 2>/dev/null && echo read-state >> " + out + "/escape",
                "(echo x >> " + job.resolve("reports/build/build.log") + ") 2>/dev/null && echo wrote-log >> " + out + "/escape",
                "(echo x > " + job.resolve("source/planted") + ") 2>/dev/null && echo wrote-source >> " + out + "/escape",
                "(cat /etc/shadow) 2>/dev/null && echo read-shadow >> " + out + "/escape",
                // Where the sandbox lets this write happen at all, it lands in its private /tmp.
                "(echo x > " + outside + ") 2>/dev/null",
                "(exec 3<>/dev/tcp/127.0.0.1/22) 2>/dev/null && echo network >> " + out + "/escape",
                "true");
        Process p = new ProcessBuilder(sandbox.command(buildMounts(job), job.resolve("work"), null, List.of("bash", "-c", script)))
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), printed);
        assertEquals("10001", Files.readString(job.resolve("out/build/uid")).trim());
        assertEquals("built", Files.readString(job.resolve("work/built")).trim());
        assertFalse(Files.exists(job.resolve("out/build/escape")), () -> "escaped: " + read(job.resolve("out/build/escape")));
        assertEquals("{\"state\":\"RUNNING\"}", Files.readString(job.resolve("state.json")));
        assertEquals("the server's log\n", Files.readString(job.resolve("reports/build/build.log")));
        assertFalse(Files.exists(job.resolve("source/planted")), "the project as admitted is not the stage's to write");
        assertEquals("untouched", Files.readString(outside));
    }

    @Test
    void asRootNoUserNamespaceAndTheCommandStartsAsAnUnprivilegedUser() throws IOException {
        Path job = job();
        List<String> cmd = new Sandbox("/usr/bin/bwrap", List.of(), true).command(buildMounts(job), job.resolve("work"), null,
                List.of("bash", "build.sh"));
        assertFalse(cmd.contains("--unshare-user"), "inside a user namespace made by root, UID 10001 is root outside");
        assertEquals(List.of(), after(cmd, "--uid"));
        int setpriv = cmd.indexOf("/usr/bin/setpriv");
        assertTrue(setpriv > 0, "the stage's command starts through setpriv: " + cmd);
        assertEquals(List.of("--reuid=10001", "--regid=10001", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
                "--no-new-privs", "--", "bash", "build.sh"), cmd.subList(setpriv + 1, cmd.size()));
        int tmp = cmd.indexOf("/tmp");
        assertEquals(List.of("--perms", "1777", "--tmpfs", "/tmp"), cmd.subList(tmp - 3, tmp + 1), "a /tmp the stage's user can write");
        assertTrue(after(cmd, "--dir").contains(job.toString()), "the folders above the job's are the sandbox's own: " + cmd);
        assertTrue(cmd.indexOf(job.toString()) < cmd.indexOf(job.resolve("work").toString()), "made before anything is bound below them");
    }

    /**
     * The real thing as root: the stage is the host's UID 10001, so the server's own files are
     * not its to read even where they are bound in, and what it writes is owned by 10001.
     */
    @Test
    void asRootAStageHasNoMoreRightsThanAnUnprivilegedUser() throws Exception {
        assumeTrue(StageUser.serverIsRoot(), "the server runs as root here");
        Path hidden = Files.createDirectories(dir.resolve("private"));
        Files.setPosixFilePermissions(hidden, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Path tools = Files.createDirectories(hidden.resolve("tools"));
        Files.writeString(tools.resolve("readme"), "for everyone");
        Path secret = Files.writeString(tools.resolve("server.keystore"), "the server's key");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Sandbox sandbox = new Sandbox("/usr/bin/bwrap", List.of(tools), true);
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")) && sandbox.probe() == null, "bubblewrap works here");
        Path job = job();
        StageUser.chown(List.of(job.resolve("work").toString(), job.resolve("out/build").toString()), false);
        String out = job.resolve("out/build").toString();
        String script = String.join("; ",
                "id -u > " + out + "/uid",
                "cat " + tools.resolve("readme") + " > " + out + "/readme",
                "(cat " + secret + ") 2>/dev/null && echo read-key >> " + out + "/escape",
                "(echo x > " + job.resolve("m2/planted") + ") 2>/dev/null && echo wrote-root-folder >> " + out + "/escape",
                "grep -q '^CapEff:.0*$' /proc/self/status || echo has-capabilities >> " + out + "/escape",
                "echo built > " + job.resolve("work/built"),
                "echo tmp > /tmp/t && cat /tmp/t > " + out + "/tmp",
                "true");
        Process p = new ProcessBuilder(sandbox.command(buildMounts(job), job.resolve("work"), null, List.of("bash", "-c", script)))
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), printed);
        assertEquals("10001", Files.readString(job.resolve("out/build/uid")).trim());
        assertEquals("for everyone", Files.readString(job.resolve("out/build/readme")).trim(), "tools below a closed folder are readable");
        assertEquals("tmp", Files.readString(job.resolve("out/build/tmp")).trim());
        assertFalse(Files.exists(job.resolve("out/build/escape")), () -> "escaped: " + read(job.resolve("out/build/escape")));
        assertEquals(10001, Files.getAttribute(job.resolve("work/built"), "unix:uid"), "owned by the stage's user on the host");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
