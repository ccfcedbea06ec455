package dev.pipelinex.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Accounts and roles on a real WildFly: every call needs an account, a submitter sees only its
 * own jobs, a viewer sees all and submits nothing, tokens stand in for passwords, TLS works.
 */
@ExtendWith(ArquillianExtension.class)
class AccessControlIT {

    static final Api owner = Api.local();
    static final Api other = owner.as(Api.OTHER, Api.OTHER_PASSWORD);
    static final Api viewer = owner.as(Api.VIEWER, Api.VIEWER_PASSWORD);
    static final Api admin = owner.as(Api.ADMIN, Api.ADMIN_PASSWORD);
    static String job;

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("it.ear")));
    }

    @BeforeAll
    static void submitOne() throws Exception {
        Api.Reply r = owner.upload(Projects.zip("greeting-service"), Projects.SECRETS_ONLY);
        assertEquals(201, r.status(), r.body());
        assertEquals(Api.SUBMITTER, r.json().path("submitted_by").asText(), "metadata records the submitter");
        job = r.json().path("job_id").asText();
        JsonNode done = owner.awaitFinal(job, Duration.ofMinutes(3));
        assertEquals("SUCCEEDED", done.path("state").path("state").asText(), done.toString());
    }

    @Test
    void everyCallNeedsAnAccount() {
        for (String path : List.of("api/jobs", "api/jobs/" + job, "api/stacks", "api/jobs/" + job + "/reports")) {
            Api.Reply r = owner.anonymous().get(path);
            assertEquals(401, r.status(), path + ": " + r.body());
            List<String> challenges = r.raw().headers().allValues("WWW-Authenticate");
            assertTrue(challenges.stream().anyMatch(c -> c.startsWith("Basic")), "a Basic challenge: " + challenges);
        }
        assertEquals(401, owner.as(Api.SUBMITTER, "not-the-password").get("api/jobs").status(), "a wrong password");
        assertEquals(401, owner.as("nobody", "whatever").get("api/jobs").status(), "an unknown account");
        Api.Reply refused = owner.anonymous().upload(Projects.zip("greeting-service"), Projects.SECRETS_ONLY);
        assertEquals(401, refused.status(), "an anonymous upload is refused");
    }

    @Test
    void aSubmitterCannotSeeAnotherSubmittersJob() {
        for (String path : List.of("api/jobs/" + job, "api/jobs/" + job + "/reports",
                "api/jobs/" + job + "/reports/secrets/log", "api/jobs/" + job + "/reports/secrets/sarif",
                "api/jobs/" + job + "/reports.zip")) {
            assertEquals(200, owner.get(path).status(), "the owner reads " + path);
            Api.Reply r = other.get(path);
            assertEquals(404, r.status(), "another submitter must not read " + path + ": " + r.body());
            assertEquals("application/problem+json", r.contentType());
            assertFalse(r.body().contains(Api.SUBMITTER + "\""), "the answer names nothing of the job");
        }
        assertTrue(ids(owner).contains(job), "the owner lists its job");
        assertFalse(ids(other).contains(job), "another submitter does not list it");
    }

    @Test
    void aViewerSeesEveryJobAndSubmitsNothing() {
        assertEquals(200, viewer.get("api/jobs/" + job).status());
        assertEquals(200, viewer.get("api/jobs/" + job + "/reports/secrets/log").status());
        assertTrue(ids(viewer).contains(job));
        Api.Reply r = viewer.upload(Projects.zip("greeting-service"), Projects.SECRETS_ONLY);
        assertEquals(403, r.status(), r.body());
        assertEquals("application/problem+json", r.contentType());
        assertTrue(r.json().path("detail").asText().contains("submitter"), r.body());
        assertEquals(403, viewer.postJson("api/jobs/github", "{}").status());
    }

    @Test
    void onlyTheSubmitterOrAnAdminMayCancel() {
        assertEquals(404, other.post("api/jobs/" + job + "/cancel").status(), "another submitter: no such job");
        Api.Reply byViewer = viewer.post("api/jobs/" + job + "/cancel");
        assertEquals(403, byViewer.status(), byViewer.body());
        assertTrue(byViewer.json().path("detail").asText().contains("cancel"), byViewer.body());
        assertEquals(409, owner.post("api/jobs/" + job + "/cancel").status(), "the owner may, but the job has ended");
        assertEquals(409, admin.post("api/jobs/" + job + "/cancel").status(), "so may an admin");
    }

    @Test
    void anAdminSeesEveryJob() {
        assertEquals(200, admin.get("api/jobs/" + job).status());
        assertTrue(ids(admin).contains(job));
    }

    @Test
    void aTokenStandsInForThePasswordAndCannotMakeAnother() {
        Api.Reply issued = owner.postJson("api/tokens", "{\"days\": 2}");
        assertEquals(200, issued.status(), issued.body());
        String token = issued.json().path("access_token").asText();
        assertEquals("Bearer", issued.json().path("token_type").asText());
        assertEquals("[\"submitter\"]", issued.json().path("roles").toString());

        Api withToken = owner.withToken(token);
        assertEquals(200, withToken.get("api/jobs/" + job).status(), "the token reads the owner's job");
        assertEquals(404, other.withToken(other.postJson("api/tokens", "").json().path("access_token").asText())
                .get("api/jobs/" + job).status(), "another account's token does not");
        assertEquals(403, withToken.postJson("api/tokens", "").status(), "a token cannot make a token");

        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"iss\":\"pipelinex\",\"aud\":\"pipelinex-api\",\"sub\":\"" + Api.ADMIN + "\",\"groups\":[\"admin\"],"
                        + "\"exp\":4102444800}").getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[2];
        assertEquals(401, owner.withToken(forged).get("api/jobs").status(), "a token with changed claims is refused");
        assertEquals(401, owner.withToken(token.substring(0, token.length() - 4) + "AAAA").get("api/jobs").status(),
                "a token with a wrong signature is refused");

        Api.Reply tooLong = owner.postJson("api/tokens", "{\"days\": 100000}");
        assertEquals(400, tooLong.status());
        assertTrue(tooLong.json().path("detail").asText().contains("days"), tooLong.body());
    }

    @Test
    void basicOverTls() {
        Api tls = Api.localTls().as(Api.SUBMITTER, Api.SUBMITTER_PASSWORD);
        Api.Reply r = tls.get("api/jobs/" + job);
        assertEquals(200, r.status(), r.body());
        assertEquals(401, Api.localTls().get("api/jobs").status());
    }

    private static List<String> ids(Api api) {
        Api.Reply r = api.get("api/jobs?limit=100");
        assertEquals(200, r.status(), r.body());
        List<String> ids = new ArrayList<>();
        r.json().path("jobs").forEach(j -> ids.add(j.path("job_id").asText()));
        return ids;
    }
}
