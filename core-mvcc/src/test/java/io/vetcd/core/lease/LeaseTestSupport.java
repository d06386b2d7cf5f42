package io.vetcd.core.lease;

import static io.vetcd.core.KvTestSupport.await;
import static io.vetcd.core.KvTestSupport.bs;

import io.vetcd.core.KvStore;
import io.vetcd.core.KvTestSupport;
import io.vetcd.core.Limits;
import io.vetcd.core.MemberIdentity;
import io.vetcd.core.apply.Quota;
import io.vetcd.core.backend.Backend;
import io.vetcd.core.backend.MemoryBackend;
import io.vetcd.proto.etcdserverpb.LeaseGrantRequest;
import io.vetcd.proto.etcdserverpb.LeaseGrantResponse;
import io.vetcd.proto.etcdserverpb.LeaseTimeToLiveRequest;
import io.vetcd.proto.etcdserverpb.LeaseTimeToLiveResponse;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import java.util.function.BooleanSupplier;

/** Shared by the lease tests. Not a test itself. */
final class LeaseTestSupport {
    /** Only a guard against a lost expiry; never a speed assertion. */
    static final long GUARD_MILLIS = 20_000;

    private LeaseTestSupport() {}

    static KvStore store(long minTtl) {
        return store(new MemoryBackend(), minTtl);
    }

    static KvStore store(Backend backend, long minTtl) {
        return new KvStore(Limits.defaults(), new MemberIdentity(KvTestSupport.CLUSTER_ID, KvTestSupport.MEMBER_ID,
                KvTestSupport.RAFT_TERM), backend, Quota.DEFAULT_BYTES, minTtl);
    }

    static LeaseGrantResponse grant(KvStore kv, long id, long ttl) {
        return await(kv.leaseGrant(LeaseGrantRequest.newBuilder().setID(id).setTTL(ttl).build()));
    }

    static LeaseTimeToLiveResponse ttl(KvStore kv, long id) {
        return kv.leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(id).setKeys(true).build());
    }

    static long put(KvStore kv, String key, long lease) {
        return await(kv.put(PutRequest.newBuilder().setKey(bs(key)).setValue(bs("v")).setLease(lease).build()))
                .getHeader().getRevision();
    }

    static long count(KvStore kv, String key) {
        return kv.range(RangeRequest.newBuilder().setKey(bs(key)).build()).getCount();
    }

    /** Waits (polling) until {@code condition} holds; fails after {@link #GUARD_MILLIS}. */
    static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + GUARD_MILLIS * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within " + GUARD_MILLIS + " ms: " + what);
            }
            Thread.sleep(10);
        }
    }
}
