package dev.pipelinex.access;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Failed password sign-ins, counted per account and per client address, and what they cost the
 * next attempt. The first {@code free} failures of a key cost nothing; each failure past them
 * makes the key wait before its next attempt (1 s, doubling, at most {@link #MAX_WAIT}); at
 * {@code lock} failures the key is refused for {@code lockTime}, and each failure after that
 * refuses it for as long again. An attempt made while its key waits is refused without its
 * password being checked, whether it is right or not, so no worker thread is held to slow
 * anyone down. A sign-in that succeeds clears its account and its address; a key with no
 * failure for {@link #FORGET} is forgotten. Addresses are shared by everyone behind one proxy,
 * so they have limits of their own, normally higher. At most {@link #MAX_KEYS} keys of each kind
 * are kept, the least recently failed that is not waiting forgotten first.
 */
public final class SignInThrottle {

    static final Duration MAX_WAIT = Duration.ofSeconds(60);
    static final Duration FORGET = Duration.ofMinutes(15);
    static final int MAX_KEYS = 10_000;

    /** The failures a key may have for free, the failures that lock it, and for how long. */
    public record Limits(int free, int lock, Duration lockTime) {
        public Limits {
            free = Math.max(0, free);
            lock = Math.max(1, lock);
            if (lockTime.isNegative()) {
                throw new IllegalArgumentException("a lock time cannot be negative: " + lockTime);
            }
        }
    }

    /** Why an attempt is refused: which key, whether it is locked or only slowed, and the seconds until the next may be made. */
    public record Refusal(String key, boolean locked, long retryAfterSeconds) {
    }

    /** What a failure did to its keys: the keys that became slowed or locked by it (null when none), for the log. */
    public record Outcome(String slowed, String locked) {
    }

    private static final class Failures {
        int count;
        long lastNanos;
        long waitUntilNanos;
    }

    private final Limits accountLimits;
    private final Limits addressLimits;
    private final LongSupplier nanoTime;
    private final Map<String, Failures> accounts = lru();
    private final Map<String, Failures> addresses = lru();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong refusedSlowed = new AtomicLong();
    private final AtomicLong refusedLocked = new AtomicLong();

    public SignInThrottle(Limits accounts, Limits addresses) {
        this(accounts, addresses, System::nanoTime);
    }

    SignInThrottle(Limits accounts, Limits addresses, LongSupplier nanoTime) {
        this.accountLimits = accounts;
        this.addressLimits = addresses;
        this.nanoTime = nanoTime;
    }

    /** Whether an attempt for {@code account} from {@code address} may be checked now; the refusal when not. */
    public synchronized Optional<Refusal> check(String account, String address) {
        long now = nanoTime.getAsLong();
        Optional<Refusal> r = waiting(accounts, accountLimits, account, "account '" + account + "'", now)
                .or(() -> waiting(addresses, addressLimits, address, "address " + address, now));
        r.ifPresent(x -> (x.locked() ? refusedLocked : refusedSlowed).incrementAndGet());
        return r;
    }

    /** Counts a failed attempt. */
    public synchronized Outcome failed(String account, String address) {
        failures.incrementAndGet();
        long now = nanoTime.getAsLong();
        String a = fail(accounts, accountLimits, account, now);
        String b = fail(addresses, addressLimits, address, now);
        String who = "account '" + account + "'";
        String from = "address " + address;
        return new Outcome("slowed".equals(a) ? who : "slowed".equals(b) ? from : null,
                "locked".equals(a) ? who : "locked".equals(b) ? from : null);
    }

    /** A sign-in that succeeded: its account and address start afresh. */
    public synchronized void succeeded(String account, String address) {
        accounts.remove(account);
        addresses.remove(address);
    }

    public long failureCount() {
        return failures.get();
    }

    public long refusedCount(boolean locked) {
        return (locked ? refusedLocked : refusedSlowed).get();
    }

    /** The keys (accounts and addresses) locked now. */
    public synchronized int lockedNow() {
        long now = nanoTime.getAsLong();
        return locked(accounts, accountLimits, now) + locked(addresses, addressLimits, now);
    }

    private static int locked(Map<String, Failures> keys, Limits limits, long now) {
        int n = 0;
        for (Failures f : keys.values()) {
            if (f.count >= limits.lock() && now < f.waitUntilNanos) {
                n++;
            }
        }
        return n;
    }

    private static Optional<Refusal> waiting(Map<String, Failures> keys, Limits limits, String key, String name, long now) {
        Failures f = current(keys, key, now);
        if (f == null || now >= f.waitUntilNanos) {
            return Optional.empty();
        }
        long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(f.waitUntilNanos - now + 999_999_999L));
        return Optional.of(new Refusal(name, f.count >= limits.lock(), seconds));
    }

    /** Counts a failure of {@code key}; returns "slowed" or "locked" when this failure made it so, null otherwise. */
    private static String fail(Map<String, Failures> keys, Limits limits, String key, long now) {
        Failures f = current(keys, key, now);
        if (f == null) {
            f = new Failures();
        }
        keys.remove(key);
        keys.put(key, f); // the most recently failed last
        evict(keys, now);
        f.count++;
        f.lastNanos = now;
        if (f.count >= limits.lock()) {
            f.waitUntilNanos = now + limits.lockTime().toNanos();
            return "locked";
        }
        if (f.count > limits.free()) {
            int past = f.count - limits.free() - 1;
            long wait = past >= 6 ? MAX_WAIT.toNanos() : Math.min(MAX_WAIT.toNanos(), TimeUnit.SECONDS.toNanos(1L << past));
            f.waitUntilNanos = now + wait;
            return f.count == limits.free() + 1 ? "slowed" : null;
        }
        return null;
    }

    /** The failures of {@code key}, or null when it has none or they are old enough to be forgotten. */
    private static Failures current(Map<String, Failures> keys, String key, long now) {
        Failures f = keys.get(key);
        if (f != null && now - f.lastNanos > FORGET.toNanos() && now >= f.waitUntilNanos) {
            keys.remove(key);
            return null;
        }
        return f;
    }

    private static Map<String, Failures> lru() {
        return new LinkedHashMap<>();
    }

    /**
     * Keeps at most {@link #MAX_KEYS}: forgets the least recently failed key that is not waiting
     * (among the oldest hundred), so that a spray of failing names cannot push a locked key out.
     */
    private static void evict(Map<String, Failures> keys, long now) {
        if (keys.size() <= MAX_KEYS) {
            return;
        }
        Iterator<Failures> it = keys.values().iterator();
        for (int i = 0; i < 100 && it.hasNext(); i++) {
            if (now >= it.next().waitUntilNanos) {
                it.remove();
                return;
            }
        }
        it = keys.values().iterator();
        it.next();
        it.remove();
    }

    /** Drops the forgotten keys; for tests and for a periodic sweep. */
    synchronized int sweep() {
        long now = nanoTime.getAsLong();
        int removed = 0;
        for (Map<String, Failures> keys : java.util.List.of(accounts, addresses)) {
            for (Iterator<Failures> it = keys.values().iterator(); it.hasNext(); ) {
                Failures f = it.next();
                if (now - f.lastNanos > FORGET.toNanos() && now >= f.waitUntilNanos) {
                    it.remove();
                    removed++;
                }
            }
        }
        return removed;
    }
}
