package dev.pipelinex.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SignInThrottleTest {

    private long now = 1_000_000_000_000L;
    private final SignInThrottle throttle = new SignInThrottle(
            new SignInThrottle.Limits(3, 6, Duration.ofMinutes(5)),
            new SignInThrottle.Limits(10, 20, Duration.ofMinutes(5)), () -> now);

    private void after(long seconds) {
        now += TimeUnit.SECONDS.toNanos(seconds);
    }

    @Test
    void theFirstFailuresCostNothingThenEachOneWaitsLonger() {
        for (int i = 0; i < 3; i++) {
            assertTrue(throttle.check("ann", "10.0.0.1").isEmpty(), "free failure " + (i + 1));
            throttle.failed("ann", "10.0.0.1");
        }
        assertTrue(throttle.check("ann", "10.0.0.1").isEmpty(), "three failures are free");
        SignInThrottle.Outcome fourth = throttle.failed("ann", "10.0.0.1");
        assertEquals("account 'ann'", fourth.slowed(), "the fourth failure slows the account, and says so once");
        SignInThrottle.Refusal r = throttle.check("ann", "10.0.0.1").orElseThrow();
        assertEquals(1, r.retryAfterSeconds());
        assertFalse(r.locked());
        assertTrue(throttle.check("ann", "10.0.0.2").isPresent(), "from any address: the account waits");
        assertTrue(throttle.check("bob", "10.0.0.1").isEmpty(), "another account from the same address does not");
        after(1);
        assertTrue(throttle.check("ann", "10.0.0.1").isEmpty(), "after its wait the account may try again");
        assertNull(throttle.failed("ann", "10.0.0.1").slowed(), "already slowed: not said again");
        assertEquals(2, throttle.check("ann", "10.0.0.1").orElseThrow().retryAfterSeconds(), "the wait doubles");
        assertEquals(3, throttle.refusedCount(false), "the three attempts refused while waiting are counted");
    }

    @Test
    void enoughFailuresLockTheAccountEvenForTheRightPassword() {
        SignInThrottle.Outcome last = null;
        for (int i = 0; i < 6; i++) {
            after(120);
            last = throttle.failed("ann", "10.0.0.1");
        }
        assertEquals("account 'ann'", last.locked());
        SignInThrottle.Refusal r = throttle.check("ann", "10.0.0.9").orElseThrow();
        assertTrue(r.locked());
        assertEquals(300, r.retryAfterSeconds());
        assertEquals(1, throttle.lockedNow());
        after(299);
        assertTrue(throttle.check("ann", "10.0.0.9").isPresent(), "still locked");
        after(1);
        assertTrue(throttle.check("ann", "10.0.0.9").isEmpty(), "the lock ends");
        assertEquals(0, throttle.lockedNow());
        assertEquals("account 'ann'", throttle.failed("ann", "10.0.0.9").locked(), "one more failure locks it again");
        throttle.succeeded("ann", "10.0.0.9");
        assertTrue(throttle.check("ann", "10.0.0.9").isEmpty(), "a sign-in that succeeded clears the account");
        assertEquals(7, throttle.failureCount());
    }

    @Test
    void anAddressThatFailsForManyAccountsIsSlowedAndLocked() {
        for (int i = 0; i < 10; i++) {
            throttle.failed("user" + i, "10.0.0.1");
        }
        assertTrue(throttle.check("someone-else", "10.0.0.1").isEmpty(), "ten failures from one address are free");
        SignInThrottle.Outcome o = throttle.failed("user10", "10.0.0.1");
        assertEquals("address 10.0.0.1", o.slowed());
        SignInThrottle.Refusal r = throttle.check("someone-else", "10.0.0.1").orElseThrow();
        assertEquals("address 10.0.0.1", r.key());
        assertTrue(throttle.check("someone-else", "10.0.0.2").isEmpty(), "other addresses are not slowed");
        for (int i = 11; i < 20; i++) {
            after(61);
            throttle.failed("user" + i, "10.0.0.1");
        }
        assertTrue(throttle.check("anyone", "10.0.0.1").orElseThrow().locked());
    }

    @Test
    void failuresAreForgottenAfterAQuietSpell() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("ann", "10.0.0.1");
        }
        assertTrue(throttle.check("ann", "10.0.0.1").isPresent());
        after(SignInThrottle.FORGET.toSeconds() + 1);
        assertTrue(throttle.check("ann", "10.0.0.1").isEmpty());
        assertNull(throttle.failed("ann", "10.0.0.1").slowed(), "counted from one again");
        assertTrue(throttle.check("ann", "10.0.0.1").isEmpty());
    }

    @Test
    void aSprayOfNamesDoesNotPushALockedAccountOut() {
        for (int i = 0; i < 6; i++) {
            throttle.failed("admin", "10.0.0.1");
        }
        for (int i = 0; i < SignInThrottle.MAX_KEYS + 50; i++) {
            throttle.failed("spray" + i, "10.1." + (i / 250) + "." + (i % 250));
        }
        assertTrue(throttle.check("admin", "10.9.9.9").orElseThrow().locked(), "the locked account is still locked");
    }
}
