package dev.pipelinex.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** The few calls of the PipelineX API that a scan needs. */
final class ApiClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final URI base;
    private final String authorization;

    ApiClient(URI base, String authorization) {
        this.base = base.toString().endsWith("/") ? base : URI.create(base + "/");
        this.authorization = authorization;
    }

    /**
     * The account from the environment: PIPELINEX_TOKEN, or PIPELINEX_USER and PIPELINEX_PASSWORD;
     * without either, the admin account that {@code ./pipelinex up} was given: PIPELINEX_ADMIN_USER
     * (default {@code admin}) with PIPELINEX_ADMIN_PASSWORD, or with the first line of the file
     * PIPELINEX_ADMIN_PASSWORD_FILE (the password {@code ./pipelinex up} made). Passwords come
     * from the environment or a file, never from the command line, where any user could read them.
     */
    static String authorizationFrom(java.util.Map<String, String> env) {
        String token = env.get("PIPELINEX_TOKEN");
        if (token != null && !token.isBlank()) {
            return "Bearer " + token.trim();
        }
        String user = env.get("PIPELINEX_USER");
        if (user != null && !user.isBlank()) {
            String password = env.get("PIPELINEX_PASSWORD");
            return password == null ? null : basic(user, password);
        }
        String admin = env.getOrDefault("PIPELINEX_ADMIN_USER", "");
        admin = admin.isBlank() ? "admin" : admin;
        String password = env.get("PIPELINEX_ADMIN_PASSWORD");
        if (password != null && !password.isEmpty()) {
            return basic(admin, password);
        }
        String file = env.get("PIPELINEX_ADMIN_PASSWORD_FILE");
        if (file != null && !file.isBlank()) {
            try {
                List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(file), StandardCharsets.UTF_8);
                if (!lines.isEmpty() && !lines.get(0).isEmpty()) {
                    return basic(admin, lines.get(0));
                }
            } catch (IOException e) {
                // no such file: no account, and the server's 401 says which variables to set
            }
        }
        return null;
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** An answer that is not what was hoped for: its status and the problem's detail. */
    static final class ApiException extends RuntimeException {
        final int status;

        ApiException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    JsonNode upload(byte[] zip, String metadata) {
        String boundary = "----pipelinex" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
                + "Content-Type: application/json\r\n\r\n" + metadata + "\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"project_zip\"; filename=\"project.zip\"\r\n"
                + "Content-Type: application/zip\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(zip);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return json(send(request("api/jobs/upload").header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())), 201));
    }

    JsonNode github(String body) {
        return json(send(request("api/jobs/github").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)), 201));
    }

    JsonNode get(String path) {
        return json(send(request(path).GET(), 200));
    }

    InputStream download(String path) {
        HttpResponse<InputStream> r = exchange(request(path).GET(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            String body;
            try (InputStream in = r.body()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            throw new ApiException(r.statusCode(), detail(r.statusCode(), body));
        }
        return r.body();
    }

    /** One server-sent event. */
    record Event(String id, String name, String data) {
    }

    /**
     * Follows a job's event stream until its {@code end} event, reconnecting with the last event's
     * id when the connection drops; returns the end event.
     */
    Event follow(String jobId, Consumer<Event> onEvent) {
        String lastId = null;
        int failures = 0;
        while (true) {
            HttpRequest.Builder r = request("api/jobs/" + jobId + "/events").header("Accept", "text/event-stream").GET();
            if (lastId != null) {
                r.header("Last-Event-ID", lastId);
            }
            try {
                HttpResponse<Stream<String>> response = http.send(r.build(), HttpResponse.BodyHandlers.ofLines());
                if (response.statusCode() != 200) {
                    throw new ApiException(response.statusCode(), detail(response.statusCode(),
                            String.join("\n", (Iterable<String>) response.body()::iterator)));
                }
                String id = null, name = "message";
                StringBuilder data = new StringBuilder();
                for (String line : (Iterable<String>) response.body()::iterator) {
                    if (line.isEmpty()) {
                        if (data.length() > 0) {
                            Event e = new Event(id, name, data.toString());
                            lastId = id == null ? lastId : id;
                            failures = 0;
                            onEvent.accept(e);
                            if (name.equals("end")) {
                                return e;
                            }
                        }
                        name = "message";
                        data.setLength(0);
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).trim();
                    } else if (line.startsWith("event:")) {
                        name = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        String d = line.substring(5);
                        data.append(data.length() > 0 ? "\n" : "").append(d.startsWith(" ") ? d.substring(1) : d);
                    }
                }
            } catch (IOException e) {
                if (++failures > 5) {
                    throw new java.io.UncheckedIOException("the event stream keeps failing: " + e.getMessage(), e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(1000L * failures);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(10));
        return authorization == null ? b : b.header("Authorization", authorization);
    }

    private String send(HttpRequest.Builder request, int expected) {
        HttpResponse<String> r = exchange(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != expected) {
            throw new ApiException(r.statusCode(), detail(r.statusCode(), r.body()));
        }
        return r.body();
    }

    /** One request and its response, any status; I/O failures and interrupts unchecked. */
    private <T> HttpResponse<T> exchange(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
        try {
            return http.send(request.build(), body);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What a person should read of a refusal: the problem's title and detail, or why there is none. */
    static String detail(int status, String body) {
        if (status == 401) {
            return "the server refused the account, or wants one: set PIPELINEX_USER and PIPELINEX_PASSWORD, "
                    + "PIPELINEX_TOKEN, or PIPELINEX_ADMIN_USER and PIPELINEX_ADMIN_PASSWORD";
        }
        try {
            JsonNode p = JSON.readTree(body);
            if (p != null && p.has("detail")) {
                return p.path("title").asText("refused") + ": " + p.path("detail").asText();
            }
        } catch (IOException e) {
            // not a problem document
        }
        return "HTTP " + status + (body == null || body.isBlank() ? "" : ": " + body.strip());
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new ApiException(0, "the server answered something that is not JSON: " + e.getMessage());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
