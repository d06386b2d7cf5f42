package io.vetcd.core;

import static io.vetcd.core.KvTestSupport.assertEtcdError;
import static io.vetcd.core.KvTestSupport.await;
import static io.vetcd.core.KvTestSupport.delete;
import static io.vetcd.core.KvTestSupport.getKv;
import static io.vetcd.core.KvTestSupport.newStore;
import static io.vetcd.core.KvTestSupport.put;
import static io.vetcd.core.KvTestSupport.rangeReq;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vetcd.proto.etcdserverpb.CompactionRequest;
import io.vetcd.proto.etcdserverpb.CompactionResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Compact RPC through {@link KvStore} (etcdserver/apply.go Compaction, mvcc updateCompactRev). */
class CompactionTest {
    private final KvStore kv = newStore();

    @AfterEach
    void close() {
        kv.close();
    }

    private CompactionResponse compact(long revision) {
        return await(kv.compact(CompactionRequest.newBuilder().setRevision(revision).build()));
    }

    @Test
    void responseReportsTheCurrentRevision() {
        put(kv, "a", "1"); // 2
        put(kv, "a", "2"); // 3
        CompactionResponse r = compact(2);
        assertEquals(3, r.getHeader().getRevision());
        assertEquals(KvTestSupport.CLUSTER_ID, r.getHeader().getClusterId());
        assertEquals(KvTestSupport.MEMBER_ID, r.getHeader().getMemberId());
        assertEquals(KvTestSupport.RAFT_TERM, r.getHeader().getRaftTerm());
        assertEquals(2, kv.compactRevision());
        assertEquals(3, kv.revision(), "compaction takes no revision");
    }

    @Test
    void compactingTwiceAtTheSameRevisionIsCompacted() {
        put(kv, "a", "1");
        compact(2);
        assertEtcdError(EtcdError.COMPACTED, () -> kv.compact(CompactionRequest.newBuilder().setRevision(2).build()));
        assertEtcdError(EtcdError.COMPACTED, () -> kv.compact(CompactionRequest.newBuilder().setRevision(1).build()));
    }

    @Test
    void compactingAboveTheCurrentRevisionIsAFutureRevision() {
        put(kv, "a", "1");
        assertEtcdError(EtcdError.FUTURE_REVISION,
                () -> kv.compact(CompactionRequest.newBuilder().setRevision(3).build()));
        assertEquals(-1, kv.compactRevision());
    }

    @Test
    void compactingAtTheCurrentRevisionIsAllowed() {
        put(kv, "a", "1");
        compact(2);
        assertEquals("1", getKv(kv, "a").getValue().toStringUtf8());
        assertEquals("1", kv.range(rangeReq("a").setRevision(2).build()).getKvs(0).getValue().toStringUtf8());
    }

    @Test
    void freshStoreAcceptsCompactionAtZero() {
        assertEquals(1, compact(0).getHeader().getRevision());
        assertEquals(0, kv.compactRevision());
        assertEtcdError(EtcdError.COMPACTED, () -> kv.compact(CompactionRequest.newBuilder().setRevision(0).build()));
    }

    @Test
    void readsBelowFailAtAndAboveWork() {
        put(kv, "a", "1"); // 2
        put(kv, "a", "2"); // 3
        delete(kv, "a"); // 4
        put(kv, "a", "3"); // 5
        compact(4);
        assertEtcdError(EtcdError.COMPACTED, () -> kv.range(rangeReq("a").setRevision(3).build()));
        assertEquals(0, kv.range(rangeReq("a").setRevision(4).build()).getCount(), "deleted at 4");
        assertEquals("3", kv.range(rangeReq("a").setRevision(5).build()).getKvs(0).getValue().toStringUtf8());
        assertEquals(1, getKv(kv, "a").getVersion(), "recreated after the delete");
    }

    @Test
    void writesAfterCompactionContinueTheKeysHistory() {
        put(kv, "a", "1"); // 2
        put(kv, "a", "2"); // 3
        compact(3);
        put(kv, "a", "3"); // 4
        assertEquals(3, getKv(kv, "a").getVersion());
        assertEquals(2, getKv(kv, "a").getCreateRevision());
    }
}
