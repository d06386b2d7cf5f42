package io.vetcd.core;

import static io.vetcd.core.KvTestSupport.UNGRANTED_LEASE;
import static io.vetcd.core.KvTestSupport.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * A put naming a lease the lessor does not hold fails with NOT_FOUND "etcdserver: requested lease not
 * found" (etcdserver/apply.go: Put looks the lease up before it looks at the key; a txn's checkRequestPut
 * after ignore_value/ignore_lease found the key), and changes nothing.
 */
class LeaseCheckTest {
    private final KvStore kv = KvTestSupport.newStore();

    private static EtcdError failure(java.util.concurrent.CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        return ((EtcdException) e.getCause()).error();
    }

    @Test
    void plainPutWithUngrantedLeaseIsRefusedBeforeTheKeyIsLookedAt() {
        // The key is missing too: etcd reports the lease, not KEY_NOT_FOUND, because it checks the lease first.
        assertSame(EtcdError.LEASE_NOT_FOUND, failure(kv.put(PutRequest.newBuilder().setKey(bs("a"))
                .setValue(bs("v")).setLease(UNGRANTED_LEASE).build())));
        assertEquals(1, kv.revision(), "a refused put takes no revision");
        assertEquals(0, kv.range(RangeRequest.newBuilder().setKey(bs("a")).build()).getCount());
    }

    @Test
    void grantedLeaseIsStored() throws Exception {
        kv.put(PutRequest.newBuilder().setKey(bs("a")).setValue(bs("v")).setLease(7).build()).get();
        assertEquals(7, kv.range(RangeRequest.newBuilder().setKey(bs("a")).build()).getKvs(0).getLease());
    }

    @Test
    void txnPutWithUngrantedLeaseFailsTheWholeTxn() {
        TxnRequest txn = TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
                        .setKey(bs("a")).setValue(bs("1"))))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
                        .setKey(bs("b")).setValue(bs("2")).setLease(UNGRANTED_LEASE)))
                .build();
        assertSame(EtcdError.LEASE_NOT_FOUND, failure(kv.txn(txn)));
        assertEquals(1, kv.revision());
        assertEquals(0, kv.range(RangeRequest.newBuilder().setKey(bs("a")).build()).getCount());
    }

    @Test
    void ungrantedLeaseOnTheBranchNotTakenIsNotChecked() throws Exception {
        TxnRequest txn = TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
                        .setKey(bs("a")).setValue(bs("1"))))
                .addFailure(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
                        .setKey(bs("b")).setValue(bs("2")).setLease(UNGRANTED_LEASE)))
                .build();
        assertEquals(true, kv.txn(txn).get().getSucceeded());
        assertEquals(2, kv.revision());
    }
}
