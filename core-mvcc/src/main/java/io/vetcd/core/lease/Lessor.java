package io.vetcd.core.lease;

import com.google.protobuf.ByteString;
import io.vetcd.core.EtcdError;
import io.vetcd.core.backend.Backend;
import io.vetcd.core.mvcc.KeyLeaseListener;
import io.vetcd.core.mvcc.KeyRange;
import io.vetcd.core.mvcc.MvccStore;
import io.vetcd.core.mvcc.WriteTxn;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * The leases (etcd's {@code lease.Lessor}): which are granted, their deadlines, their keys, and their
 * expiry.
 *
 * <p>Who calls what:
 * <ul>
 *   <li>the writer (the {@code Applier}'s lock held): {@link #grant}, {@link #revoke}, {@link #expire},
 *       {@link #isGranted} (a put's lease check), {@link #leaseChanged} (the store reports keys
 *       attached and detached as requests end), {@link #recover}, {@link #forEachGranted} (a snapshot);</li>
 *   <li>any thread, without locks: {@link #keepAlive}, {@link #lookup}, {@link #ids};</li>
 *   <li>the expiry thread ({@code vetcd-lessor}): wakes at the earliest deadline ({@link ExpiryQueue}) and
 *       hands the expired leases to {@code expired}, which queues {@link #expire} in the writer; the
 *       writer checks again that each is still past its deadline (a keepalive may have won the race).</li>
 * </ul>
 *
 * <p>Worked example (min TTL 2 s): grant(id 0, TTL 1) picks a free positive id, say 42, with TTL 2 (raised)
 * and deadline now+2 s; put a (lease 42) attaches a; put a (lease 0) detaches it again; put b (lease 42),
 * put c (lease 42); at now+2 s the thread hands 42 over, and the writer deletes b and c in one revision
 * (sub-revisions 0 and 1, DELETE events for watchers) and forgets 42. A revoke of a lease with no keys
 * takes no revision.
 */
public final class Lessor implements KeyLeaseListener, AutoCloseable {
    /** etcd's {@code MaxLeaseTTL}: 9,000,000,000 seconds. */
    public static final long MAX_TTL_SECONDS = 9_000_000_000L;
    /** Expired leases handed to the writer per task, so one task never holds it for long. */
    private static final int EXPIRY_BATCH = 512;

    private final long minTtlSeconds;
    private final ConcurrentHashMap<Long, Lease> leases = new ConcurrentHashMap<>();
    private final ExpiryQueue queue = new ExpiryQueue();
    private final ExpiryLateness lateness = new ExpiryLateness();
    private final Consumer<List<Lease>> expired;
    private final Thread thread;

    /**
     * @param minTtlSeconds smaller TTLs are raised to it (etcd: 2 s, from its election timeout)
     * @param expired       queues {@code expire(store, lease)} of each given lease in the writer; called
     *                      from the expiry thread, must not wait for the writer
     */
    public Lessor(long minTtlSeconds, Consumer<List<Lease>> expired) {
        if (minTtlSeconds < 1) {
            throw new IllegalArgumentException("the minimum lease TTL must be at least 1 s: " + minTtlSeconds);
        }
        this.minTtlSeconds = minTtlSeconds;
        this.expired = expired;
        this.thread = new Thread(this::expiryLoop, "vetcd-lessor");
        thread.setDaemon(true);
    }

    /** Starts the expiry thread; after {@link #recover}. */
    public void start() {
        thread.start();
    }

    public long minTtlSeconds() {
        return minTtlSeconds;
    }

    /**
     * Writer, at start-up: the leases the store kept, each with its full TTL from now (etcd's rule on a
     * restart), and the keys attached to them again from the live keys' lease field. A key naming a
     * lease that is not there (restored from a format-1 snapshot, which carried no leases) stays as it is,
     * attached to nothing, as in etcd.
     */
    public void recover(MvccStore store) {
        long now = System.nanoTime();
        store.loadLeases((id, ttl) -> {
            Lease lease = new Lease(id, ttl, now + ExpiryQueue.nanos(ttl));
            leases.put(id, lease);
            queue.add(lease, lease.deadline());
        });
        store.forEachLeasedKey((key, id) -> {
            Lease lease = leases.get(id);
            if (lease != null) {
                lease.attach(key);
            }
        });
    }

    /**
     * Writer: grants a lease (etcd's order of checks: TTL too large, then an id in use).
     *
     * @param id 0: a fresh random positive id
     * @throws io.vetcd.core.EtcdException LEASE_TTL_TOO_LARGE, LEASE_EXIST
     */
    public Lease grant(MvccStore store, long id, long ttlSeconds) {
        if (ttlSeconds > MAX_TTL_SECONDS) {
            throw EtcdError.LEASE_TTL_TOO_LARGE.exception();
        }
        long ttl = Math.max(ttlSeconds, minTtlSeconds);
        if (id == 0) {
            id = freshId();
        } else if (leases.containsKey(id)) {
            throw EtcdError.LEASE_EXIST.exception();
        }
        Lease lease = new Lease(id, ttl, System.nanoTime() + ExpiryQueue.nanos(ttl));
        leases.put(id, lease);
        store.putLease(id, ttl);
        queue.add(lease, lease.deadline());
        return lease;
    }

    private long freshId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (true) {
            long id = random.nextLong() & Long.MAX_VALUE;
            if (id != 0 && !leases.containsKey(id)) {
                return id;
            }
        }
    }

    /**
     * Writer: revokes a lease, deleting its keys in one revision.
     *
     * @throws io.vetcd.core.EtcdException LEASE_NOT_FOUND
     */
    public void revoke(MvccStore store, long id) {
        Lease lease = leases.get(id);
        if (lease == null) {
            throw EtcdError.LEASE_NOT_FOUND.exception();
        }
        lease.revoke();
        forget(store, lease);
    }

    /**
     * Writer: revokes {@code lease} if it is still the granted lease of its id and past its deadline;
     * otherwise (kept alive meanwhile) queues it again.
     */
    public void expire(MvccStore store, Lease lease) {
        if (leases.get(lease.id()) != lease) {
            return; // revoked by a client meanwhile
        }
        long now = System.nanoTime();
        long deadline = lease.expire(now);
        if (deadline == Lease.REVOKED) {
            if (!lease.isRevoked()) {
                queue.add(lease, lease.deadline());
            }
            return;
        }
        lateness.record(now - deadline);
        forget(store, lease);
    }

    /** Deletes the keys of a revoked lease in one write txn (no revision when it has none), then forgets it. */
    private void forget(MvccStore store, Lease lease) {
        List<ByteString> keys = lease.keys();
        if (!keys.isEmpty()) {
            keys.sort(ByteString.unsignedLexicographicalComparator()); // sub-revisions in key order
            WriteTxn txn = store.beginWrite();
            try {
                for (ByteString key : keys) {
                    txn.deleteRange(KeyRange.single(key)); // detaches through leaseChanged at end()
                }
            } catch (RuntimeException e) {
                txn.abort();
                throw e;
            }
            txn.end();
        }
        leases.remove(lease.id(), lease);
        store.removeLease(lease.id());
    }

    /**
     * Writer (so that it matches the store's state): every granted lease, as (id, granted TTL in seconds);
     * what a snapshot keeps of them.
     */
    public void forEachGranted(Backend.LeaseVisitor visitor) {
        leases.forEach((id, lease) -> {
            if (!lease.isRevoked()) {
                visitor.lease(id, lease.ttlSeconds());
            }
        });
    }

    /** Writer: a put's check (etcd's "requested lease not found"). */
    public boolean isGranted(long id) {
        return leases.containsKey(id);
    }

    /** Writer: the store reports a key moved from one lease to another as a request ends. */
    @Override
    public void leaseChanged(ByteString key, long fromLease, long toLease) {
        if (fromLease != 0) {
            Lease from = leases.get(fromLease);
            if (from != null) {
                from.detach(key);
            }
        }
        if (toLease != 0) {
            Lease to = leases.get(toLease);
            if (to != null) {
                to.attach(key);
            }
        }
    }

    /**
     * Any thread, lock-free: renews a lease to its full TTL from now.
     *
     * @return the granted TTL in seconds, or 0 when the lease is unknown, revoked or already past its
     *         deadline (about to be revoked)
     */
    public long keepAlive(long id) {
        Lease lease = leases.get(id);
        return lease != null && lease.renew(System.nanoTime()) ? lease.ttlSeconds() : 0;
    }

    /** Any thread: the lease, or null when it is unknown or revoked. */
    public Lease lookup(long id) {
        Lease lease = leases.get(id);
        return lease == null || lease.isRevoked() ? null : lease;
    }

    /**
     * The remaining TTL in whole seconds as etcd reports it ({@code int64(remaining.Seconds())}: truncated
     * toward zero, so 9.99 s is 9 and a lease 0.5 s past its deadline and not yet revoked is 0).
     */
    public static long remainingSeconds(Lease lease) {
        return (lease.deadline() - System.nanoTime()) / 1_000_000_000L;
    }

    /** Any thread: the ids of the granted leases. */
    public List<Long> ids() {
        List<Long> ids = new ArrayList<>(leases.size());
        leases.forEach((id, lease) -> {
            if (!lease.isRevoked()) {
                ids.add(id);
            }
        });
        return ids;
    }

    /** Granted leases. */
    public int size() {
        return leases.size();
    }

    /** How late expiries have been (tests, benchmarks). */
    public ExpiryLateness lateness() {
        return lateness;
    }

    private void expiryLoop() {
        List<Lease> due = new ArrayList<>();
        try {
            while (queue.takeExpired(due, EXPIRY_BATCH)) {
                expired.accept(List.copyOf(due));
                due.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the expiry thread (leases stay as they are; the writer is closed after this). */
    @Override
    public void close() {
        queue.close();
        if (thread.isAlive() && thread != Thread.currentThread()) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
