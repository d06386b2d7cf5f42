package io.vetcd.core;

import static io.vetcd.core.KvTestSupport.CLUSTER_ID;
import static io.vetcd.core.KvTestSupport.MEMBER_ID;
import static io.vetcd.core.KvTestSupport.RAFT_TERM;
import static io.vetcd.core.KvTestSupport.delete;
import static io.vetcd.core.KvTestSupport.get;
import static io.vetcd.core.KvTestSupport.newStore;
import static io.vetcd.core.KvTestSupport.opGet;
import static io.vetcd.core.KvTestSupport.opPut;
import static io.vetcd.core.KvTestSupport.put;
import static io.vetcd.core.KvTestSupport.txn;
import static io.vetcd.core.KvTestSupport.txnReq;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vetcd.proto.etcdserverpb.ResponseHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Top-level responses carry the member's full header (v3rpc header.fill); the revision is per request. */
class ResponseHeaderTest {
    private final KvStore kv = newStore();

    @AfterEach
    void close() {
        kv.close();
    }

    private static ResponseHeader full(long revision) {
        return ResponseHeader.newBuilder().setClusterId(CLUSTER_ID).setMemberId(MEMBER_ID)
                .setRevision(revision).setRaftTerm(RAFT_TERM).build();
    }

    @Test
    void everyTopLevelResponseHasTheFullHeader() {
        assertEquals(full(1), get(kv, "a").getHeader());
        assertEquals(full(2), put(kv, "a", "1").getHeader());
        assertEquals(full(2), get(kv, "a").getHeader());
        assertEquals(full(3), txn(kv, txnReq().addSuccess(opPut("b", "1")).build()).getHeader());
        assertEquals(full(3), txn(kv, txnReq().addSuccess(opGet("b")).build()).getHeader());
        assertEquals(full(4), delete(kv, "a").getHeader());
        assertEquals(full(4), delete(kv, "a").getHeader(), "nothing deleted: current revision");
    }
}
