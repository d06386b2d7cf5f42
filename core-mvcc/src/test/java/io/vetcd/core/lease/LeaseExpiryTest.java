package io.vetcd.core.lease;

import static io.vetcd.core.KvTestSupport.await;
import static io.vetcd.core.KvTestSupport.bs;
import static io.vetcd.core.lease.LeaseTestSupport.awaitTrue;
import static io.vetcd.core.lease.LeaseTestSupport.count;
import static io.vetcd.core.lease.LeaseTestSupport.grant;
import static io.vetcd.core.lease.LeaseTestSupport.put;
import static io.vetcd.core.lease.LeaseTestSupport.ttl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.core.KvStore;
import io.vetcd.core.watch.WatchSink;
import io.vetcd.core.watch.WatchSpec;
import io.vetcd.proto.etcdserverpb.LeaseGrantRequest;
import io.vetcd.proto.mvccpb.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Expiry on the monotonic clock: an expired lease's keys are deleted in one revision through the writer
 * (DELETE events), keepalives hold it off, and many leases expire on time. Min TTL 1 s.
 */
class LeaseExpiryTest {
    private final KvStore kv = LeaseTestSupport.store(1);

    @AfterEach
    void close() {
        kv.close();
    }

    @Test
    void anExpiredLeaseDeletesItsKeysInOneRevision() throws Exception {
        long id = grant(kv, 0, 1).getID();
        put(kv, "a", id);
        put(kv, "b", id);
        long before = kv.revision();
        List<Event> seen = new CopyOnWriteArrayList<>();
        await(kv.watch(new WatchSpec(bs("a"), bs("c"), 0, false, false, false), new WatchSink() {
            @Override
            public boolean events(List<Event> events, long revision) {
                seen.addAll(events);
                return true;
            }

            @Override
            public void compacted(long compactRevision, long revision) {}
        }));
        awaitTrue("both DELETE events", () -> seen.size() == 2);
        assertEquals(before + 1, kv.revision());
        for (Event e : seen) {
            assertEquals(Event.EventType.DELETE, e.getType());
            assertEquals(before + 1, e.getKv().getModRevision());
        }
        assertEquals(0, count(kv, "a") + count(kv, "b"));
        assertEquals(-1, ttl(kv, id).getTTL());
        assertEquals(0, kv.lessor().size());
        assertEquals(1, kv.lessor().lateness().count());
    }

    @Test
    void keepAlivesHoldExpiryOff() throws Exception {
        long id = grant(kv, 0, 1).getID();
        put(kv, "k", id);
        long until = System.nanoTime() + 2_500_000_000L;
        while (System.nanoTime() - until < 0) {
            assertEquals(1, kv.leaseKeepAlive(id).getTTL(), "still granted");
            Thread.sleep(200); // pacing: four keepalives per TTL
        }
        assertEquals(1, count(kv, "k"));
        assertEquals(0, kv.lessor().lateness().count());
        awaitTrue("expiry once the keepalives stop", () -> count(kv, "k") == 0);
        assertEquals(0, kv.leaseKeepAlive(id).getTTL());
    }

    @Test
    void manyLeasesGrantAndExpireOnTime() throws Exception {
        int n = 100_000;
        List<CompletableFuture<?>> grants = new ArrayList<>(n);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            grants.add(kv.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(4).build()));
        }
        for (CompletableFuture<?> g : grants) {
            await(g);
        }
        long granted = System.nanoTime() - start;
        assertEquals(n, kv.leaseLeases().getLeasesCount(), "granted in " + granted / 1_000_000 + " ms");
        // a few of them hold keys
        List<Long> ids = kv.lessor().ids().subList(0, 100);
        for (long id : ids) {
            put(kv, "key/" + id, id);
        }
        awaitTrue("every lease expired", () -> kv.lessor().size() == 0);
        awaitTrue("every key deleted", () -> kv.range(io.vetcd.proto.etcdserverpb.RangeRequest.newBuilder()
                .setKey(bs("key/")).setRangeEnd(bs("key0")).setCountOnly(true).build()).getCount() == 0);
        ExpiryLateness late = kv.lessor().lateness();
        assertEquals(n, late.count());
        System.out.printf("%d leases: granted in %d ms; expiry lateness p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                n, granted / 1_000_000, late.percentileNanos(0.5) / 1e6, late.percentileNanos(0.99) / 1e6,
                late.maxNanos() / 1e6);
        assertTrue(late.maxNanos() >= 0);
    }

    /**
     * Expiry under write load: a thread keeps putting while 2000 leases holding a key each expire. Each
     * expiry is queued like any write, so it waits behind at most the batch being applied; the bound
     * asserted is loose (a shared 2-core machine), the figures are printed.
     */
    @Test
    void expiryStaysOnTimeUnderWriteLoad() throws Exception {
        int n = 2000;
        List<Long> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long id = grant(kv, 0, 2).getID();
            ids.add(id);
            put(kv, "lease/" + i, id);
        }
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong puts = new java.util.concurrent.atomic.AtomicLong();
        Thread writer = new Thread(() -> {
            io.vetcd.proto.etcdserverpb.PutRequest r = io.vetcd.proto.etcdserverpb.PutRequest.newBuilder()
                    .setKey(bs("load")).setValue(bs("x")).build();
            List<CompletableFuture<?>> inFlight = new ArrayList<>();
            while (!stop.get()) {
                for (int i = 0; i < 64; i++) {
                    inFlight.add(kv.put(r));
                }
                inFlight.forEach(CompletableFuture::join);
                puts.addAndGet(inFlight.size());
                inFlight.clear();
            }
        }, "load");
        writer.start();
        try {
            awaitTrue("every lease expired under load", () -> kv.lessor().size() == 0);
        } finally {
            stop.set(true);
            writer.join();
        }
        ExpiryLateness late = kv.lessor().lateness();
        assertEquals(n, late.count());
        assertEquals(0, kv.range(io.vetcd.proto.etcdserverpb.RangeRequest.newBuilder().setKey(bs("lease/"))
                .setRangeEnd(bs("lease0")).setCountOnly(true).build()).getCount());
        System.out.printf("under load (%d puts): expiry lateness p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                puts.get(), late.percentileNanos(0.5) / 1e6, late.percentileNanos(0.99) / 1e6, late.maxNanos() / 1e6);
        assertTrue(puts.get() > 0);
        assertTrue(late.percentileNanos(0.99) < 2_000_000_000L, "p99 lateness below 2 s even on a loaded machine");
    }

    /** A keepalive racing the expiry: either the keepalive wins (the lease lives) or it answers 0 (gone). */
    @Test
    void keepAliveRacingExpiryNeverRenewsARevokedLease() throws Exception {
        for (int round = 0; round < 3; round++) {
            long id = grant(kv, 0, 1).getID();
            put(kv, "race", id);
            long deadline = System.nanoTime() + 990_000_000L;
            while (System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            }
            long answered = 0;
            long end = System.nanoTime() + 100_000_000L;
            while (System.nanoTime() - end < 0 && (answered = kv.leaseKeepAlive(id).getTTL()) != 0) {
                Thread.onSpinWait();
            }
            if (answered == 0) {
                awaitTrue("key deleted once keepalive said gone", () -> count(kv, "race") == 0);
                assertEquals(-1, ttl(kv, id).getTTL());
            } else {
                assertEquals(1, count(kv, "race"), "renewed: alive");
                await(kv.leaseRevoke(io.vetcd.proto.etcdserverpb.LeaseRevokeRequest.newBuilder().setID(id).build()));
            }
        }
    }
}
