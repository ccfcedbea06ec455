package dev.pipelinex.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobState;
import dev.pipelinex.job.JobStatus;
import dev.pipelinex.job.StageState;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.job.Workspaces;
import dev.pipelinex.service.JobTail;
import jakarta.ws.rs.core.GenericType;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower never waits for its reader: whatever way a stream ends other than with the job, its
 * slot is given back and its connection is hung up, so a reader that stops reading holds neither
 * a thread nor a slot.
 */
class EventFollowerTest {

    static final List<String> STAGES = List.of("build");
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final long TIMEOUT = TimeUnit.MILLISECONDS.toNanos(200);

    @TempDir
    Path root;

    private final StreamSlots slots = new StreamSlots();
    private final AtomicInteger hangUps = new AtomicInteger();
    private final AtomicInteger resets = new AtomicInteger();
    private final ExecutorService closer = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopCloser() {
        closer.shutdownNow();
    }

    Workspace job(boolean finished) throws Exception {
        Workspace ws = new Workspaces(root).create();
        JobStatus status = JobStatus.queued(ws.jobId(), List.of(StageState.pending("build")), T0);
        if (finished) {
            status = status.running(1, "local", T0.plusSeconds(1)).finished(JobState.SUCCEEDED, null, T0.plusSeconds(2));
        }
        JobFiles.writeStatus(ws, status);
        Files.createDirectories(ws.stageLog("build").getParent());
        Files.writeString(ws.stageLog("build"), "one\ntwo\n");
        return ws;
    }

    JobEventsResource.Follower follower(Workspace ws, FakeSink sink) {
        return follower(ws, sink, () -> true);
    }

    JobEventsResource.Follower follower(Workspace ws, FakeSink sink, java.util.function.BooleanSupplier handedOver) {
        return new JobEventsResource.Follower(ws, STAGES, JobTail.Cursor.START, sink, new FakeSse(),
                slots.take("alice", 0, 0), TIMEOUT, abort -> {
                    hangUps.incrementAndGet();
                    if (abort) {
                        resets.incrementAndGet();
                    }
                }, handedOver, closer);
    }

