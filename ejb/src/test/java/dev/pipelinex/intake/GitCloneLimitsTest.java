package dev.pipelinex.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A clone is bounded like an upload, and its HTTP requests stay on the host it was given. */
class GitCloneLimitsTest {

    @TempDir
    Path root;

    private URI repository(int files, boolean outsideLink) throws Exception {
        Path work = Files.createDirectories(root.resolve("origin"));
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            Files.writeString(work.resolve("pom.xml"), HostileArchives.POM);
            for (int i = 0; i < files; i++) {
                Files.writeString(work.resolve("f" + i + ".txt"), "file " + i);
            }
            if (outsideLink) {
                Files.createSymbolicLink(work.resolve("passwd"), Path.of("/etc/passwd"));
            }
            git.add().addFilepattern(".").call();
            git.commit().setMessage("files").setAuthor("t", "t@example.invalid").setCommitter("t", "t@example.invalid")
                    .setSign(false).call();
        }
        return work.toUri();
    }

    @Test
    void cloneWithinTheLimitsIsCheckedOut() throws Exception {
        URI origin = repository(2, false);
        Path target = Files.createDirectories(root.resolve("job/source"));
        String commit = new GitIntake(GitPolicy.DEFAULT, new IntakeLimits(1 << 20, 10, 10 << 20, 5, 30)).clone(origin, target);
        assertTrue(commit.matches("[0-9a-f]{40}"), commit);
        assertTrue(Files.isRegularFile(target.resolve("f1.txt")));
    }

    @Test
    void cloneWithTooManyFilesIsRefused() throws Exception {
        URI origin = repository(12, false);
        Path target = Files.createDirectories(root.resolve("job/source"));
        RequestRefusedException e = assertThrows(RequestRefusedException.class,
                () -> new GitIntake(GitPolicy.DEFAULT, new IntakeLimits(1 << 20, 10, 10 << 20, 5, 30)).clone(origin, target));
        assertEquals(Refusal.TOO_LARGE, e.refusal());
        assertTrue(e.detail().contains("more than 10 files"), e.detail());
    }

    @Test
    void cloneLargerThanTheUnpackedLimitIsRefused() throws Exception {
        URI origin = repository(3, false);
        Path target = Files.createDirectories(root.resolve("job/source"));
        RequestRefusedException e = assertThrows(RequestRefusedException.class,
                () -> new GitIntake(GitPolicy.DEFAULT, new IntakeLimits(1 << 20, 100, 1000, 5, 30)).clone(origin, target));
        assertEquals(Refusal.TOO_LARGE, e.refusal());
        assertTrue(e.detail().contains("max-unpacked-bytes"), e.detail());
    }

    @Test
    void cloneWithALinkOutOfTheRepositoryIsRefused() throws Exception {
        URI origin = repository(1, true);
        Path target = Files.createDirectories(root.resolve("job/source"));
        RequestRefusedException e = assertThrows(RequestRefusedException.class,
                () -> new GitIntake(GitPolicy.DEFAULT, IntakeLimits.DEFAULTS).clone(origin, target));
        assertTrue(e.detail().contains("symbolic link that points outside"), e.detail());
    }

    @Test
    void redirectToAnotherHostFailsTheClone() throws Exception {
        HttpServer other = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger reached = new AtomicInteger();
        other.createContext("/", ex -> {
            reached.incrementAndGet();
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        other.start();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            ex.getResponseHeaders().add("Location", "http://localhost:" + other.getAddress().getPort()
                    + ex.getRequestURI());
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.start();
        try {
            GitPolicy policy = new GitPolicy(Set.of("127.0.0.1:*", "localhost:*"), true, true);
            GitIntake intake = new GitIntake(policy, IntakeLimits.DEFAULTS);
            URI url = intake.check("http://127.0.0.1:" + server.getAddress().getPort() + "/acme/app");
            Path target = Files.createDirectories(root.resolve("job/source"));
            RequestRefusedException e = assertThrows(RequestRefusedException.class, () -> intake.clone(url, target));
            assertEquals(Refusal.INVALID_REPOSITORY_URL, e.refusal(), e.detail());
            assertTrue(e.detail().contains("redirected the clone to http://localhost:"), e.detail());
            assertEquals(0, reached.get(), "the other host is never asked");
        } finally {
            server.stop(0);
            other.stop(0);
        }
    }

    @Test
    void hostThatResolvesPrivatelyAtCloneTimeFailsTheClone() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger reached = new AtomicInteger();
        server.createContext("/", ex -> {
            reached.incrementAndGet();
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        server.start();
        try {
            // The check saw a public address; by the time of the clone the name points at loopback.
            AtomicInteger lookups = new AtomicInteger();
            AddressResolver rebinding = host -> new InetAddress[] {lookups.getAndIncrement() == 0
                    ? InetAddress.getByAddress(host, new byte[] {(byte) 140, 82, 112, 3})
                    : InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})};
            GitIntake intake = new GitIntake(new GitPolicy(Set.of("127.0.0.1:*"), true, false), IntakeLimits.DEFAULTS,
                    rebinding);
            URI url = intake.check("http://127.0.0.1:" + server.getAddress().getPort() + "/acme/app");
            Path target = Files.createDirectories(root.resolve("job/source"));
            RequestRefusedException e = assertThrows(RequestRefusedException.class, () -> intake.clone(url, target));
            assertTrue(e.detail().contains("loopback"), e.detail());
            assertEquals(0, reached.get(), "the server is never asked");
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            server.stop(0);
        }
    }
}
