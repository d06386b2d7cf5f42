package io.vetcd.core;

import static io.vetcd.core.KvTestSupport.assertEtcdError;
import static io.vetcd.core.KvTestSupport.bs;
import static io.vetcd.core.KvTestSupport.get;
import static io.vetcd.core.KvTestSupport.newStore;
import static io.vetcd.core.KvTestSupport.opGet;
import static io.vetcd.core.KvTestSupport.opPut;
import static io.vetcd.core.KvTestSupport.put;
import static io.vetcd.core.KvTestSupport.txn;
import static io.vetcd.core.KvTestSupport.txnReq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * --max-request-bytes: writes that go through raft are refused when too large
 * (etcdserver/v3_server.go processInternalRaftRequestOnce); reads and read-only txns never are.
 */
class RequestSizeLimitTest {
    private static final int LIMIT = 64;
    private final KvStore kv = newStore(new Limits(LIMIT, Limits.DEFAULT_MAX_TXN_OPS));

    @AfterEach
    void close() {
        kv.close();
    }

    private static String big() {
        return "x".repeat(LIMIT * 2);
    }

    @Test
    void smallWritesAreAccepted() {
        put(kv, "a", "small");
        assertEquals(2, kv.revision());
    }

    @Test
    void largePutIsRejected() {
        assertEtcdError(EtcdError.REQUEST_TOO_LARGE, () -> kv.put(PutRequest.newBuilder()
                .setKey(bs("a")).setValue(bs(big())).build()));
        assertEquals(1, kv.revision());
        assertEquals(0, get(kv, "a").getCount());
    }

    @Test
    void largeDeleteIsRejected() {
        assertEtcdError(EtcdError.REQUEST_TOO_LARGE,
                () -> kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(bs(big())).build()));
    }

    @Test
    void largeWriteTxnIsRejected() {
        TxnRequest t = txnReq().addSuccess(opPut("a", big())).build();
        assertEtcdError(EtcdError.REQUEST_TOO_LARGE, () -> kv.txn(t));
        assertEquals(1, kv.revision());
    }

    @Test
    void largeReadsAreNotLimited() {
        assertEquals(0, kv.range(RangeRequest.newBuilder().setKey(bs(big())).build()).getCount());
        TxnRequest readOnly = txnReq().addSuccess(opGet(big())).addFailure(opGet(big() + "y")).build();
        assertTrue(readOnly.getSerializedSize() > LIMIT);
        assertTrue(txn(kv, readOnly).getSucceeded());
    }

    @Test
    void requestChecksComeBeforeTheSizeCheck() {
        assertEtcdError(EtcdError.VALUE_PROVIDED, () -> kv.put(PutRequest.newBuilder()
                .setKey(bs("a")).setValue(bs(big())).setIgnoreValue(true).build()));
        assertEtcdError(EtcdError.DUPLICATE_KEY, () -> kv.txn(txnReq()
                .addSuccess(opPut("a", big())).addSuccess(opPut("a", big())).build()));
    }
}
