package dev.pipelinex.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Following a job live over server-sent events, and picking up where a dropped stream left off. */
@ExtendWith(ArquillianExtension.class)
class EventsIT {

    static final String METADATA = """
            {"stack": {"language": "java", "framework": "spring-boot", "build_tool": "maven"},
             "pipeline": {"run_build": true, "run_unit_tests": true, "run_sast": false,
                          "run_sca": false, "run_secret_scan": true}}""";

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("it.ear")));
    }

    @Test
    void aJobCanBeFollowedToItsEndAndResumed() throws Exception {
        Api api = Api.local();
        Api.Reply created = api.upload(Projects.zip("greeting-service"), METADATA);
        assertEquals(201, created.status(), created.body());
        String id = created.json().path("job_id").asText();

        List<Api.Event> events = api.events("api/jobs/" + id + "/events", null);
        Api.Event last = events.get(events.size() - 1);
        assertEquals("end", last.name(), "the stream ends with the job: " + last);
        assertEquals("SUCCEEDED", Api.JSON.readTree(last.data()).path("state").asText());

        List<String> states = new ArrayList<>();
        for (Api.Event e : events) {
            if (e.name().equals("state")) {
                states.add(Api.JSON.readTree(e.data()).path("state").asText());
            }
        }
        assertTrue(states.contains("RUNNING"), "the follower saw the job running, live: " + states);
        assertEquals("SUCCEEDED", states.get(states.size() - 1));

        // Every line of every stage log, in order, exactly once.
        for (String stage : List.of("resolve", "build", "test", "secrets")) {
            List<String> streamed = lines(events, stage);
            String log = api.get("api/jobs/" + id + "/reports/" + stage + "/log").body();
            assertEquals(Arrays.asList(log.split("\n")), streamed, "the " + stage + " log as streamed");
        }

        // A client that lost the stream after the third line of the build log.
        Api.Event third = events.stream().filter(e -> e.name().equals("log") && e.data().contains("\"stage\":\"build\""))
                .skip(2).findFirst().orElseThrow();
        List<Api.Event> resumed = api.events("api/jobs/" + id + "/events", third.id());
        List<String> wholeBuild = lines(events, "build");
        assertEquals(wholeBuild.subList(3, wholeBuild.size()), lines(resumed, "build"), "the rest of the build log");
        assertEquals(lines(events, "test"), lines(resumed, "test"), "and everything after it");
        assertEquals("end", resumed.get(resumed.size() - 1).name());

        assertEquals(404, api.as(Api.OTHER, Api.OTHER_PASSWORD).get("api/jobs/" + id + "/events").status(),
                "another submitter cannot follow the job");
    }

    private static List<String> lines(List<Api.Event> events, String stage) {
        return events.stream().filter(e -> e.name().equals("log")).map(e -> {
            try {
                return Api.JSON.readTree(e.data());
            } catch (java.io.IOException x) {
                throw new AssertionError(x);
            }
        }).filter(n -> n.path("stage").asText().equals(stage)).map(n -> n.path("line").asText())
                .collect(Collectors.toList());
    }
}
