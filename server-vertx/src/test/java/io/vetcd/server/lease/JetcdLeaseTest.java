package io.vetcd.server.lease;

import static io.vetcd.server.lease.LeaseServer.eventually;
import static io.vetcd.server.lease.LeaseServer.failure;
import static io.vetcd.server.lease.LeaseServer.status;
import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.etcd.jetcd.watch.WatchEvent;
import io.grpc.stub.StreamObserver;
import io.vetcd.proto.etcdserverpb.LeaseStatus;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.server.ServerConfig;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * jetcd's Lease client against vetcd started with {@code --vetcd-min-lease-ttl=1}: grant, revoke,
 * keep-alive (the observer and once), time-to-live with keys; LeaseLeases through a raw stub (jetcd 0.8.7
 * has no call for it); keys put with a lease, and what happens to them when it expires or is revoked.
 */
class JetcdLeaseTest {
    private static LeaseServer server;
    private static Lease lease;
    private static KV kv;

    @BeforeAll
    static void start() {
        server = LeaseServer.start();
        lease = server.client.getLeaseClient();
        kv = server.client.getKVClient();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static long count(String key) {
        return await(kv.get(bs(key))).getCount();
    }

    private static long leaseOf(String key) {
        return await(kv.get(bs(key))).getKvs().get(0).getLease();
    }

    private static List<String> keys(long id) {
        LeaseTimeToLiveResponse r = await(lease.timeToLive(id, LeaseOption.builder().withAttachedKeys().build()));
        return r.getKeys().stream().map(ByteSequence::toString).sorted().toList();
    }

    private static void put(String key, long leaseId) {
        await(kv.put(bs(key), bs("v"), PutOption.builder().withLeaseId(leaseId).build()));
    }

    @Test
    void grantPicksAnIdAndKeepsTheTtl() {
        var granted = await(lease.grant(60));
        assertTrue(granted.getID() > 0, "a server-chosen id is positive: " + granted.getID());
        assertEquals(60, granted.getTTL());
        LeaseTimeToLiveResponse ttl = await(lease.timeToLive(granted.getID(), LeaseOption.DEFAULT));
        assertEquals(60, ttl.getGrantedTTL());
        assertTrue(ttl.getTTL() >= 58 && ttl.getTTL() <= 60, "remaining " + ttl.getTTL());
        assertTrue(ttl.getKeys().isEmpty());
    }

    @Test
    void aTtlBelowTheMinimumIsRaisedToIt() {
        assertEquals(1, await(lease.grant(0)).getTTL(), "raised to --vetcd-min-lease-ttl=1");
        assertEquals(1, await(lease.grant(-5)).getTTL());
        try (LeaseServer defaults = LeaseServer.start(ServerConfig.inMemoryOnFreePort())) {
            Lease other = defaults.client.getLeaseClient();
            assertEquals(2, await(other.grant(1)).getTTL(), "etcd's minimum of 2 s by default");
            assertEquals(3, await(other.grant(3)).getTTL());
        }
    }

    @Test
    void clientChosenIdsAndTheirErrors() {
        assertEquals(7001, server.raw.grant(7001, 30).getID());
        assertEquals("FAILED_PRECONDITION: etcdserver: lease already exists",
                status(() -> server.raw.grant(7001, 30)));
        assertEquals("OUT_OF_RANGE: etcdserver: too large lease TTL",
                status(() -> server.raw.grant(7002, 9_000_000_001L)));
        assertEquals(9_000_000_000L, server.raw.grant(7003, 9_000_000_000L).getTTL());
        List<Long> ids = server.raw.leases().getLeasesList().stream().map(LeaseStatus::getID).toList();
        assertTrue(ids.containsAll(List.of(7001L, 7003L)), "leases " + ids);
        assertFalse(ids.contains(7002L));
        await(lease.revoke(7001));
        await(lease.revoke(7003));
        ids = server.raw.leases().getLeasesList().stream().map(LeaseStatus::getID).toList();
        assertFalse(ids.contains(7001L) || ids.contains(7003L), "leases " + ids);
    }

    @Test
    void revokeDeletesTheKeysInOneRevision() {
        long id = await(lease.grant(60)).getID();
        put("revoke/a", id);
        put("revoke/b", id);
        assertEquals(List.of("revoke/a", "revoke/b"), keys(id));
        long before = await(kv.get(bs("revoke/a"))).getHeader().getRevision();
        await(lease.revoke(id));
        assertEquals(0, count("revoke/a"));
        assertEquals(0, count("revoke/b"));
        assertEquals(before + 1, await(kv.get(bs("revoke/a"))).getHeader().getRevision(),
                "both keys deleted in one revision");
        assertEquals(-1, await(lease.timeToLive(id, LeaseOption.DEFAULT)).getTTL(), "a revoked lease is gone");
        Throwable again = failure(lease.revoke(id));
        assertTrue(String.valueOf(again.getMessage()).contains("etcdserver: requested lease not found"),
                "got " + again);
    }

    @Test
    void expiryDeletesTheKeysWithDeleteEvents() throws Exception {
        long id = await(lease.grant(1)).getID();
        put("expire/a", id);
        put("expire/b", id);
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        Watch.Listener listener = Watch.listener(r -> events.addAll(r.getEvents()));
        try (Watch.Watcher watcher = server.client.getWatchClient().watch(bs("expire/"),
                WatchOption.builder().isPrefix(true).build(), listener)) {
            assertTrue(eventually(5_000, () -> count("expire/a") == 0 && count("expire/b") == 0),
                    "keys of an expired 1 s lease still there");
            assertTrue(eventually(2_000, () -> events.size() == 2), "events " + events);
        }
        assertEquals(WatchEvent.EventType.DELETE, events.get(0).getEventType());
        assertEquals(WatchEvent.EventType.DELETE, events.get(1).getEventType());
        assertEquals(events.get(0).getKeyValue().getModRevision(), events.get(1).getKeyValue().getModRevision(),
                "one revision for both deletions");
        assertEquals(-1, await(lease.timeToLive(id, LeaseOption.DEFAULT)).getTTL());
    }

    @Test
    void theKeepAliveObserverKeepsAKeyPastItsTtl() {
        long id = await(lease.grant(1)).getID();
        put("kept/a", id);
        List<LeaseKeepAliveResponse> responses = new CopyOnWriteArrayList<>();
        AtomicInteger errors = new AtomicInteger();
        CloseableClient keepAlive = lease.keepAlive(id, new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveResponse r) {
                responses.add(r);
            }

            @Override
            public void onError(Throwable t) {
                errors.incrementAndGet();
            }

            @Override
            public void onCompleted() {}
        });
        try {
            long until = System.nanoTime() + 3_500_000_000L;
            while (System.nanoTime() < until) {
                assertEquals(1, count("kept/a"), "the kept-alive key expired");
                sleep(200);
            }
        } finally {
            keepAlive.close();
        }
        assertTrue(responses.size() >= 2, "keep-alive responses " + responses.size());
        assertTrue(responses.stream().allMatch(r -> r.getID() == id && r.getTTL() == 1), "responses " + responses);
        assertEquals(0, errors.get());
        assertTrue(eventually(5_000, () -> count("kept/a") == 0), "expires once no longer kept alive");
    }

    @Test
    void keepAliveOnceRenewsToTheGrantedTtl() {
        long id = await(lease.grant(30)).getID();
        sleep(1_100);
        assertTrue(await(lease.timeToLive(id, LeaseOption.DEFAULT)).getTTL() <= 29);
        LeaseKeepAliveResponse r = await(lease.keepAliveOnce(id));
        assertEquals(id, r.getID());
        assertEquals(30, r.getTTL());
        assertTrue(await(lease.timeToLive(id, LeaseOption.DEFAULT)).getTTL() >= 29);
        Throwable unknown = failure(lease.keepAliveOnce(0x5eed_0001L));
        assertTrue(String.valueOf(unknown.getMessage()).contains("etcdserver: requested lease not found"),
                "got " + unknown);
    }

    @Test
    void timeToLiveOfAnUnknownLeaseIsMinusOne() {
        LeaseTimeToLiveResponse r = await(lease.timeToLive(0x5eed_0002L, LeaseOption.builder().withAttachedKeys().build()));
        assertEquals(0x5eed_0002L, r.getID());
        assertEquals(-1, r.getTTL());
        assertEquals(0, r.getGrantedTTL());
        assertTrue(r.getKeys().isEmpty());
    }

    @Test
    void putWithAnUnknownLeaseIsRefused() {
        long before = await(kv.get(bs("nolease"))).getHeader().getRevision();
        Throwable t = failure(kv.put(bs("nolease"), bs("v"), PutOption.builder().withLeaseId(0x5eed_0003L).build()));
        assertTrue(String.valueOf(t.getMessage()).contains("etcdserver: requested lease not found"), "got " + t);
        assertEquals(before, await(kv.get(bs("nolease"))).getHeader().getRevision(), "nothing written");
        assertEquals("NOT_FOUND: etcdserver: requested lease not found", status(() -> server.raw.put(
                PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("nolease")).setLease(0x5eed_0003L).build())));
    }

    @Test
    void aKeyMovesFromOneLeaseToAnother() {
        long first = await(lease.grant(60)).getID();
        long second = await(lease.grant(60)).getID();
        put("move/k", first);
        put("move/stay", first);
        put("move/k", second);
        assertEquals(second, leaseOf("move/k"));
        assertEquals(List.of("move/stay"), keys(first));
        assertEquals(List.of("move/k"), keys(second));
        await(lease.revoke(first));
        assertEquals(1, count("move/k"), "the key left the revoked lease");
        assertEquals(0, count("move/stay"));
        await(kv.put(bs("move/k"), bs("no lease")));
        assertEquals(0, leaseOf("move/k"), "a put without a lease detaches the key");
        assertEquals(List.of(), keys(second));
        await(lease.revoke(second));
        assertEquals(1, count("move/k"));
    }

    @Test
    void ignoreLeaseKeepsTheKeysLease() {
        long id = await(lease.grant(60)).getID();
        put("ignore/k", id);
        server.raw.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("ignore/k"))
                .setValue(ByteString.copyFromUtf8("v2")).setIgnoreLease(true).build());
        var kvs = server.raw.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("ignore/k")).build()).getKvs(0);
        assertEquals("v2", kvs.getValue().toStringUtf8());
        assertEquals(id, kvs.getLease());
        assertEquals(List.of("ignore/k"), keys(id));
        await(lease.revoke(id));
        assertEquals(0, count("ignore/k"), "still attached to the lease it was put with");
    }

    @Test
    void deletingAKeyDetachesIt() {
        long id = await(lease.grant(60)).getID();
        put("detach/a", id);
        put("detach/b", id);
        await(kv.delete(bs("detach/a")));
        assertEquals(List.of("detach/b"), keys(id));
        put("detach/a", 0);
        await(lease.revoke(id));
        assertEquals(1, count("detach/a"), "a key deleted and put again without a lease stays");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
