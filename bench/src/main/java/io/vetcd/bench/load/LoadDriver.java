package io.vetcd.bench.load;

import io.vertx.core.Future;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The closed loop of etcd's benchmark: {@code clients} request loops, client {@code c} on connection
 * {@code c % conns}, each sending its next request when the previous one is answered, until
 * {@code total} requests were sent; an optional global rate limit (etcd's {@code rate.NewLimiter(rate, 1)}).
 */
public final class LoadDriver {

    /** Makes request number {@code seq} for client loop {@code client} on {@code conn}; the future's completion ends its latency. */
    @FunctionalInterface
    public interface Issuer {
        Future<?> issue(Connections.Conn conn, int client, long seq);
    }

    /** Where a result goes: lets txn-mixed split reads and writes into two reports. */
    @FunctionalInterface
    public interface Sink {
        Stats statsFor(long seq);
    }

    private final Connections conns;
    private final int clients;
    private final long total;
    private final int rate;
    private final Progress progress;

    public LoadDriver(Connections conns, int clients, long total, int rate, Progress progress) {
        this.conns = conns;
        this.clients = Math.max(1, clients);
        this.total = total;
        this.rate = rate;
        this.progress = progress;
    }

    /** Runs to completion; every stats is started before and stopped after. */
    public void run(Issuer issuer, Sink sink, Stats... all) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        AtomicLong done = new AtomicLong();
        RateLimiter limiter = rate > 0 ? new RateLimiter(rate) : null;
        CountDownLatch finished = new CountDownLatch(1);
        if (total <= 0) {
            return;
        }
        for (Stats s : all) {
            s.start();
        }
        int loops = (int) Math.min(clients, total);
        for (int c = 0; c < loops; c++) {
            Connections.Conn conn = conns.get(c);
            int client = c;
            conn.context.runOnContext(v -> new Loop(conn, client, issuer, sink, next, done, limiter, finished).next());
        }
        finished.await();
        for (Stats s : all) {
            s.stop();
        }
    }

    private final class Loop {
        private final Connections.Conn conn;
        private final int client;
        private final Issuer issuer;
        private final Sink sink;
        private final AtomicLong next;
        private final AtomicLong done;
        private final RateLimiter limiter;
        private final CountDownLatch finished;

        Loop(Connections.Conn conn, int client, Issuer issuer, Sink sink, AtomicLong next, AtomicLong done,
             RateLimiter limiter, CountDownLatch finished) {
            this.conn = conn;
            this.client = client;
            this.issuer = issuer;
            this.sink = sink;
            this.next = next;
            this.done = done;
            this.limiter = limiter;
            this.finished = finished;
        }

        void next() {
            long seq = next.getAndIncrement();
            if (seq >= total) {
                return;
            }
            long waitNanos = limiter == null ? 0 : limiter.reserve();
            if (waitNanos > 1_000_000) {
                conn.context.owner().setTimer(waitNanos / 1_000_000, t -> send(seq));
            } else {
                send(seq);
            }
        }

        void send(long seq) {
            long st = System.nanoTime();
            Future<?> f;
            try {
                f = issuer.issue(conn, client, seq);
            } catch (RuntimeException e) {
                f = Future.failedFuture(e);
            }
            boolean sync = f.isComplete(); // answered at once (e.g. a failed precondition): no recursion
            f.onComplete(ar -> {
                long lat = System.nanoTime() - st;
                Stats stats = sink.statsFor(seq);
                if (ar.succeeded()) {
                    stats.record(lat);
                } else {
                    stats.error(Connections.RpcException.of(ar.cause()).getMessage());
                }
                if (progress != null) {
                    progress.increment();
                }
                if (done.incrementAndGet() == total) {
                    finished.countDown();
                } else if (sync) {
                    conn.context.runOnContext(v -> next());
                } else {
                    next();
                }
            });
        }
    }

    /** A token bucket of one token: request i may start at start + i/rate (or now, if later). */
    static final class RateLimiter {
        private final long intervalNanos;
        private long nextFree;

        RateLimiter(int perSecond) {
            this.intervalNanos = Math.max(1, 1_000_000_000L / perSecond);
        }

        /** Reserves the next slot; returns how long to wait for it. */
        synchronized long reserve() {
            long now = System.nanoTime();
            long slot = Math.max(now, nextFree);
            nextFree = slot + intervalNanos;
            return slot - now;
        }
    }
}
