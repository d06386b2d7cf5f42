package io.vetcd.core.lease;

import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The leases ordered by deadline, for the expiry thread (etcd's {@code LeaseQueue}): a binary heap with
 * lazy entries. Each live lease is in the heap once, at the deadline it had when it was queued
 * ({@link Lease#queuedDeadline}); a keepalive only moves the lease's own deadline forward and never
 * touches the heap, so it takes no lock. When an entry comes due, the lease's real deadline decides:
 * revoked, it is dropped; renewed, it is queued again at its new deadline; otherwise it has expired.
 *
 * <p>Worked example: leases A (deadline 5 s) and B (8 s). At 3 s A is kept alive to 13 s. The thread
 * wakes at 5 s, pops A, sees 13 s and pushes A back at 13 s; it wakes at 8 s and hands B over as
 * expired; then at 13 s A.
 *
 * <p>Cost: one heap entry (a reference) per lease, O(log n) per grant and per expiry or re-queue, none
 * per keepalive. Threading: grants (the writer) add, the expiry thread takes; both under one lock.
 */
final class ExpiryQueue {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<Lease> heap = new PriorityQueue<>(
            (a, b) -> Long.signum(a.queuedDeadline - b.queuedDeadline)); // nanoTime order, wrap-safe
    private boolean closed;

    /** Queues {@code lease} at {@code deadline} (never later than its real deadline). */
    void add(Lease lease, long deadline) {
        lock.lock();
        try {
            lease.queuedDeadline = deadline;
            heap.add(lease);
            if (heap.peek() == lease) {
                changed.signal(); // the thread may be sleeping until a later deadline
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until at least one lease has expired, then moves up to {@code max} expired leases into
     * {@code out}.
     *
     * @return false once {@link #close} was called
     */
    boolean takeExpired(List<Lease> out, int max) throws InterruptedException {
        lock.lock();
        try {
            while (!closed) {
                Lease top = heap.peek();
                if (top == null) {
                    changed.await();
                    continue;
                }
                long now = System.nanoTime();
                long wait = top.queuedDeadline - now;
                if (wait > 0) {
                    changed.awaitNanos(wait);
                    continue;
                }
                while (out.size() < max && (top = heap.peek()) != null && top.queuedDeadline - now <= 0) {
                    heap.poll();
                    long deadline = top.deadline();
                    if (deadline == Lease.REVOKED) {
                        continue; // revoked meanwhile: a stale entry
                    }
                    if (deadline - now > 0) {
                        top.queuedDeadline = deadline; // kept alive: due later
                        heap.add(top);
                    } else {
                        out.add(top);
                    }
                }
                if (!out.isEmpty()) {
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Entries in the heap (live leases plus stale entries of revoked ones). */
    int size() {
        lock.lock();
        try {
            return heap.size();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes the thread: {@link #takeExpired} returns false from now on. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    static long nanos(long seconds) {
        return TimeUnit.SECONDS.toNanos(seconds);
    }
}
