package dev.pipelinex.api;

import dev.pipelinex.index.JobIndex;
import dev.pipelinex.job.JobState;
import dev.pipelinex.repository.RepositoryCounters;
import dev.pipelinex.service.JobCounters;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /metrics}: PipelineX's own metrics in the Prometheus text format. Gauges come from
 * the {@link JobIndex} (every job this installation keeps, by state; queued jobs are the queue's
 * depth), counters and the stage-duration histogram from what this node did since it started.
 * Only numbers: no job ids, accounts or project names. The server's own metrics (JVM, messaging,
 * transactions) are at {@code http://127.0.0.1:9990/metrics} on the management interface.
 */
@WebServlet("/metrics")
public class MetricsServlet extends HttpServlet {

    @Inject
    private JobIndex index;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Map<JobState, Integer> byState = index.countsByState();
        StringBuilder out = new StringBuilder();
        out.append("# HELP pipelinex_jobs Jobs this installation keeps, by state.\n# TYPE pipelinex_jobs gauge\n");
        byState.forEach((s, n) -> out.append("pipelinex_jobs{state=\"").append(s.name().toLowerCase(Locale.ROOT))
                .append("\"} ").append(n).append('\n'));
        out.append("# HELP pipelinex_queue_depth Jobs waiting to run (state QUEUED).\n# TYPE pipelinex_queue_depth gauge\n")
                .append("pipelinex_queue_depth ").append(byState.get(JobState.QUEUED)).append('\n');
        out.append("# HELP pipelinex_jobs_running Jobs running now.\n# TYPE pipelinex_jobs_running gauge\n")
                .append("pipelinex_jobs_running ").append(byState.get(JobState.RUNNING)).append('\n');
        out.append("# HELP pipelinex_jobs_submitted_total Jobs this node accepted since it started.\n")
                .append("# TYPE pipelinex_jobs_submitted_total counter\n")
                .append("pipelinex_jobs_submitted_total ").append(JobCounters.submittedCount()).append('\n');
        out.append("# HELP pipelinex_jobs_ended_total Jobs this node brought to a final state since it started.\n")
                .append("# TYPE pipelinex_jobs_ended_total counter\n");
        for (JobState s : new JobState[] {JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED}) {
            out.append("pipelinex_jobs_ended_total{state=\"").append(s.name().toLowerCase(Locale.ROOT)).append("\"} ")
                    .append(JobCounters.endedCount(s)).append('\n');
        }
        out.append("# HELP pipelinex_stage_duration_seconds How long stages ran on this node since it started.\n")
                .append("# TYPE pipelinex_stage_duration_seconds histogram\n");
        for (Map.Entry<String, JobCounters.Histogram> e : new TreeMap<>(JobCounters.stages()).entrySet()) {
            String stage = e.getKey();
            JobCounters.Histogram h = e.getValue();
            for (int i = 0; i < JobCounters.BUCKETS.length; i++) {
                out.append("pipelinex_stage_duration_seconds_bucket{stage=\"").append(stage).append("\",le=\"")
                        .append(format(JobCounters.BUCKETS[i])).append("\"} ").append(h.bucket(i)).append('\n');
            }
            out.append("pipelinex_stage_duration_seconds_bucket{stage=\"").append(stage).append("\",le=\"+Inf\"} ")
                    .append(h.count()).append('\n');
            out.append("pipelinex_stage_duration_seconds_sum{stage=\"").append(stage).append("\"} ")
                    .append(format(h.sum())).append('\n');
            out.append("pipelinex_stage_duration_seconds_count{stage=\"").append(stage).append("\"} ")
                    .append(h.count()).append('\n');
        }
        repository(out);
        streams(out);
        signIns(out);
        resp.setContentType("text/plain; version=0.0.4; charset=utf-8");
        resp.getWriter().write(out.toString());
    }

    static String format(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** Failed sign-ins on this node and what the throttle did about them. */
    private static void signIns(StringBuilder out) {
        dev.pipelinex.access.SignInThrottle t = SignInGuard.throttle();
        if (t == null) {
            return;
        }
        out.append("# HELP pipelinex_signin_failures_total Failed HTTP Basic sign-ins on this node.\n")
                .append("# TYPE pipelinex_signin_failures_total counter\n")
                .append("pipelinex_signin_failures_total ").append(t.failureCount()).append('\n');
        out.append("# HELP pipelinex_signin_refused_total Sign-ins refused unchecked because their account or address ")
                .append("had to wait (slowed) or was locked.\n# TYPE pipelinex_signin_refused_total counter\n")
                .append("pipelinex_signin_refused_total{reason=\"slowed\"} ").append(t.refusedCount(false)).append('\n')
                .append("pipelinex_signin_refused_total{reason=\"locked\"} ").append(t.refusedCount(true)).append('\n');
        out.append("# HELP pipelinex_signin_locked Accounts and addresses whose sign-ins are locked now.\n")
                .append("# TYPE pipelinex_signin_locked gauge\n")
                .append("pipelinex_signin_locked ").append(t.lockedNow()).append('\n');
    }

    /** The event streams of this node: open now, dropped for a reader that did not read, refused at a limit. */
    private static void streams(StringBuilder out) {
        out.append("# HELP pipelinex_event_streams Event streams open on this node.\n# TYPE pipelinex_event_streams gauge\n")
                .append("pipelinex_event_streams ").append(StreamSlots.node().open()).append('\n');
        out.append("# HELP pipelinex_event_streams_dropped_total Event streams this node closed because their reader left "
                        + "events unread for the send timeout.\n# TYPE pipelinex_event_streams_dropped_total counter\n")
                .append("pipelinex_event_streams_dropped_total ").append(StreamSlots.droppedCount()).append('\n');
        out.append("# HELP pipelinex_event_streams_refused_total Event streams this node refused at a limit.\n"
                        + "# TYPE pipelinex_event_streams_refused_total counter\n")
                .append("pipelinex_event_streams_refused_total ").append(StreamSlots.refusedCount()).append('\n');
    }

    /** The repository proxy of this node: files served from what it kept, fetched from upstream, refused; bytes. */
    private static void repository(StringBuilder out) {
        out.append("# HELP pipelinex_repository_requests_total Files the repository proxy answered since it started, by outcome ")
                .append("(hit: from what it kept; miss: fetched from upstream and checked; refused).\n")
                .append("# TYPE pipelinex_repository_requests_total counter\n")
                .append("pipelinex_repository_requests_total{outcome=\"hit\"} ").append(RepositoryCounters.hits()).append('\n')
                .append("pipelinex_repository_requests_total{outcome=\"miss\"} ").append(RepositoryCounters.misses()).append('\n')
                .append("pipelinex_repository_requests_total{outcome=\"refused\"} ").append(RepositoryCounters.refusals()).append('\n');
        out.append("# HELP pipelinex_repository_bytes_total Bytes the repository proxy fetched from upstream and served to stages.\n")
                .append("# TYPE pipelinex_repository_bytes_total counter\n")
                .append("pipelinex_repository_bytes_total{direction=\"upstream\"} ").append(RepositoryCounters.upstreamBytes()).append('\n')
                .append("pipelinex_repository_bytes_total{direction=\"served\"} ").append(RepositoryCounters.servedBytes()).append('\n');
    }
}
