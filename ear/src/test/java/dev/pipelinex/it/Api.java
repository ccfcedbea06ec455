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

    Reply postJson(String path, String json) {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    Reply get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
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
