package dev.pipelinex.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Readers that open a job's event stream and never read do not hold the server: 64 of them on a
 * job with megabytes of log, and a fresh reader still follows another job live to its end. Past
 * the per-account limit a stream is refused with 429, and once the send timeout has passed the
 * stalled streams are dropped. The test server allows 70 streams per account
 * ({@code pipelinex.events.max-streams-per-account}) and a send timeout of 30 s.
 */
@ExtendWith(ArquillianExtension.class)
class StalledReadersIT {

    static final int STALLED = 64;
    static final int PER_ACCOUNT = 70;
    /** Streams that may end by themselves: the kernel's buffers of a few take the whole log before the rest stall. */
    static final int SLACK = 8;
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final Api api = Api.local();
    private final Api viewer = api.as(Api.VIEWER, Api.VIEWER_PASSWORD);

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("it.ear")));
    }

    /** A unit test that prints about 9 MiB, past the test server's 8 MiB log cap. */
    private static final String LOUD_TEST = """
            package com.example.greeting;

            import org.junit.jupiter.api.Test;

            class LoudTest {
                @Test
                void printsALot() {
                    String row = "LOUD " + "l".repeat(115);
                    for (int i = 0; i < 80_000; i++) {
                        System.out.println(row);
                    }
                }
            }
            """;

    @Test
    void stalledReadersNeitherHoldTheServerNorKeepTheirStreams() throws Exception {
        String loud = PipelineIT.submitted(api.upload(Projects.zip("greeting-service", "",
                Map.of(PipelineIT.TESTS + "LoudTest.java", LOUD_TEST), Set.of()), Projects.BUILD_AND_TESTS));
        JsonNode loudJob = api.awaitFinal(loud, Duration.ofMinutes(10));
        assertEquals("SUCCEEDED", loudJob.path("state").path("state").asText(), loudJob.toString());
        long droppedBefore = api.metric("pipelinex_event_streams_dropped_total");

        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < STALLED; i++) {
                stalled.add(openStalled(loud).orElseThrow(() -> new AssertionError("a stream within the limits was refused")));
            }
            Thread.sleep(2_000); // their buffers fill: the server has more to write than they take
            long open = api.metric("pipelinex_event_streams");
            assertTrue(open >= STALLED - SLACK && open <= STALLED, "the stalled streams are open: " + open);

            // The account's limit: 70 streams; the next is refused with a problem that names it.
            String refusal = null;
            for (int i = 0; i < PER_ACCOUNT && refusal == null; i++) {
                Socket s = new Socket();
                Optional<Socket> more = openStalled(loud, s);
                if (more.isPresent()) {
                    stalled.add(more.get());
                } else {
                    refusal = readAll(s);
                    s.close();
                }
            }
            assertTrue(refusal != null, "a stream past the account's limit is refused");
            assertTrue(refusal.startsWith("HTTP/1.1 429"), refusal);
            assertTrue(refusal.contains("application/problem+json"), refusal);
            assertTrue(refusal.contains(":too-many-streams"), refusal);
            assertTrue(refusal.contains("pipelinex.events.max-streams-per-account=70"), refusal);
            assertTrue(refusal.toLowerCase(java.util.Locale.ROOT).contains("retry-after:"), "a refusal says when to come back");
            assertTrue(refusal.contains("has " + PER_ACCOUNT + " event streams open"), "refused at the limit: " + refusal);

            // A fresh reader of another account follows a new job live to its end meanwhile.
            String fresh = PipelineIT.submitted(api.upload(Projects.zip("greeting-service"), Projects.BUILD_ONLY));
            CompletableFuture<List<Api.Event>> followed = CompletableFuture.supplyAsync(
                    () -> viewer.events("api/jobs/" + fresh + "/events", null));
            List<Api.Event> events = followed.get(3, TimeUnit.MINUTES);
            Api.Event last = events.get(events.size() - 1);
            assertEquals("end", last.name(), "the fresh reader's stream ends with the job: " + events);
            assertTrue(last.data().contains("\"SUCCEEDED\""), last.data());
            assertTrue(events.stream().anyMatch(e -> e.name().equals("state") && e.data().contains("\"RUNNING\"")),
                    "it saw the job running, live: " + events);

            // Past the send timeout the stalled streams are dropped, not waited for.
            long deadline = System.nanoTime() + SEND_TIMEOUT.plusSeconds(45).toNanos();
            while (api.metric("pipelinex_event_streams") > 0 && System.nanoTime() < deadline) {
                Thread.sleep(1_000);
            }
            assertEquals(0, api.metric("pipelinex_event_streams"), "every stalled stream was dropped");
            long dropped = api.metric("pipelinex_event_streams_dropped_total") - droppedBefore;
            assertTrue(dropped >= PER_ACCOUNT - SLACK && dropped <= PER_ACCOUNT, "and counted as dropped: " + dropped);
            int withoutEnd = 0;
            for (Socket s : stalled) {
                String rest = readAll(s);
                assertTrue(rest.contains("event: log"), "a dropped reader got what was written before it stalled");
                if (!rest.contains("event: end")) {
                    withoutEnd++; // no end: it may reconnect with its Last-Event-ID
                }
            }
            assertTrue(withoutEnd >= dropped, "each dropped stream's connection was closed without an end: " + withoutEnd);
            Optional<Socket> again = openStalled(loud);
            assertTrue(again.isPresent(), "the account may open streams again");
            stalled.add(again.get());
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    private Optional<Socket> openStalled(String jobId) throws IOException {
        return openStalled(jobId, new Socket());
    }

    /**
     * Opens the job's event stream on {@code s} and reads only the status line: the socket when it
     * is 200, empty when it is refused (the rest unread). The receive buffer is small beside the
     * job's log, so the stream stalls, yet larger than loopback's segment size (64 KiB): below
     * that the kernel advertises a zero window until a probe, and the stream would hardly move.
     */
    private Optional<Socket> openStalled(String jobId, Socket s) throws IOException {
        String user = Api.SUBMITTER, password = Api.SUBMITTER_PASSWORD;
        s.setReceiveBufferSize(256 * 1024);
        s.connect(new InetSocketAddress(api.base().getHost(), api.base().getPort()), 10_000);
        s.setSoTimeout(30_000);
        String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().write(("GET /api/jobs/" + jobId + "/events HTTP/1.1\r\nHost: " + api.base().getHost()
                + "\r\nAccept: text/event-stream\r\nConnection: close\r\nAuthorization: Basic " + auth + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = s.getInputStream();
        ByteArrayOutputStream status = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
            status.write(c);
        }
        String line = status.toString(StandardCharsets.ISO_8859_1);
        if (line.contains(" 429")) {
            pushBack = line + "\n";
            return Optional.empty();
        }
        assertTrue(line.contains(" 200"), "stream opened: " + line);
        return Optional.of(s);
    }

    /** The status line {@link #openStalled} read of a refused stream. */
    private String pushBack = "";

    /**
     * What is left on a connection, up to its end or its reset (after a refusal's status line: the
     * whole answer). A dropped stream's connection is reset: what the kernel had received before
     * is still read first.
     */
    private String readAll(Socket s) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(pushBack.getBytes(StandardCharsets.ISO_8859_1));
        pushBack = "";
        byte[] buf = new byte[65536];
        s.setSoTimeout(30_000);
        try {
            for (int n; (n = s.getInputStream().read(buf)) >= 0; ) {
                all.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the dropped stream's connection stayed open (" + all.size() + " bytes read)", e);
        } catch (SocketException e) {
            assertTrue(String.valueOf(e.getMessage()).contains("reset"), "the connection ended by a reset: " + e);
        }
        return all.toString(StandardCharsets.UTF_8);
    }
}
