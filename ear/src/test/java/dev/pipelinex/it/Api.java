package dev.pipelinex.it;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A plain HTTP client of the PipelineX API, as a user's tooling would be. It signs in as the
 * test server's submitter account unless told otherwise ({@link #as}, {@link #withToken},
 * {@link #anonymous}); the accounts are made by the build (ear/pom.xml, add-account).
 */
final class Api {

    static final ObjectMapper JSON = new ObjectMapper();
    /** The accounts of the test server: name, password. */
    static final String SUBMITTER = "ci", SUBMITTER_PASSWORD = "ci-Secret-1";
    static final String OTHER = "mallory", OTHER_PASSWORD = "mallory-Secret-1";
    static final String VIEWER = "vera", VIEWER_PASSWORD = "vera-Secret-1";
    static final String ADMIN = "root-admin", ADMIN_PASSWORD = "admin-Secret-1";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI base;
    private final String authorization;

    Api(URI base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    URI base() {
        return base;
    }

    static Api local() {
        int port = 8080 + Integer.getInteger("it.port.offset", 0);
        return new Api(URI.create("http://127.0.0.1:" + port + "/"), null).as(SUBMITTER, SUBMITTER_PASSWORD);
    }

    /** The same server over TLS (the server's self-signed certificate is trusted blindly). */
    static Api localTls() {
        int port = 8443 + Integer.getInteger("it.port.offset", 0);
        return new Api(URI.create("https://localhost:" + port + "/"), null);
    }

    /** Signs in with HTTP Basic. */
    Api as(String user, String password) {
        String pair = user + ":" + password;
        return new Api(base, "Basic " + java.util.Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }

    Api withToken(String token) {
        return new Api(base, "Bearer " + token);
    }

    Api anonymous() {
        return new Api(base, null);
    }

    record Reply(int status, String contentType, String body, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("expected JSON, got: " + body, e);
            }
        }
    }

    Reply upload(byte[] zip, String metadata) {
        String boundary = "----pipelinex" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
                + "Content-Type: application/json\r\n\r\n" + metadata + "\r\n");
        write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"project_zip\"; "
                + "filename=\"project.zip\"\r\nContent-Type: application/zip\r\n\r\n");
        body.writeBytes(zip);
        write(body, "\r\n--" + boundary + "--\r\n");
        return send(HttpRequest.newBuilder(base.resolve("api/jobs/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    }

    /** One part of a multipart body: a name, an optional file name and content type, the bytes. */
    record Part(String name, String filename, String contentType, byte[] content) {
        static Part text(String name, String text) {
            return new Part(name, null, "application/json", text.getBytes(StandardCharsets.UTF_8));
        }

        static Part file(String name, byte[] content) {
            return new Part(name, "project.zip", "application/zip", content);
        }
    }

    /** A multipart/form-data upload of exactly the parts given, in that order. */
    Reply uploadParts(java.util.List<Part> parts) {
        String boundary = "----pipelinex" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Part p : parts) {
            write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + p.name() + "\""
                    + (p.filename() == null ? "" : "; filename=\"" + p.filename() + "\"") + "\r\n"
                    + (p.contentType() == null ? "" : "Content-Type: " + p.contentType() + "\r\n") + "\r\n");
            body.writeBytes(p.content());
            write(body, "\r\n");
        }
        write(body, "--" + boundary + "--\r\n");
        return post("api/jobs/upload", "multipart/form-data; boundary=" + boundary, body.toByteArray(), java.util.Map.of());
    }

    /**
     * A multipart upload streamed without a Content-Length (chunked): the metadata part, then a
     * {@code project_zip} part of {@code zipBytes} zero bytes, never held in memory.
     */
    Reply uploadChunked(String metadata, long zipBytes) {
        String boundary = "----pipelinex" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
                + "Content-Type: application/json\r\n\r\n" + metadata + "\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"project_zip\"; filename=\"project.zip\"\r\n"
                + "Content-Type: application/zip\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        java.util.function.Supplier<java.io.InputStream> body = () -> new java.io.SequenceInputStream(java.util.Collections.enumeration(
                java.util.List.of(new java.io.ByteArrayInputStream(head), new java.io.InputStream() {
                    private long left = zipBytes;

                    @Override
                    public int read() {
                        return left-- > 0 ? 0 : -1;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) {
                        if (left <= 0) {
                            return -1;
                        }
                        int n = (int) Math.min(len, left);
                        java.util.Arrays.fill(b, off, off + n, (byte) 0);
                        left -= n;
                        return n;
                    }
                }, new java.io.ByteArrayInputStream(tail))));
        return send(HttpRequest.newBuilder(base.resolve("api/jobs/upload"))
                .version(HttpClient.Version.HTTP_1_1)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofInputStream(body)));
    }

    /** A POST of any body with any content type and extra headers. */
    Reply post(String path, String contentType, byte[] body, java.util.Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        headers.forEach(b::header);
        return send(b);
    }

    /**
     * A request written byte by byte on a socket, for what the HTTP client will not send (a
     * Content-Length that the body does not match): {@code head} holds the request line's path
     * and the headers beyond Host and Connection; only {@code body} is sent after them. The
     * answer must come without the rest of the body.
     */
    Reply raw(String method, String path, java.util.Map<String, String> head, byte[] body) {
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            StringBuilder request = new StringBuilder(method + " /" + path + " HTTP/1.1\r\nHost: " + base.getHost()
                    + ":" + base.getPort() + "\r\nConnection: close\r\n");
            if (authorization != null) {
                request.append("Authorization: ").append(authorization).append("\r\n");
            }
            head.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
            request.append("\r\n");
            var out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return reply(socket);
        } catch (IOException e) {
            throw new AssertionError("raw request to " + base + " failed: " + e, e);
        }
    }

    /** What a client that writes its whole body before it reads got: the reply, or how far it wrote. */
    record Sent(long written, Reply reply, IOException failure) {
    }

    /**
     * A POST of {@code length} zero bytes, sent whole without {@code Expect: 100-continue}, as a
     * plain client does; the reply is read only after the last byte (or the write failed).
     */
    Sent sendWhole(String path, java.util.Map<String, String> head, long length, boolean authorized) {
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(60_000);
            StringBuilder request = new StringBuilder("POST /" + path + " HTTP/1.1\r\nHost: " + base.getHost()
                    + ":" + base.getPort() + "\r\nContent-Length: " + length + "\r\n");
            if (authorized && authorization != null) {
                request.append("Authorization: ").append(authorization).append("\r\n");
            }
            head.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
            request.append("\r\n");
            var out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = new byte[1 << 20];
            long written = 0;
            try {
                while (written < length) {
                    int n = (int) Math.min(chunk.length, length - written);
                    out.write(chunk, 0, n);
                    written += n;
                }
                out.flush();
            } catch (IOException e) {
                return new Sent(written, null, e);
            }
            return new Sent(written, reply(socket), null);
        } catch (IOException e) {
            throw new AssertionError("request to " + base + " failed: " + e, e);
        }
    }

    private static Reply reply(java.net.Socket socket) throws IOException {
        var in = new java.io.BufferedInputStream(socket.getInputStream());
        String status = line(in);
        java.util.Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String h; !(h = line(in)).isEmpty(); ) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
        }
        byte[] content;
        if ("chunked".equalsIgnoreCase(headers.get("Transfer-Encoding"))) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int size; (size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) > 0; ) {
                all.writeBytes(in.readNBytes(size));
                line(in);
            }
            content = all.toByteArray();
        } else if (headers.containsKey("Content-Length")) {
            content = in.readNBytes(Integer.parseInt(headers.get("Content-Length")));
        } else {
            content = in.readAllBytes();
        }
        return new Reply(Integer.parseInt(status.split(" ")[1]), headers.getOrDefault("Content-Type", ""),
                new String(content, StandardCharsets.UTF_8), null);
    }

    private static String line(java.io.InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
            if (c != '\r') {
                line.write(c);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    Reply postJson(String path, String json) {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** Asks for a job to be cancelled: {@code POST api/jobs/{id}/cancel}. */
    Reply cancel(String jobId) {
        return send(HttpRequest.newBuilder(base.resolve("api/jobs/" + jobId + "/cancel"))
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    Reply get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    /** A value from {@code /metrics} (which anyone may read), by its series as printed there: name and labels. */
    long metric(String name) {
        Reply r = anonymous().get("metrics");
        if (r.status() != 200) {
            fail("/metrics answered " + r.status() + ": " + r.body());
        }
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\d+)$").matcher(r.body());
        if (!m.find()) {
            fail(name + " is not in " + r.body());
        }
        return Long.parseLong(m.group(1));
    }

    /** Polls the job until its state is final; returns the job document. */
    JsonNode awaitFinal(String jobId, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        JsonNode job = null;
        while (System.nanoTime() < deadline) {
            Reply r = get("api/jobs/" + jobId);
            if (r.status() != 200) {
                fail("GET job " + jobId + " answered " + r.status() + ": " + r.body());
            }
            job = r.json();
            String state = job.path("state").path("state").asText();
            if (state.equals("SUCCEEDED") || state.equals("FAILED") || state.equals("CANCELLED")) {
                return job;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("job " + jobId + " did not finish within " + within + "; last seen: " + job);
    }

    /** A GET whose answer is kept as bytes (ZIP files). */
    HttpResponse<byte[]> getBytes(String path) {
        try {
            return client().send(authorize(HttpRequest.newBuilder(base.resolve(path)).GET()).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AssertionError("request to " + base + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The state written in a job's state.json, read straight from the workspace folder. */
    String readStateFile(Path workspace) {
        try {
            return JSON.readTree(workspace.resolve("state.json").toFile()).path("state").asText();
        } catch (IOException e) {
            throw new AssertionError("cannot read " + workspace.resolve("state.json"), e);
        }
    }

    /** One server-sent event. */
    record Event(String id, String name, String data) {
    }

    /** Reads a server-sent event stream to its end (at most 10 minutes); {@code lastEventId} resumes one. */
    java.util.List<Event> events(String path, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).header("Accept", "text/event-stream")
                .timeout(Duration.ofMinutes(10)).GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        java.util.List<Event> events = new java.util.ArrayList<>();
        try {
            HttpResponse<java.util.stream.Stream<String>> r = client().send(authorize(request).build(),
                    HttpResponse.BodyHandlers.ofLines());
            if (r.statusCode() != 200) {
                throw new AssertionError("events answered " + r.statusCode());
            }
            String id = null, name = "message";
            StringBuilder data = new StringBuilder();
            for (String line : (Iterable<String>) r.body()::iterator) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        events.add(new Event(id, name, data.toString()));
                    }
                    name = "message";
                    data.setLength(0);
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(data.length() > 0 ? "\n" : "").append(line.substring(5).startsWith(" ")
                            ? line.substring(6) : line.substring(5));
                }
            }
            return events;
        } catch (IOException e) {
            throw new AssertionError("event stream " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Reply post(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private HttpRequest.Builder authorize(HttpRequest.Builder request) {
        return authorization == null ? request : request.header("Authorization", authorization);
    }

    private HttpClient client() {
        return base.getScheme().equals("https") ? TRUSTING : http;
    }

    /** For the test server's self-signed certificate only. */
    private static final HttpClient TRUSTING = trusting();

    private static HttpClient trusting() {
        try {
            javax.net.ssl.TrustManager[] all = {new javax.net.ssl.X509TrustManager() {
                public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {
                }

                public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {
                }

                public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                    return new java.security.cert.X509Certificate[0];
                }
            }};
            javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
            tls.init(null, all, new java.security.SecureRandom());
            javax.net.ssl.SSLParameters params = new javax.net.ssl.SSLParameters();
            params.setEndpointIdentificationAlgorithm(null);
            return HttpClient.newBuilder().sslContext(tls).sslParameters(params)
                    .connectTimeout(Duration.ofSeconds(10)).build();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = client().send(authorize(request).timeout(Duration.ofSeconds(120)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(), r);
        } catch (IOException e) {
            throw new AssertionError("request to " + base + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }
}
