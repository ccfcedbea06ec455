package dev.pipelinex.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fifty submissions at the same moment, from fifty clients, while others read the jobs: every
 * one is accepted or refused with a clear answer, and every accepted job reaches a final state.
 * Prints the time to drain and the API's p50 and p99 under that load (figures, not assertions).
 */
@ExtendWith(ArquillianExtension.class)
class LoadIT {

    static final int JOBS = 50;

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("it.ear")));
    }

    @Test
    void fiftyConcurrentSubmissionsAllEnd() throws Exception {
        Api api = Api.local();
        byte[] zip = Projects.zip("greeting-service");
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        Set<String> ids = ConcurrentHashMap.newKeySet();
        ExecutorService clients = Executors.newFixedThreadPool(JOBS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Api.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            replies.add(clients.submit(() -> {
                start.await();
                return timed(latencies, () -> api.upload(zip, Projects.SECRETS_ONLY));
            }));
        }
        long t0 = System.nanoTime();
        start.countDown();
        for (Future<Api.Reply> f : replies) {
            Api.Reply r = f.get(5, TimeUnit.MINUTES);
            assertEquals(201, r.status(), "a submission under load: " + r.body());
            ids.add(r.json().path("job_id").asText());
        }
        long submitted = System.nanoTime();
        assertEquals(JOBS, ids.size(), "every submission has its own job");

        // Readers poll every job until all are final, as dashboards and CLIs would.
        Set<String> open = ConcurrentHashMap.newKeySet();
        open.addAll(ids);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            List<Future<?>> polls = new ArrayList<>();
            for (String id : List.copyOf(open)) {
                polls.add(clients.submit(() -> {
                    Api.Reply r = timed(latencies, () -> api.get("api/jobs/" + id));
                    assertEquals(200, r.status(), r.body());
                    String state = r.json().path("state").path("state").asText();
                    if (state.matches("SUCCEEDED|FAILED|CANCELLED")) {
                        open.remove(id);
                    }
                    return null;
                }));
            }
            timed(latencies, () -> api.get("api/jobs?limit=100"));
            for (Future<?> p : polls) {
                p.get(2, TimeUnit.MINUTES);
            }
            Thread.sleep(500);
        }
        long drained = System.nanoTime();
        clients.shutdownNow();
        assertTrue(open.isEmpty(), "jobs that never ended: " + open);

        Set<String> listed = new HashSet<>();
        for (int offset = 0; ; offset += 100) {
            JsonNode page = api.get("api/jobs?limit=100&offset=" + offset).json();
            page.path("jobs").forEach(j -> listed.add(j.path("job_id").asText()));
            if (page.path("jobs").size() < 100) {
                break;
            }
        }
        assertTrue(listed.containsAll(ids), "every job is listed");
        int succeeded = 0;
        for (String id : ids) {
            JsonNode job = api.get("api/jobs/" + id).json();
            succeeded += job.path("state").path("state").asText().equals("SUCCEEDED") ? 1 : 0;
        }
        assertEquals(JOBS, succeeded, "every job of a clean project succeeds");

        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf("load: %d jobs submitted at once in %.1f s, drained %.1f s after the first "
                        + "submission (%.2f jobs/s); API answers under load: %d, p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                JOBS, (submitted - t0) / 1e9, (drained - t0) / 1e9, JOBS / ((drained - t0) / 1e9), sorted.size(),
                pct(sorted, 50), pct(sorted, 99), sorted.get(sorted.size() - 1) / 1e6);
    }

    interface Call {
        Api.Reply call() throws Exception;
    }

    static Api.Reply timed(List<Long> latencies, Call call) throws Exception {
        long t = System.nanoTime();
        Api.Reply r = call.call();
        latencies.add(System.nanoTime() - t);
        return r;
    }

    static double pct(List<Long> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, i)) / 1e6;
    }
}
