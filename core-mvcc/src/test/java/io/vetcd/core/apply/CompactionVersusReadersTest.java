package io.vetcd.core.apply;

import static io.vetcd.core.KvTestSupport.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.vetcd.core.EtcdException;
import io.vetcd.core.mvcc.ReadView;
import io.vetcd.proto.etcdserverpb.CompactionRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RangeResponse;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import io.vetcd.proto.etcdserverpb.TxnResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A read at the current revision (revision 0) never fails with "required revision has been compacted"
 * in etcd: a read txn captures currentRev and compactMainRev together and holds store.mu for its whole
 * life, and Compact takes store.mu exclusively (mvcc/kvstore.go Compact, mvcc/kvstore_txn.go Read),
 * while applies are strictly sequential, so the current revision is always >= the compaction point.
 *
 * <p>These tests drive the writer and the read path with latches (no timing): {@code KvStore.range}
 * is {@code kv.range(store.readView(), r)}, which is what they call.
 */
class CompactionVersusReadersTest extends ApplierTestBase {
    private static final RangeRequest GET_A = RangeRequest.newBuilder().setKey(bs("a")).build();

    private CompletableFuture<?> compact(long revision) {
        return applier.submit(s -> kv.compact(s, CompactionRequest.newBuilder().setRevision(revision).build()));
    }

    private static RangeResponse rangeOrFail(KvCommands kv, ReadView view, RangeRequest r, String situation) {
        try {
            return kv.range(view, r);
        } catch (EtcdException e) {
            return fail("a revision-0 range failed with \"" + e.getMessage() + "\" " + situation
                    + "; etcd never fails a read of the current revision this way");
        }
    }

    @Test
    void rangeDuringABatchThatCompactsAtItsOwnNewRevision() throws Exception {
        put("a", "1").get(HANG_GUARD_SECONDS, TimeUnit.SECONDS); // revision 2, published
        WriterHold first = holdWriter();
        // One batch: put (revision 3) + compact at 3 (allowed: 3 is the writer's current revision,
        // as etcd allows compacting at currentRev), then the writer parks before publishing.
        put("a", "2");
        CompletableFuture<?> compaction = compact(3);
        WriterHold second = queueWriterHold();
        first.release();
        second.awaitEntered();
        try {
            assertEquals(2, store.revision(), "revision 3 is not published yet");
            assertEquals(3, store.compactRevision(), "the compaction point is already at 3");
            RangeResponse r = rangeOrFail(kv, store.readView(), GET_A,
                    "while the writer was between compacting at its new revision and publishing it");
            assertEquals(1, r.getCount());
            TxnResponse t = kv.readOnlyTxn(store.readView(), TxnRequest.newBuilder()
                    .addSuccess(RequestOp.newBuilder().setRequestRange(GET_A)).build());
            assertEquals(1, t.getResponses(0).getResponseRange().getCount());
        } finally {
            second.release();
        }
        compaction.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
        assertEquals(1, kv.range(store.readView(), GET_A).getCount(), "fine once published");
    }

    @Test
    void rangeWhoseViewIsOvertakenByACompaction() throws Exception {
        put("a", "1").get(HANG_GUARD_SECONDS, TimeUnit.SECONDS); // 2
        // KvStore.range has taken its view (store.readView()) and is preempted here...
        ReadView view = store.readView();
        // ... while another client writes and auto-compaction compacts at the newest revision.
        put("b", "1").get(HANG_GUARD_SECONDS, TimeUnit.SECONDS); // 3
        compact(3).get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
        RangeResponse r = rangeOrFail(kv, view, GET_A, "after a compaction overtook the read's view");
        assertEquals(1, r.getCount());
    }
}
