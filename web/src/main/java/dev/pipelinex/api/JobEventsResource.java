package dev.pipelinex.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pipelinex.access.Caller;
import dev.pipelinex.config.Settings;
import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobStatus;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.service.JobQueries;
import dev.pipelinex.service.JobTail;
import io.undertow.server.ServerConnection;
import io.undertow.servlet.handlers.ServletRequestContext;
import io.undertow.servlet.spec.AsyncContextImpl;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.xnio.IoUtils;
import org.xnio.Options;

/**
 * {@code GET /api/jobs/{id}/events}: the job as server-sent events. {@code state} carries
 * state.json whenever it changes, {@code log} each line a stage writes
 * ({@code {"stage", "line"}}), and {@code end} closes the stream once the job is final. Every
 * event's id is a cursor: a client that reconnects with {@code Last-Event-ID} gets what it missed.
 * Each follower is a short task on the server's scheduled executor every 250 ms, so followers
 * never hold a thread between steps, and none waits for its reader: events are written
 * asynchronously, once the request's own thread has given the stream back, and while the last
 * ones are still unwritten the follower reads nothing more (its cursor stays where the reader is).
 * A reader that leaves an event unread for {@code pipelinex.events.send-timeout-seconds} is
 * dropped: its connection is reset without an {@code end}, and it may reconnect with its
 * {@code Last-Event-ID}. However else a stream ends short of the job's end (its sink closed, a
 * write failed), its connection is closed too; and a stream that did end with the job is closed
 * off the follower's thread, since closing waits for the reader to take the rest. Streams are
 * limited per node and per account ({@link StreamSlots}).
 */
@Path("/jobs/{id}/events")
@RequestScoped
public class JobEventsResource {

    private static final Logger LOG = Logger.getLogger(JobEventsResource.class.getName());
    static final long STEP_MILLIS = 250;
    static final long HEARTBEAT_MILLIS = 15_000;

    @Inject
    private JobQueries queries;

    @Inject
    private Settings settings;

    @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
    private ManagedScheduledExecutorService scheduler;

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    private ManagedExecutorService closer;

