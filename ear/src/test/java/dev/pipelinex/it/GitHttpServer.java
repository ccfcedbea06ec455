package dev.pipelinex.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A real git server for tests: git's own smart-HTTP backend ({@code git http-backend}, run as
 * a CGI program) behind the JDK's HTTP server, on loopback, serving bare repositories under
 * a folder.
 */
final class GitHttpServer implements AutoCloseable {

    private final HttpServer server;
    private final Path root;

    GitHttpServer(Path root) throws IOException {
        this.root = root;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            ProcessBuilder pb = new ProcessBuilder("git", "http-backend").redirectError(ProcessBuilder.Redirect.DISCARD);
            Map<String, String> env = pb.environment();
            env.put("GIT_PROJECT_ROOT", root.toString());
            env.put("GIT_HTTP_EXPORT_ALL", "1");
            env.put("REQUEST_METHOD", ex.getRequestMethod());
            env.put("PATH_INFO", ex.getRequestURI().getRawPath());
            env.put("QUERY_STRING", ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery());
            env.put("CONTENT_TYPE", ex.getRequestHeaders().getFirst("Content-Type") == null ? ""
                    : ex.getRequestHeaders().getFirst("Content-Type"));
            env.put("REMOTE_ADDR", "127.0.0.1");
            String encoding = ex.getRequestHeaders().getFirst("Content-Encoding");
            if (encoding != null) {
                env.put("HTTP_CONTENT_ENCODING", encoding);
            }
            env.put("GIT_PROTOCOL", ex.getRequestHeaders().getFirst("Git-Protocol") == null ? ""
                    : ex.getRequestHeaders().getFirst("Git-Protocol"));
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream(); InputStream body = ex.getRequestBody()) {
                body.transferTo(in);
            }
            byte[] out = p.getInputStream().readAllBytes();
            int headerEnd = indexOf(out, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            int sep = 4;
            if (headerEnd < 0) {
                headerEnd = indexOf(out, "\n\n".getBytes(StandardCharsets.US_ASCII));
                sep = 2;
            }
            int status = 200;
            String headers = new String(out, 0, Math.max(headerEnd, 0), StandardCharsets.US_ASCII);
            for (String line : headers.split("\r?\n")) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Status")) {
                    status = Integer.parseInt(value.substring(0, 3));
                } else {
                    ex.getResponseHeaders().add(name, value);
                }
            }
            int start = headerEnd < 0 ? 0 : headerEnd + sep;
            ex.sendResponseHeaders(status, out.length - start == 0 ? -1 : out.length - start);
            if (out.length > start) {
                ex.getResponseBody().write(out, start, out.length - start);
            }
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
