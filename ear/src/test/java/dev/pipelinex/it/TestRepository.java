package dev.pipelinex.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Maven repository over HTTP on the loopback port the test server allows as one of its
 * repository proxy's upstreams ({@code it.repository.port}, {@code pipelinex.maven.repositories}):
 * artifacts no cache has seen, each with its SHA-1, for a job that must download.
 */
final class TestRepository implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final AtomicInteger served = new AtomicInteger();

    TestRepository() throws IOException {
        int port = Integer.getInteger("it.repository.port", 18181);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/repository/", exchange -> {
            String path = exchange.getRequestURI().getPath().substring("/repository/".length());
            byte[] body = files.get(path);
            try (exchange) {
                if (body == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                served.incrementAndGet();
                boolean head = exchange.getRequestMethod().equals("HEAD");
                exchange.sendResponseHeaders(200, head ? -1 : body.length);
                if (!head) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        });
        server.start();
    }

    /** Publishes {@code group:artifact:version} as a jar (an empty ZIP) and its POM, each with a .sha1. */
    void publish(String group, String artifact, String version) {
        String base = group.replace('.', '/') + "/" + artifact + "/" + version + "/" + artifact + "-" + version;
        String pom = "<project><modelVersion>4.0.0</modelVersion><groupId>" + group + "</groupId><artifactId>" + artifact
                + "</artifactId><version>" + version + "</version></project>\n";
        put(base + ".pom", pom.getBytes(StandardCharsets.UTF_8));
        put(base + ".jar", ("PK\u0005\u0006" + "\u0000".repeat(18)).getBytes(StandardCharsets.ISO_8859_1));
    }

    private void put(String path, byte[] body) {
        files.put(path, body);
        files.put(path + ".sha1", PipelineIT.sha1(body).getBytes(StandardCharsets.US_ASCII));
    }

    /** How many files the server's proxy fetched from here. */
    int served() {
        return served.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