    @Test
    void aReaderThatTakesEverythingGetsTheEndAndAClosedStreamNotAHangUp() throws Exception {
        FakeSink sink = new FakeSink();
        sink.writesComplete = true;
        JobEventsResource.Follower f = follower(job(true), sink);
        f.run(); // the opening comment
        f.run(); // every line, the state and the end
        assertEquals(List.of("comment", "log", "log", "state", "end"), sink.names());
        f.run(); // the end is written: the sink is closed off this thread
        assertTrue(sink.closed.await(5, TimeUnit.SECONDS), "the sink is closed");
        for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); slots.open() > 0 && System.nanoTime() < end; ) {
            Thread.sleep(10);
            f.run();
        }
        assertEquals(0, slots.open(), "its slot is given back");
        assertEquals(0, hangUps.get(), "a stream that ended with the job is closed, not hung up");
    }

    @Test
    void aReaderThatStopsReadingIsDroppedAfterTheSendTimeout() throws Exception {
        FakeSink sink = new FakeSink(); // writes never complete: the reader takes nothing
        JobEventsResource.Follower f = follower(job(false), sink);
        long dropped = StreamSlots.droppedCount();
        f.run();
        int sent = sink.sent.size();
        f.run();
        assertEquals(sent, sink.sent.size(), "nothing more is read for a reader that has not taken the last");
        assertEquals(1, slots.open(), "within the send timeout it stays");
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(TIMEOUT) + 50);
        f.run();
        assertEquals(0, slots.open());
        assertEquals(1, resets.get(), "its connection is reset");
        assertEquals(dropped + 1, StreamSlots.droppedCount(), "and counted as dropped");
    }

    @Test
    void nothingIsSentUntilTheRequestsOwnThreadHasGivenTheStreamBack() throws Exception {
        FakeSink sink = new FakeSink();
        sink.writesComplete = true;
        java.util.concurrent.atomic.AtomicBoolean handedOver = new java.util.concurrent.atomic.AtomicBoolean();
        JobEventsResource.Follower f = follower(job(true), sink, handedOver::get);
        f.run();
        f.run();
        assertEquals(List.of(), sink.names(), "the request's thread still writes the response head");
        handedOver.set(true);
        f.run();
        f.run();
        assertEquals(List.of("comment", "log", "log", "state", "end"), sink.names());
    }

    @Test
    void theFirstWriteGoesAloneAndTheEventsFollowOnceItIsDone() throws Exception {
        FakeSink sink = new FakeSink();
        JobEventsResource.Follower f = follower(job(true), sink);
        f.run();
        f.run();
        assertEquals(List.of("comment"), sink.names(), "nothing is sent while the first write is unwritten");
        sink.sent.get(0).complete(null);
        f.run();
        assertEquals(List.of("comment", "log", "log", "state", "end"), sink.names(), "then the rest, in order");
    }

    @Test
    void aReaderThatStallsOnTheEndIsHungUpAndTheCloseDoesNotHoldTheFollower() throws Exception {
        FakeSink sink = new FakeSink();
        sink.writesComplete = true;
        sink.closeBlocks = true; // closing waits for what the reader has not taken
        JobEventsResource.Follower f = follower(job(true), sink);
        f.run();
        f.run();
        f.run(); // starts closing, and returns
        assertEquals(1, slots.open());
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(TIMEOUT) + 50);
        f.run();
        assertEquals(0, slots.open());
        assertEquals(1, resets.get(), "the stalled close is cut by a reset");
    }

    @Test
    void aSinkThatFailsUnderASendEndsTheStreamAndHangsUp() throws Exception {
        FakeSink sink = new FakeSink();
        sink.sendThrows = true; // closed by the container between two steps
        JobEventsResource.Follower f = follower(job(false), sink);
        f.run();
        assertEquals(0, slots.open(), "its slot is given back");
        assertEquals(1, hangUps.get(), "its connection is hung up");
    }

    @Test
    void aFailedWriteEndsTheStreamWithoutCountingADrop() throws Exception {
        FakeSink sink = new FakeSink();
        JobEventsResource.Follower f = follower(job(false), sink);
        long dropped = StreamSlots.droppedCount();
        f.run();
        sink.sent.forEach(w -> w.completeExceptionally(new java.io.IOException("broken pipe")));
        f.run();
        assertEquals(0, slots.open());
        assertEquals(1, hangUps.get());
        assertEquals(0, resets.get(), "a connection that failed is closed, not reset");
        assertEquals(dropped, StreamSlots.droppedCount(), "a reader that left is not a dropped one");
    }

    /** A sink whose writes complete when the test says so. */
    static final class FakeSink implements SseEventSink {
        final List<CompletableFuture<Void>> sent = new ArrayList<>();
        final List<OutboundSseEvent> events = new ArrayList<>();
        final CountDownLatch closed = new CountDownLatch(1);
        volatile boolean writesComplete;
        volatile boolean closeBlocks;
        volatile boolean sendThrows;
        private volatile boolean isClosed;

        @Override
        public boolean isClosed() {
            return isClosed;
        }

        @Override
        public CompletionStage<?> send(OutboundSseEvent event) {
            if (sendThrows) {
                throw new IllegalStateException("the sink is closed");
            }
            events.add(event);
            CompletableFuture<Void> w = writesComplete ? CompletableFuture.completedFuture(null) : new CompletableFuture<>();
            sent.add(w);
            return w;
        }

        @Override
        public void close() {
            isClosed = true;
            if (closeBlocks) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            closed.countDown();
        }

        List<String> names() {
            return events.stream().map(e -> e.getName() == null ? "comment" : e.getName()).toList();
        }
    }

    static final class FakeSse implements Sse {
        @Override
        public OutboundSseEvent.Builder newEventBuilder() {
            return new Builder();
        }

        @Override
        public SseBroadcaster newBroadcaster() {
            throw new UnsupportedOperationException();
        }
    }

    static final class Builder implements OutboundSseEvent.Builder {
        private String id;
        private String name;
        private String comment;
        private Object data;

        @Override
        public OutboundSseEvent.Builder id(String id) {
            this.id = id;
            return this;
        }

        @Override
        public OutboundSseEvent.Builder name(String name) {
            this.name = name;
            return this;
        }

        @Override
        public OutboundSseEvent.Builder reconnectDelay(long milliseconds) {
            return this;
        }

        @Override
        public OutboundSseEvent.Builder mediaType(MediaType mediaType) {
            return this;
        }

        @Override
        public OutboundSseEvent.Builder comment(String comment) {
            this.comment = comment;
            return this;
        }

        @Override
        public OutboundSseEvent.Builder data(Class type, Object data) {
            return data(data);
        }

        @Override
        public OutboundSseEvent.Builder data(GenericType type, Object data) {
            return data(data);
        }

        @Override
        public OutboundSseEvent.Builder data(Object data) {
            this.data = data;
            return this;
        }

        @Override
        public OutboundSseEvent build() {
            String i = id, n = name, c = comment;
            Object d = data;
            return new OutboundSseEvent() {
                public Class<?> getType() { return d == null ? null : d.getClass(); }
                public Type getGenericType() { return getType(); }
                public MediaType getMediaType() { return MediaType.APPLICATION_JSON_TYPE; }
                public Object getData() { return d; }
                public String getId() { return i; }
                public String getName() { return n; }
                public String getComment() { return c; }
                public long getReconnectDelay() { return -1; }
                public boolean isReconnectDelaySet() { return false; }
            };
        }
    }
}
