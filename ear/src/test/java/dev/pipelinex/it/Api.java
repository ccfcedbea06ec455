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
import java.time.Duration;
import java.util.UUID;

/** A plain HTTP client of the PipelineX API, as a user's tooling would be. */
final class Api {

    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI base;

    Api(URI base) {
        this.base = base;
    }

    URI base() {
        return base;
    }

    static Api local() {
        int port = 8080 + Integer.getInteger("it.port.offset", 0);
        return new Api(URI.create("http://127.0.0.1:" + port + "/"));
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

    /** Asks for a job to be cancelled: {@code POST api/jobs/{id}/cancel}. */
    Reply cancel(String jobId) {
        return send(HttpRequest.newBuilder(base.resolve("api/jobs/" + jobId + "/cancel"))
                .POST(HttpRequest.BodyPublishers.noBody()));
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

    private Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(120)).build(),
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
