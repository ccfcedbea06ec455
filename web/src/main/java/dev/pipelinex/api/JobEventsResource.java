package dev.pipelinex.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pipelinex.config.Settings;
import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobStatus;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.service.JobQueries;
import dev.pipelinex.service.JobTail;
import jakarta.annotation.Resource;
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
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code GET /api/jobs/{id}/events}: the job as server-sent events. {@code state} carries
 * state.json whenever it changes, {@code log} each line a stage writes
 * ({@code {"stage", "line"}}), and {@code end} closes the stream once the job is final. Every
 * event's id is a cursor: a client that reconnects with {@code Last-Event-ID} gets what it missed.
 * Each follower is a short task on the server's scheduled executor every 250 ms, so followers
 * never hold a thread between steps.
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

    @Context
    private SecurityContext security;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("id") String id, @HeaderParam("Last-Event-ID") String lastEventId,
                       @Context SseEventSink sink, @Context Sse sse) {
        JobQueries.JobView job = queries.get(id, Callers.of(security)::maySee);
        Workspace ws = settings.workspaces().find(id).orElseThrow();
        Follower follower = new Follower(ws, job.metadata().stages(), JobTail.Cursor.parse(lastEventId), sink, sse);
        follower.future = scheduler.scheduleWithFixedDelay(follower, 0, STEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** One client following one job. */
    static final class Follower implements Runnable {
        private final Workspace ws;
        private final List<String> stages;
        private final SseEventSink sink;
        private final Sse sse;
        private JobTail.Cursor cursor;
        private long lastSent = System.nanoTime();
        volatile ScheduledFuture<?> future;

        Follower(Workspace ws, List<String> stages, JobTail.Cursor cursor, SseEventSink sink, Sse sse) {
            this.ws = ws;
            this.stages = stages;
            this.cursor = cursor;
            this.sink = sink;
            this.sse = sse;
        }

        @Override
        public synchronized void run() {
            try {
                if (sink.isClosed()) {
                    stop();
                    return;
                }
                JobTail.Step step = JobTail.since(ws, stages, cursor);
                for (JobTail.Event e : step.events()) {
                    String data = e.type().equals("log") ? logLine(e) : e.data();
                    send(sse.newEventBuilder().id(e.cursor().format()).name(e.type())
                            .mediaType(MediaType.APPLICATION_JSON_TYPE).data(data).build());
                }
                cursor = step.cursor();
                JobStatus status = step.status().orElse(null);
                if (status == null || status.state().isFinal()) {
                    ObjectNode end = JobFiles.json().createObjectNode();
                    end.put("job_id", ws.jobId());
                    end.put("state", status == null ? "GONE" : status.state().name());
                    send(sse.newEventBuilder().id(cursor.format()).name("end")
                            .mediaType(MediaType.APPLICATION_JSON_TYPE).data(end.toString()).build());
                    sink.close();
                    stop();
                } else if (System.nanoTime() - lastSent > TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_MILLIS)) {
                    send(sse.newEventBuilder().comment("still running").build());
                }
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "event stream of job " + ws.jobId() + " ended", e);
                try {
                    sink.close();
                } catch (RuntimeException ignored) {
                    // already gone
                }
                stop();
            }
        }

        private void send(jakarta.ws.rs.sse.OutboundSseEvent event) {
            sink.send(event).toCompletableFuture().join();
            lastSent = System.nanoTime();
        }

        private void stop() {
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
