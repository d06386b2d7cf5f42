package io.vetcd.core.lease;

import static io.vetcd.core.KvTestSupport.assertEtcdError;
import static io.vetcd.core.KvTestSupport.await;
import static io.vetcd.core.KvTestSupport.bs;
import static io.vetcd.core.lease.LeaseTestSupport.count;
import static io.vetcd.core.lease.LeaseTestSupport.grant;
import static io.vetcd.core.lease.LeaseTestSupport.put;
import static io.vetcd.core.lease.LeaseTestSupport.ttl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetcd.core.EtcdError;
import io.vetcd.core.KvStore;
import io.vetcd.core.watch.WatchSink;
import io.vetcd.core.watch.WatchSpec;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.LeaseGrantResponse;
import io.vetcd.proto.etcdserverpb.LeaseRevokeRequest;
import io.vetcd.proto.etcdserverpb.LeaseStatus;
import io.vetcd.proto.etcdserverpb.LeaseTimeToLiveResponse;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import io.vetcd.proto.mvccpb.Event;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lease API of the store with etcd 3.4's answers: grant (fresh ids, min TTL, errors), revoke,
 * keepalive, time-to-live, the list, and keys attached, moved and detached by puts and deletes.
 */
class LeaseApiTest {
    private final KvStore kv = LeaseTestSupport.store(KvStore.DEFAULT_MIN_LEASE_TTL_SECONDS);

    @AfterEach
    void close() {
        kv.close();
    }

    private LeaseRevokeRequest revoke(long id) {
        return LeaseRevokeRequest.newBuilder().setID(id).build();
    }

    private List<String> keys(long lease) {
        return ttl(kv, lease).getKeysList().stream().map(ByteString::toStringUtf8).toList();
    }

    @Test
    void grantWithIdZeroPicksAFreshPositiveIdAndTakesNoRevision() {
        LeaseGrantResponse a = grant(kv, 0, 60);
        LeaseGrantResponse b = grant(kv, 0, 60);
        assertTrue(a.getID() > 0 && b.getID() > 0 && a.getID() != b.getID());
        assertEquals(60, a.getTTL());
        assertEquals(1, kv.revision(), "a grant changes no key");
        assertEquals(1, a.getHeader().getRevision());
        assertEquals(2, kv.leaseLeases().getLeasesCount());
    }

    @Test
    void ttlBelowTheMinimumIsRaised() {
        assertEquals(2, grant(kv, 5, 1).getTTL());
        assertEquals(2, grant(kv, 6, -3).getTTL());
        assertEquals(2, ttl(kv, 5).getGrantedTTL());
    }

    @Test
    void errorsAsEtcd() {
        grant(kv, 7, 60);
        assertEtcdError(EtcdError.LEASE_EXIST, () -> kv.leaseGrant(
                io.vetcd.proto.etcdserverpb.LeaseGrantRequest.newBuilder().setID(7).setTTL(60).build()));
        assertEtcdError(EtcdError.LEASE_TTL_TOO_LARGE, () -> kv.leaseGrant(
                io.vetcd.proto.etcdserverpb.LeaseGrantRequest.newBuilder().setID(7).setTTL(9_000_000_001L).build()),
                "TTL is checked before the id, as in etcd's lessor.Grant");
        assertEquals(9_000_000_000L, grant(kv, 8, 9_000_000_000L).getTTL());
        assertEtcdError(EtcdError.LEASE_NOT_FOUND, () -> kv.leaseRevoke(revoke(99)));
        assertEtcdError(EtcdError.LEASE_NOT_FOUND, () -> kv.put(PutRequest.newBuilder().setKey(bs("k"))
                .setValue(bs("v")).setLease(99).build()));
        assertEquals("FAILED_PRECONDITION", EtcdError.LEASE_EXIST.grpcCode());
        assertEquals("etcdserver: lease already exists", EtcdError.LEASE_EXIST.message());
        assertEquals("OUT_OF_RANGE", EtcdError.LEASE_TTL_TOO_LARGE.grpcCode());
        assertEquals("etcdserver: too large lease TTL", EtcdError.LEASE_TTL_TOO_LARGE.message());
    }

    @Test
    void timeToLiveTruncatesTheRemainingSecondsAndAnswersMinusOneForUnknown() {
        grant(kv, 1, 10);
        LeaseTimeToLiveResponse r = ttl(kv, 1);
        assertEquals(1, r.getID());
        assertEquals(10, r.getGrantedTTL());
        assertEquals(9, r.getTTL(), "9.99... s remaining is reported as 9, as etcd's int64(Seconds())");
        LeaseTimeToLiveResponse unknown = ttl(kv, 2);
        assertEquals(-1, unknown.getTTL());
        assertEquals(0, unknown.getGrantedTTL());
        assertEquals(2, unknown.getID());
    }

