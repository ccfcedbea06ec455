package dev.pipelinex.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Guessing a password is slowed, then locked out: the test server's account 'lockme' gets 5
 * failed sign-ins for free, the 6th makes the next attempt wait, the 7th locks it
 * ({@code pipelinex.signin.lock-failures=7}), and then even its right password is refused with
 * 429 while other accounts from the same address sign in as before. The logs and the metrics
 * show it.
 */
@ExtendWith(ArquillianExtension.class)
class SignInThrottleIT {

    static final String ACCOUNT = "lockme", PASSWORD = "lockme-Secret-1";

    private final Api api = Api.local();

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("it.ear")));
    }

    @Test
    void repeatedFailedSignInsAreSlowedThenLockedOut() throws Exception {
        Api right = api.as(ACCOUNT, PASSWORD);
        Api wrong = api.as(ACCOUNT, "guess-7f3a");
        assertEquals(200, right.get("api/jobs").status(), "the account signs in");
        long failuresBefore = api.metric("pipelinex_signin_failures_total");

        for (int i = 1; i <= 6; i++) {
            Api.Reply r = wrong.get("api/jobs");
            assertEquals(401, r.status(), "failure " + i + " is checked and refused: " + r.body());
        }
        Api.Reply slowed = right.get("api/jobs");
        assertEquals(429, slowed.status(), "after six failures the next attempt must wait, right password or not");
        assertTrue(slowed.contentType().startsWith("application/problem+json"), slowed.contentType());
        assertTrue(slowed.json().path("type").asText().endsWith(":sign-in-throttled"), slowed.body());
        assertTrue(slowed.json().path("detail").asText().contains("account '" + ACCOUNT + "'"), slowed.body());
        assertEquals("1", slowed.raw().headers().firstValue("Retry-After").orElse(""), "it says how long");

        Thread.sleep(1_100);
        assertEquals(401, wrong.get("api/jobs").status(), "after the wait an attempt is checked again: the 7th failure");
        Api.Reply locked = right.get("api/jobs");
        assertEquals(429, locked.status(), "the 7th failure locks the account: " + locked.body());
        assertTrue(locked.json().path("detail").asText().contains("locked"), locked.body());
        long retry = Long.parseLong(locked.raw().headers().firstValue("Retry-After").orElse("0"));
        assertTrue(retry > 200 && retry <= 300, "locked for the lock time (300 s): " + retry);

        assertEquals(200, api.get("api/jobs").status(), "another account from the same address is not affected");
        assertEquals(200, api.as(Api.VIEWER, Api.VIEWER_PASSWORD).get("api/jobs").status());

        assertEquals(7, api.metric("pipelinex_signin_failures_total") - failuresBefore, "every failure is counted");
        assertTrue(api.metric("pipelinex_signin_refused_total{reason=\"slowed\"}") >= 1);
        assertTrue(api.metric("pipelinex_signin_refused_total{reason=\"locked\"}") >= 1);
        assertTrue(api.metric("pipelinex_signin_locked") >= 1);
        Path log = Path.of(System.getProperty("jboss.home"), "standalone", "log", "server.log");
        String text = Files.readString(log);
        assertTrue(text.contains("sign-in: account '" + ACCOUNT + "' has failed repeatedly"), "slowing is logged");
        assertTrue(text.contains("sign-in: account '" + ACCOUNT + "' is locked"), "locking is logged");
        assertTrue(!text.contains("guess-7f3a"), "no password is logged");
    }
}