    @Context
    private SecurityContext security;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("id") String id, @HeaderParam("Last-Event-ID") String lastEventId,
                       @Context SseEventSink sink, @Context Sse sse) {
        Caller caller = Callers.of(security);
        JobQueries.JobView job = queries.get(id, caller::maySee);
        Workspace ws = settings.workspaces().find(id).orElseThrow();
        StreamSlots.Slot slot = StreamSlots.node().take(caller.name(), settings.maxEventStreams(),
                settings.maxEventStreamsPerAccount());
        try {
            // Hanging up closes the connection itself: closing the sink would wait for what its reader has not read.
            ServletRequestContext request = ServletRequestContext.requireCurrent();
            ServerConnection connection = request.getExchange().getConnection();
            // RESTEasy writes the response head on this thread once this method returns, blocking (as
            // on any request's own thread) until the I/O thread has written it; the follower touches
            // the sink only once the container has the request back, so the two never overlap.
            AsyncContextImpl async = request.getOriginalRequest().getAsyncContextInternal();
            BooleanSupplier handedOver = () -> async == null || async.isInitialRequestDone();
            Follower follower = new Follower(ws, job.metadata().stages(), JobTail.Cursor.parse(lastEventId), sink, sse,
                    slot, settings.eventSendTimeout().toNanos(), abort -> hangUp(connection, abort), handedOver, closer);
            follower.future = scheduler.scheduleWithFixedDelay(follower, 0, STEP_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            slot.release();
            throw e;
        }
    }

    /**
     * Closes a stream's connection on its own I/O thread. An abortive close (a reset) also throws
     * away what the kernel still holds for a reader that stopped reading; otherwise it would trickle
     * out for as long as that reader takes, and hold its memory meanwhile.
     */
    private static void hangUp(ServerConnection connection, boolean abort) {
        connection.getIoThread().execute(() -> {
            if (abort) {
                try {
                    connection.setOption(Options.CLOSE_ABORT, true);
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.FINE, "an abortive close could not be set", e);
                }
            }
            IoUtils.safeClose(connection);
        });
    }

    /** Closes a stream's connection, abortively or not. */
    interface Connection {
        void hangUp(boolean abort);
    }

    /** One client following one job. */
    static final class Follower implements Runnable {
        private final Workspace ws;
        private final List<String> stages;
        private final SseEventSink sink;
        private final Sse sse;
        private final StreamSlots.Slot slot;
        private final long sendTimeoutNanos;
        private final Connection connection;
        private JobTail.Cursor cursor;
        private long lastSent = System.nanoTime();
        /** The events of the last step still being written, and since when. */
        private CompletableFuture<?> unwritten = CompletableFuture.completedFuture(null);
        private long writingSince;
        private boolean ended;
        /** Whether the stream's first write was handed to the sink. */
        private boolean opened;
        /** Closing the sink once the end is written; runs on {@link #closer}. */
        private CompletableFuture<Void> closing;
        private final Executor closer;
        /** Whether the request's own thread is done with the sink. */
        private final BooleanSupplier handedOver;
        volatile ScheduledFuture<?> future;

        Follower(Workspace ws, List<String> stages, JobTail.Cursor cursor, SseEventSink sink, Sse sse,
                 StreamSlots.Slot slot, long sendTimeoutNanos, Connection connection, BooleanSupplier handedOver,
                 Executor closer) {
            this.ws = ws;
            this.stages = stages;
            this.cursor = cursor;
            this.sink = sink;
            this.sse = sse;
            this.slot = slot;
            this.sendTimeoutNanos = sendTimeoutNanos;
            this.connection = connection;
            this.closer = closer;
            this.handedOver = handedOver;
        }

        @Override
        public synchronized void run() {
            try {
                if (!opened && !handedOver.getAsBoolean()) {
                    return; // the request's thread has not yet given the stream back to the container
                }
                if (closing != null) {
                    if (closing.isDone()) {
                        LOG.fine("event stream of job " + ws.jobId() + " ended with the job");
                        stop();
                    } else if (overdue()) {
                        hangUp("its reader did not take the end of the stream for " + timeoutText(), true);
                    }
                    return;
                }
                if (sink.isClosed()) {
                    hangUp("its sink was closed", false);
                    return;
                }
                if (!unwritten.isDone()) {
                    if (overdue()) {
                        hangUp("its reader left events unread for " + timeoutText(), true);
                    }
                    return;
                }
                if (unwritten.isCompletedExceptionally()) {
                    hangUp("an event could not be written (" + unwritten.handle((v, e) -> String.valueOf(e)).join() + ")",
                            false);
                    return;
                }
                writingSince = System.nanoTime();
                if (!opened) {
                    // RESTEasy's sink queues what is sent until its first write is done, and may leave
                    // an event sent just as that write completes in its queue for good: the first
                    // write goes alone, and the events follow once it is done.
                    opened = true;
                    unwritten = send(sse.newEventBuilder().comment("job " + ws.jobId()).build());
                    return;
                }
                if (ended) {
                    // Closing the sink waits for what its reader has not taken yet: not on this thread.
                    closing = CompletableFuture.runAsync(this::closeSink, closer);
                    return;
                }
                List<CompletableFuture<?>> writes = new ArrayList<>();
                JobTail.Step step = JobTail.since(ws, stages, cursor);
                for (JobTail.Event e : step.events()) {
                    String data = e.type().equals("log") ? logLine(e) : e.data();
                    writes.add(send(sse.newEventBuilder().id(e.cursor().format()).name(e.type())
                            .mediaType(MediaType.APPLICATION_JSON_TYPE).data(data).build()));
                }
                cursor = step.cursor();
                JobStatus status = step.status().orElse(null);
                if (step.last()) {
                    ObjectNode end = JobFiles.json().createObjectNode();
                    end.put("job_id", ws.jobId());
                    end.put("state", status == null ? "GONE" : status.state().name());
                    writes.add(send(sse.newEventBuilder().id(cursor.format()).name("end")
                            .mediaType(MediaType.APPLICATION_JSON_TYPE).data(end.toString()).build()));
                    ended = true; // closed once the end is written, or dropped if it is not
                } else if (System.nanoTime() - lastSent > TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_MILLIS)) {
                    writes.add(send(sse.newEventBuilder().comment("still running").build()));
                }
                unwritten = CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
            } catch (RuntimeException e) {
                // The sink closed under a send, or the job's files could not be read: the stream is of no more use.
                LOG.log(Level.INFO, "event stream of job " + ws.jobId() + " ended: " + e, e);
                hangUp("it failed", false);
            }
        }

        /**
         * Ends the stream without an {@code end}, closing its connection: the reader may reconnect
         * with its {@code Last-Event-ID}. A dropped stream is one whose reader stopped reading.
         */
        private void hangUp(String why, boolean dropped) {
            if (dropped) {
                StreamSlots.dropped();
                LOG.info("event stream of job " + ws.jobId() + " dropped: " + why);
            } else {
                LOG.fine("event stream of job " + ws.jobId() + " ended: " + why);
            }
            stop();
            connection.hangUp(dropped);
        }

        /** Whether what was last handed to the sink has waited longer than the send timeout. */
        private boolean overdue() {
            return System.nanoTime() - writingSince > sendTimeoutNanos;
        }

        private String timeoutText() {
            return TimeUnit.NANOSECONDS.toSeconds(sendTimeoutNanos) + " s";
        }

        private void closeSink() {
            try {
                sink.close();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "event stream of job " + ws.jobId() + ": closing its sink failed", e);
            }
        }

        /** Starts writing an event; never waits for it. */
        private CompletableFuture<?> send(jakarta.ws.rs.sse.OutboundSseEvent event) {
            lastSent = System.nanoTime();
            return sink.send(event).toCompletableFuture();
        }

        private void stop() {
            slot.release();
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
        }

        private static String logLine(JobTail.Event e) {
            ObjectNode n = JobFiles.json().createObjectNode();
            n.put("stage", e.stage());
            n.put("line", e.data());
            return n.toString();
        }
    }
}