    @Test
    void keepAliveAnswersTheGrantedTtlAndZeroForUnknownOrRevoked() {
        grant(kv, 3, 30);
        assertEquals(30, kv.leaseKeepAlive(3).getTTL());
        assertEquals(3, kv.leaseKeepAlive(3).getID());
        assertEquals(0, kv.leaseKeepAlive(4).getTTL());
        await(kv.leaseRevoke(revoke(3)));
        assertEquals(0, kv.leaseKeepAlive(3).getTTL());
    }

    @Test
    void revokeOfALeaseWithoutKeysTakesNoRevisionAndForgetsIt() {
        grant(kv, 3, 30);
        assertEquals(1, await(kv.leaseRevoke(revoke(3))).getHeader().getRevision());
        assertEquals(1, kv.revision());
        assertEquals(-1, ttl(kv, 3).getTTL());
        assertEquals(List.of(), kv.leaseLeases().getLeasesList());
        assertEtcdError(EtcdError.LEASE_NOT_FOUND, () -> kv.leaseRevoke(revoke(3)));
        grant(kv, 3, 30); // the id is free again
        assertEquals(List.of(LeaseStatus.newBuilder().setID(3).build()), kv.leaseLeases().getLeasesList());
    }

    @Test
    void putsAttachMoveAndDetachKeys() {
        grant(kv, 1, 60);
        grant(kv, 2, 60);
        put(kv, "b", 1);
        put(kv, "a", 1);
        put(kv, "c", 1);
        assertEquals(List.of("a", "b", "c"), keys(1));
        put(kv, "a", 2); // moved
        assertEquals(List.of("b", "c"), keys(1));
        assertEquals(List.of("a"), keys(2));
        await(kv.put(PutRequest.newBuilder().setKey(bs("b")).setValue(bs("w")).setIgnoreLease(true).build()));
        assertEquals(List.of("b", "c"), keys(1), "ignore_lease keeps the key's lease");
        put(kv, "b", 0); // no lease any more
        assertEquals(List.of("c"), keys(1));
        await(kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(bs("c")).build()));
        assertEquals(List.of(), keys(1));
        await(kv.txn(TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder().setRequestDeleteRange(
                DeleteRangeRequest.newBuilder().setKey(bs("a")))).build()));
        assertEquals(List.of(), keys(2), "a txn's delete detaches too");
    }

    @Test
    void aFailedTxnAttachesNothing() {
        grant(kv, 1, 60);
        TxnRequest txn = TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bs("a"))
                        .setValue(bs("1")).setLease(1)))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bs("b"))
                        .setValue(bs("2")).setLease(42)))
                .build();
        assertEtcdError(EtcdError.LEASE_NOT_FOUND, () -> kv.txn(txn));
        assertEquals(List.of(), keys(1));
    }

    @Test
    void revokeDeletesEveryKeyInOneRevisionWithDeleteEvents() {
        grant(kv, 1, 60);
        put(kv, "k2", 1);
        put(kv, "k1", 1);
        long before = put(kv, "other", 0);
        put(kv, "k3", 1);
        List<Event> seen = new CopyOnWriteArrayList<>();
        await(kv.watch(new WatchSpec(bs("k"), bs("l"), 0, false, false, false), new WatchSink() {
            @Override
            public boolean events(List<Event> events, long revision) {
                seen.addAll(events);
                return true;
            }

            @Override
            public void compacted(long compactRevision, long revision) {}
        }));
        long at = kv.revision();
        long revoked = await(kv.leaseRevoke(revoke(1))).getHeader().getRevision();
        assertEquals(at + 1, revoked, "one revision for all three deletions");
        assertEquals(revoked, kv.revision());
        assertEquals(3, seen.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(Event.EventType.DELETE, seen.get(i).getType());
            assertEquals("k" + (i + 1), seen.get(i).getKv().getKey().toStringUtf8());
            assertEquals(revoked, seen.get(i).getKv().getModRevision());
        }
        assertEquals(0, count(kv, "k1") + count(kv, "k2") + count(kv, "k3"));
        assertEquals(1, count(kv, "other"));
        assertFalse(before <= 0);
        assertEtcdError(EtcdError.LEASE_NOT_FOUND, () -> kv.put(PutRequest.newBuilder().setKey(bs("k1"))
                .setValue(bs("v")).setLease(1).build()));
    }
}
