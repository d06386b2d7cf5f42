package io.vetcd.core.lease;

import com.google.protobuf.ByteString;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One granted lease: its id, the TTL it was granted (seconds, after the minimum TTL raised it), its
 * deadline on the monotonic clock ({@link System#nanoTime}) and the keys attached to it.
 *
 * <p>The deadline is the only field changed from any thread: a keepalive moves it forward with a CAS;
 * the writer ends the lease by swapping it for {@link #REVOKED}, also with a CAS, so a keepalive and an
 * expiry that race are decided once: either the keepalive renewed first (the expiry sees a future
 * deadline and leaves the lease alone) or the lease was revoked first (the keepalive sees REVOKED and
 * answers "not found"). Worked example, TTL 10 s granted at t=0: deadline 10 s; a keepalive at t=4 s
 * sets it to 14 s; with no more keepalives the expiry thread wakes at 10 s (its queue entry), sees 14 s,
 * re-queues it, wakes at 14 s and the writer swaps 14 s for REVOKED.
 *
 * <p>The key set is changed by the writer only; {@link #keys()} may be read from any thread (under the
 * lease's monitor, uncontended in practice).
 */
public final class Lease {
    /** The deadline of a revoked (or expired and revoked) lease. */
    static final long REVOKED = Long.MIN_VALUE;

    private static final VarHandle DEADLINE;

    static {
        try {
            DEADLINE = MethodHandles.lookup().findVarHandle(Lease.class, "deadline", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long id;
    private final long ttlSeconds;
    @SuppressWarnings("unused") // through DEADLINE
    private volatile long deadline;
    /** The deadline this lease is queued at in the {@link ExpiryQueue}; read and written under its lock. */
    long queuedDeadline;
    /** Attached keys; null while there are none (most leases of a keepalive benchmark have none). */
    private Set<ByteString> keys;

    Lease(long id, long ttlSeconds, long deadline) {
        this.id = id;
        this.ttlSeconds = ttlSeconds;
        this.deadline = deadline;
    }

    public long id() {
        return id;
    }

    /** The TTL it was granted, in seconds (at least the lessor's minimum TTL). */
    public long ttlSeconds() {
        return ttlSeconds;
    }

    long ttlNanos() {
        return ttlSeconds * 1_000_000_000L;
    }

    /** The deadline in {@link System#nanoTime} terms, or {@link #REVOKED}. */
    long deadline() {
        return deadline;
    }

    boolean isRevoked() {
        return deadline == REVOKED;
    }

    /**
     * A keepalive at {@code now}: the deadline becomes {@code now + TTL} unless the lease is revoked or
     * already past its deadline (then it is as good as gone: etcd answers "not found").
     *
     * @return whether it was renewed
     */
    boolean renew(long now) {
        long next = now + ttlNanos();
        while (true) {
            long d = deadline;
            if (d == REVOKED || d - now <= 0) {
                return false;
            }
            if (next - d <= 0 || DEADLINE.compareAndSet(this, d, next)) {
                return true; // another keepalive already renewed it at least as far
            }
        }
    }

    /** Sets the deadline to {@code now + TTL} whatever it was (start-up, as etcd's Promote); not if revoked. */
    void resetDeadline(long now) {
        long d;
        do {
            d = deadline;
            if (d == REVOKED) {
                return;
            }
        } while (!DEADLINE.compareAndSet(this, d, now + ttlNanos()));
    }

    /**
     * Writer only: revokes the lease if its deadline has passed at {@code now}.
     *
     * @return the deadline it had (for the lateness), or {@link #REVOKED} if it was not expired (renewed
     *         meanwhile) or already revoked
     */
    long expire(long now) {
        while (true) {
            long d = deadline;
            if (d == REVOKED || d - now > 0) {
                return REVOKED;
            }
            if (DEADLINE.compareAndSet(this, d, REVOKED)) {
                return d;
            }
        }
    }

    /** Writer only: revokes it now, whatever its deadline. */
    void revoke() {
        deadline = REVOKED;
    }

    synchronized void attach(ByteString key) {
        if (keys == null) {
            keys = new HashSet<>(4);
        }
        keys.add(key);
    }

    synchronized void detach(ByteString key) {
        if (keys != null) {
            keys.remove(key);
        }
    }

    /** A copy of the attached keys (any thread). */
    public synchronized List<ByteString> keys() {
        return keys == null ? new ArrayList<>() : new ArrayList<>(keys);
    }

    synchronized int keyCount() {
        return keys == null ? 0 : keys.size();
    }
}
