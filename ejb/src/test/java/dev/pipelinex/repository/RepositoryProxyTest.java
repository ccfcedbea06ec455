package dev.pipelinex.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The repository proxy against real HTTP upstreams (the JDK's server) and, through its socket, as a stage's Maven sees it. */
class RepositoryProxyTest {

    @TempDir
    Path tmp;

    /** An upstream repository: path → bytes; requests counted by path. */
    static final class Upstream implements AutoCloseable {
        final Map<String, byte[]> files = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
        final HttpServer server;

        Upstream() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", ex -> {
                String p = ex.getRequestURI().getPath().substring("/repo/".length());
                asked.computeIfAbsent(p, k -> new AtomicInteger()).incrementAndGet();
                byte[] body = files.get(p);
                if (body == null) {
                    ex.sendResponseHeaders(404, -1);
                } else {
                    ex.sendResponseHeaders(200, body.length);
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(body);
                    }
                }
                ex.close();
            });
            server.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/repo");
        }

        /** An artifact with its SHA-1 (as most of Central's are), or with a wrong one. */
        void put(String path, String content, boolean rightChecksum) {
            byte[] b = content.getBytes(StandardCharsets.UTF_8);
            files.put(path, b);
            files.put(path + ".sha1", (rightChecksum ? sha(b, "sha1") : sha("other".getBytes(), "sha1")).getBytes());
        }

        int asked(String path) {
            return asked.getOrDefault(path, new AtomicInteger()).get();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    static String sha(byte[] b, String algorithm) {
        return HexFormat.of().formatHex(RepositoryProxy.digest(algorithm).digest(b));
    }

    private Upstream central;
    private Upstream extra;

    @BeforeEach
    void upstreams() throws IOException {
        central = new Upstream();
        extra = new Upstream();
    }

    @AfterEach
    void stop() {
        central.close();
        extra.close();
    }

    private RepositoryProxy proxy(Upstream... ups) {
        return new RepositoryProxy(tmp.resolve("cache"), tmp.resolve("state"),
                java.util.Arrays.stream(ups).map(Upstream::uri).toList(), Duration.ofMinutes(30), 1 << 20);
    }

    private static final String JAR = "org/example/lib/1.0/lib-1.0.jar";

    @Test
    void aCheckedArtifactIsKeptInTheSharedCacheAndServedFromItAfterwards() throws IOException {
        central.put(JAR, "the jar", true);
        RepositoryProxy proxy = proxy(central);
        RepositoryProxy.Answer a = proxy.get("/" + JAR);
        assertTrue(a.ok(), a.reason());
        assertEquals("the jar", Files.readString(tmp.resolve("cache").resolve(JAR)));
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(tmp.resolve("cache").resolve(JAR))), "every stage's user reads the cache");
        long hits = RepositoryCounters.hits();
        assertTrue(proxy.get("/" + JAR).ok());
        assertEquals(1, central.asked(JAR), "the second request is served from the cache");
        assertEquals(hits + 1, RepositoryCounters.hits());
    }

    @Test
    void anArtifactThatDoesNotMatchItsUpstreamChecksumIsRefusedAndNotKept() {
        central.put(JAR, "a trojan", false);
        RepositoryProxy.Answer a = proxy(central).get(JAR);
        assertEquals(404, a.status());
        assertTrue(a.reason().contains("org.example:lib:1.0 is refused") && a.reason().contains("SHA1 checksum"), a.reason());
        assertFalse(Files.exists(tmp.resolve("cache").resolve("org")), "not even a folder of it in the shared cache");
    }

    @Test
    void theStrongestChecksumUpstreamServesDecides() {
        byte[] b = "the jar".getBytes();
        central.files.put(JAR, b);
        central.files.put(JAR + ".sha1", sha(b, "sha1").getBytes());
        central.files.put(JAR + ".sha512", sha("else".getBytes(), "sha512").getBytes());
        RepositoryProxy.Answer a = proxy(central).get(JAR);
        assertEquals(404, a.status(), "a right SHA-1 does not outweigh a wrong SHA-512");
        assertTrue(a.reason().contains("SHA512"), a.reason());
        central.files.put(JAR + ".sha512", sha(b, "sha512").getBytes());
        assertTrue(proxy(central).get(JAR).ok());
    }

    @Test
    void anArtifactUpstreamServesWithoutAnyChecksumIsRefused() {
        central.files.put(JAR, "no checksum".getBytes());
        RepositoryProxy.Answer a = proxy(central).get(JAR);
        assertEquals(404, a.status());
        assertTrue(a.reason().contains("serves no checksum"), a.reason());
    }

    @Test
    void whatNoAllowedRepositoryHasIsRefusedInWordsAndTheAllowListIsAskedInOrder() {
        String other = "com/x/y/1.0/y-1.0.pom";
        extra.put(other, "<project/>", true);
        RepositoryProxy.Answer missing = proxy(central).get(other);
        assertEquals(404, missing.status());
        assertTrue(missing.reason().startsWith("com.x:y:1.0 is not served by the allowed repositories"), missing.reason());
        int before = central.asked(other);
        assertTrue(proxy(central, extra).get(other).ok(), "the operator's further repository serves it");
        assertEquals(before + 1, central.asked(other), "Maven Central was asked first");
    }

    @Test
    void checksumsAreComputedFromTheCheckedFileNeverTakenFromUpstream() throws IOException {
        central.put(JAR, "the jar", true);
        RepositoryProxy proxy = proxy(central);
        for (String alg : List.of("sha1", "md5", "sha256", "sha512")) {
            RepositoryProxy.Answer a = proxy.get(JAR + "." + alg);
            assertTrue(a.ok(), a.reason());
            assertEquals(sha("the jar".getBytes(), alg), new String(a.body(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void pathsThatClimbHideOrEscapeAreRefusedWithoutAskingUpstream() {
        RepositoryProxy proxy = proxy(central);
        for (String bad : List.of("/../etc/passwd", "/org/../../x.jar", "/.pipelinex/resolved/a.txt", "/org/x/%2e%2e/a.jar",
                "/org\\x\\a.jar", "/", "/org/x/", "/org//x/a.jar")) {
            assertEquals(400, proxy.get(bad).status(), bad);
        }
        assertTrue(central.asked.isEmpty(), "nothing went upstream: " + central.asked.keySet());
    }

    @Test
    void snapshotFilesArePassedOnButNeverKeptInTheSharedCache() throws IOException {
        String snap = "org/example/lib/1.0-SNAPSHOT/lib-1.0-20260101.120000-1.jar";
        central.put(snap, "snapshot", true);
        RepositoryProxy.Answer a = proxy(central).get(snap);
        assertTrue(a.ok(), a.reason());
        assertEquals("snapshot", Files.readString(a.file()));
        a.release();
        assertFalse(Files.exists(a.file()));
        assertFalse(Files.exists(tmp.resolve("cache").resolve(snap)));
    }

    @Test
    void metadataIsKeptForItsTimeThenAskedForAgain() {
        String md = "org/example/lib/maven-metadata.xml";
        central.put(md, "<metadata>1</metadata>", true);
        RepositoryProxy proxy = proxy(central);
        assertEquals("<metadata>1</metadata>", new String(proxy.get(md).body()));
        central.put(md, "<metadata>2</metadata>", true);
        assertEquals("<metadata>1</metadata>", new String(proxy.get(md).body()), "fresh: the kept copy");
        RepositoryProxy expired = new RepositoryProxy(tmp.resolve("cache"), tmp.resolve("state"), List.of(central.uri()),
                Duration.ZERO, 1 << 20);
        assertEquals("<metadata>2</metadata>", new String(expired.get(md).body()), "expired: upstream's");
        assertFalse(Files.exists(tmp.resolve("cache").resolve(md)), "metadata is the proxy's own, not in the shared cache");
    }

    @Test
    void aFileLargerThanTheLimitIsRefused() {
        central.put(JAR, "x".repeat((1 << 20) + 1), true);
        RepositoryProxy.Answer a = proxy(central).get(JAR);
        assertEquals(404, a.status());
        assertTrue(a.reason().contains("larger than 1 MiB"), a.reason());
    }

    @Test
    void anUpstreamThatDoesNotAnswerIsABadGatewayNotAMissingArtifact() throws IOException {
        central.close();
        RepositoryProxy.Answer a = proxy(central).get(JAR);
        assertEquals(502, a.status(), a.reason());
    }

    @Test
    void upstreamsAreTheMirrorOrCentralThenTheAllowList() {
        URI c = URI.create("https://central.example/maven2");
        assertEquals(List.of(c), RepositoryProxy.upstreams(c, "", ""));
        assertEquals(List.of(URI.create("https://nexus.example/m"), URI.create("https://more.example/r")),
                RepositoryProxy.upstreams(c, "https://nexus.example/m", " https://more.example/r ,"));
        assertThrowsState(() -> RepositoryProxy.upstreams(c, "file:///etc", ""));
    }

    private static void assertThrowsState(Runnable r) {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, r::run);
    }

    @Test
    void mavenCentralIsTheAddressMavensSuperPomNames() {
        URI url = MavenCentral.url();
        assertEquals("https", url.getScheme());
        assertTrue(url.getPath().contains("maven2"), url.toString());
    }

    // --- through the socket, as the stage's forwarder speaks to it ---------------------------

    private static String exchange(Path socket, String request) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            c.write(java.nio.ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
            c.shutdownOutput();
            InputStream in = Channels.newInputStream(c);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void theSocketServesGetAndHeadOnOneConnectionAndRefusesEverythingElse() throws IOException {
        central.put(JAR, "the jar", true);
        List<String> notes = new CopyOnWriteArrayList<>();
        RepositoryProxy proxy = proxy(central);
        try (ProxySocket socket = proxy.open(notes::add)) {
            String both = exchange(socket.path(), "GET /" + JAR + " HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "HEAD /" + JAR + ".sha1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(both.startsWith("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n"), both);
            assertTrue(both.contains("\r\n\r\nthe jarHTTP/1.1 200 OK\r\nContent-Length: 40\r\n"), both);
            assertTrue(both.endsWith("Connection: close\r\n\r\n"), "HEAD has no body: " + both);

            String put = exchange(socket.path(), "PUT /" + JAR + " HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
            assertTrue(put.startsWith("HTTP/1.1 405 "), put);
            String absolute = exchange(socket.path(), "GET http://127.0.0.1:22/ HTTP/1.1\r\n\r\n");
            assertTrue(absolute.startsWith("HTTP/1.1 400 "), absolute);
            String missing = exchange(socket.path(), "GET /com/x/y/1.0/y-1.0.pom HTTP/1.1\r\nConnection: close\r\n\r\n");
            assertTrue(missing.startsWith("HTTP/1.1 404 com.x:y:1.0 is not served by the allowed repositories"), missing);
        }
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("[repository] refused: PUT")), notes.toString());
        assertTrue(notes.stream().anyMatch(n -> n.contains("com.x:y:1.0 is not served")), notes.toString());
        assertTrue(notes.get(notes.size() - 1).startsWith("[repository] 2 files served"), notes.toString());
    }

    @Test
    void closingTheSocketRemovesItAndEndsOpenConnections() throws Exception {
        RepositoryProxy proxy = proxy(central);
        ProxySocket socket = proxy.open(n -> { });
        Path path = socket.path();
        SocketChannel idle = SocketChannel.open(StandardProtocolFamily.UNIX);
        idle.connect(UnixDomainSocketAddress.of(path));
        assertEquals("rw-rw-rw-", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        socket.close();
        assertFalse(Files.exists(path));
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
        long deadline = System.nanoTime() + 5_000_000_000L;
        int n = 0;
        while (System.nanoTime() < deadline && (n = readOrEnd(idle, b)) == 0) {
            Thread.sleep(10);
        }
        assertEquals(-1, n, "the server ended the idle connection");
        idle.close();
        String dirMode = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(path.getParent()));
        assertEquals("rwx------", dirMode, "only the server reaches the sockets' folder");
    }

    private static int readOrEnd(SocketChannel c, java.nio.ByteBuffer b) {
        try {
            return c.read(b);
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void aStageHoldsAtMostSoManyConnectionsAndTheNextIsAnsweredBusy() throws Exception {
        central.put(JAR, "the jar", true);
        List<String> notes = new CopyOnWriteArrayList<>();
        List<SocketChannel> held = new java.util.ArrayList<>();
        try (ProxySocket socket = proxy(central).open(notes::add)) {
            for (int i = 0; i < ProxySocket.MAX_CONNECTIONS; i++) {
                SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                c.connect(UnixDomainSocketAddress.of(socket.path()));
                held.add(c);
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            String busy = "";
            while (!busy.startsWith("HTTP/1.1 503") && System.nanoTime() < deadline) {
                busy = exchange(socket.path(), "GET /" + JAR + " HTTP/1.1\r\nConnection: close\r\n\r\n");
            }
            assertTrue(busy.startsWith("HTTP/1.1 503 "), busy);
            held.remove(0).close();
            deadline = System.nanoTime() + 5_000_000_000L;
            String served = "";
            while (!served.startsWith("HTTP/1.1 200") && System.nanoTime() < deadline) {
                Thread.sleep(20);
                served = exchange(socket.path(), "GET /" + JAR + " HTTP/1.1\r\nConnection: close\r\n\r\n");
            }
            assertTrue(served.startsWith("HTTP/1.1 200 "), "a closed connection frees its place: " + served);
        } finally {
            for (SocketChannel c : held) {
                c.close();
            }
        }
        assertTrue(notes.stream().anyMatch(n -> n.contains("more than " + ProxySocket.MAX_CONNECTIONS + " connections")), notes.toString());
    }

    @Test
    void aHeadOfManyBytesEndsTheConnection() throws IOException {
        try (ProxySocket socket = proxy(central).open(n -> { })) {
            String answer = exchange(socket.path(), "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\n\r\n");
            assertEquals("", answer);
        }
    }
}
