package io.vetcd.core;

import static io.vetcd.core.KvTestSupport.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.core.backend.MemoryBackend;
import io.vetcd.proto.etcdserverpb.CompactionRequest;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import com.google.protobuf.ByteString;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * etcd's quota rules at the store: a put costs 256 + key + value bytes; one that would reach the quota
 * fails with NO_SPACE and raises the alarm; with the alarm raised puts and txns with puts fail, while
 * deletes, read-only txns and compaction pass; a compaction frees room, and clearing the alarm lets
 * writes in again.
 */
class QuotaTest {
    private static final long QUOTA = 8 * 1024;
    private final KvStore kv = KvTestSupport.grantTestLeases(new KvStore(Limits.defaults(),
            new MemberIdentity(KvTestSupport.CLUSTER_ID, KvTestSupport.MEMBER_ID, KvTestSupport.RAFT_TERM),
            new MemoryBackend(), QUOTA, KvStore.DEFAULT_MIN_LEASE_TTL_SECONDS));

    @AfterEach
    void close() {
        kv.close();
    }

    private static PutRequest put(String key, int valueBytes) {
        return PutRequest.newBuilder().setKey(bs(key)).setValue(ByteString.copyFrom(new byte[valueBytes])).build();
    }

    private static EtcdError error(CompletableFuture<?> f) {
        try {
            f.get();
            return null;
        } catch (ExecutionException e) {
            return ((EtcdException) e.getCause()).error();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aPutThatWouldReachTheQuotaIsRefusedAndRaisesTheAlarm() throws Exception {
        int stored = 0;
        while (error(kv.put(put("k" + stored, 1000))) == null) {
            stored++;
        }
        assertTrue(stored >= 5 && stored <= 8, stored + " puts of ~1.3 KiB cost in 8 KiB");
        assertTrue(kv.backendSizeInUse() + 256 + 2 + 1000 >= QUOTA, "refused only when it would not fit");
        kv.setNoSpaceAlarm(true).get(); // the refusal's own raise is asynchronous: wait for it this way
        assertTrue(kv.noSpaceAlarm());
        assertEquals(EtcdError.NO_SPACE, error(kv.put(put("small", 1))), "the alarm refuses any put");
        TxnRequest txnPut = TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(put("t", 1))).build();
        assertEquals(EtcdError.NO_SPACE, error(kv.txn(txnPut)));
        TxnRequest readOnly = TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder()
                .setRequestRange(io.vetcd.proto.etcdserverpb.RangeRequest.newBuilder().setKey(bs("k0")))).build();
        assertEquals(null, error(kv.txn(readOnly)));

        long revision = kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(bs("k")).setRangeEnd(bs("l")).build())
                .get().getHeader().getRevision();
        kv.compact(CompactionRequest.newBuilder().setRevision(revision).build()).get();
        assertEquals(EtcdError.NO_SPACE, error(kv.put(put("small", 1))), "still raised after the compaction");
        assertTrue(kv.setNoSpaceAlarm(false).get(), "it was raised");
        assertFalse(kv.noSpaceAlarm());
        assertEquals(null, error(kv.put(put("small", 1))), "room made and the alarm cleared");
    }

    @Test
    void aTxnCostsItsLargerBranch() throws Exception {
        RequestOp big = RequestOp.newBuilder().setRequestPut(put("big", (int) QUOTA)).build();
        RequestOp small = RequestOp.newBuilder().setRequestPut(put("small", 10)).build();
        assertEquals(EtcdError.NO_SPACE, error(kv.txn(TxnRequest.newBuilder().addSuccess(small).addFailure(big).build())),
                "the failure branch would not fit, whichever branch runs");
        kv.setNoSpaceAlarm(false).get();
        assertEquals(null, error(kv.txn(TxnRequest.newBuilder().addSuccess(small).addFailure(small).build())));
    }
}
