package dev.pipelinex.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One account queues a batch, another submits one job after it: that job does not wait for the
 * whole batch. The broker starts jobs by priority, which falls with the jobs an account already
 * has in the service; in the order of submission alone, every job of the batch would start first.
 */
@ExtendWith(ArquillianExtension.class)
class FairShareIT {

    static final int BATCH = 20;

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("it.ear")));
    }

    @Test
    void anotherAccountsJobGoesBeforeTheRestOfABatch() throws Exception {
        Api busy = Api.local();
        Api other = busy.as(Api.OTHER, Api.OTHER_PASSWORD);
        byte[] zip = Projects.zip("greeting-service");
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            batch.add(created(busy.upload(zip, Projects.SECRETS_ONLY)));
        }
        String single = created(other.upload(zip, Projects.SECRETS_ONLY));

        Instant singleStarted = started(busy.as(Api.OTHER, Api.OTHER_PASSWORD), single);
        int before = 0;
        for (String id : batch) {
            if (started(busy, id).isBefore(singleStarted)) {
                before++;
            }
        }
        // The server runs two jobs at once: a few of the batch start while it is still being
        // submitted, one more may have been taken by a worker before the single job arrived.
        assertTrue(before <= BATCH / 2, before + " of the batch of " + BATCH + " started before the other account's"
                + " job, which was submitted after all of them; first come, first served would give " + BATCH);
    }

    private static String created(Api.Reply reply) {
        assertEquals(201, reply.status(), reply.body());
        return reply.json().path("job_id").asText();
    }

    /** When the job's first stage started (the stages not planned have none), once the job has ended. */
    private static Instant started(Api as, String id) throws InterruptedException {
        JsonNode job = as.awaitFinal(id, Duration.ofMinutes(5));
        JsonNode state = job.path("state");
        assertEquals("SUCCEEDED", state.path("state").asText(), job.toString());
        Instant first = null;
        for (JsonNode stage : state.path("stages")) {
            if (stage.hasNonNull("started_at")) {
                Instant at = Instant.parse(stage.path("started_at").asText());
                first = first == null || at.isBefore(first) ? at : first;
            }
        }
        assertTrue(first != null, "a stage of the job started: " + job);
        return first;
    }
}
