package io.vetcd.core;

import static io.vetcd.core.KvTestSupport.assertEtcdError;
import static io.vetcd.core.KvTestSupport.bs;
import static io.vetcd.core.KvTestSupport.cmpVersion;
import static io.vetcd.core.KvTestSupport.get;
import static io.vetcd.core.KvTestSupport.newStore;
import static io.vetcd.core.KvTestSupport.opDelete;
import static io.vetcd.core.KvTestSupport.opGet;
import static io.vetcd.core.KvTestSupport.opPut;
import static io.vetcd.core.KvTestSupport.opTxn;
import static io.vetcd.core.KvTestSupport.put;
import static io.vetcd.core.KvTestSupport.txn;
import static io.vetcd.core.KvTestSupport.txnReq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetcd.proto.etcdserverpb.Compare;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * etcd's request checks before anything is applied (etcdserver/api/v3rpc/key.go: checkRangeRequest,
 * checkPutRequest, checkDeleteRequest, checkTxnRequest, checkRequestOp, checkIntervals). A rejected
 * request never changes the revision.
 */
class RequestValidationTest {
    private final KvStore kv = newStore();

    @AfterEach
    void close() {
        kv.close();
    }

    private void assertRevisionUnchanged(long before) {
        assertEquals(before, kv.revision(), "a rejected request must not change the revision");
    }

    // ---- empty keys ----

    @Test
    void emptyKeyIsRejectedByEveryRequest() {
        assertEtcdError(EtcdError.EMPTY_KEY, () -> kv.range(RangeRequest.newBuilder().build()));
        assertEtcdError(EtcdError.EMPTY_KEY, () -> kv.put(PutRequest.newBuilder().setValue(bs("v")).build()));
        assertEtcdError(EtcdError.EMPTY_KEY, () -> kv.deleteRange(DeleteRangeRequest.newBuilder().build()));
        assertEtcdError(EtcdError.EMPTY_KEY,
                () -> kv.range(RangeRequest.newBuilder().setRangeEnd(bs("\0")).build()));
        assertRevisionUnchanged(1);
    }

    @Test
    void emptyKeyInATxnCompareOrOpIsRejected() {
        assertEtcdError(EtcdError.EMPTY_KEY, () -> kv.txn(txnReq()
                .addCompare(Compare.newBuilder().setTarget(Compare.CompareTarget.VERSION)).build()));
        assertEtcdError(EtcdError.EMPTY_KEY, () -> kv.txn(txnReq().addSuccess(opGet("")).build()));
        assertEtcdError(EtcdError.EMPTY_KEY, () -> kv.txn(txnReq().addFailure(opPut("", "v")).build()));
        assertEtcdError(EtcdError.EMPTY_KEY, () -> kv.txn(txnReq().addSuccess(opDelete("", "")).build()));
        assertEtcdError(EtcdError.EMPTY_KEY, () -> kv.txn(txnReq()
                .addSuccess(opTxn(txnReq().addFailure(opPut("", "v")).build())).build()), "nested");
        assertRevisionUnchanged(1);
    }

    @Test
    void emptyKeyIsCheckedBeforeTheFlags() {
        assertEtcdError(EtcdError.EMPTY_KEY, () -> kv.put(PutRequest.newBuilder()
                .setValue(bs("v")).setIgnoreValue(true).setLease(5).setIgnoreLease(true).build()));
    }

    // ---- put flags ----

    @Test
    void ignoreValueWithAValueIsRejected() {
        put(kv, "a", "1");
        assertEtcdError(EtcdError.VALUE_PROVIDED, () -> kv.put(PutRequest.newBuilder()
                .setKey(bs("a")).setValue(bs("x")).setIgnoreValue(true).build()));
        assertEtcdError(EtcdError.VALUE_PROVIDED, () -> kv.txn(txnReq().addSuccess(opPut(PutRequest.newBuilder()
                .setKey(bs("a")).setValue(bs("x")).setIgnoreValue(true).build())).build()));
        assertRevisionUnchanged(2);
    }

    @Test
    void ignoreLeaseWithALeaseIsRejected() {
        put(kv, "a", "1");
        assertEtcdError(EtcdError.LEASE_PROVIDED, () -> kv.put(PutRequest.newBuilder()
                .setKey(bs("a")).setLease(7).setIgnoreLease(true).build()));
        assertEtcdError(EtcdError.LEASE_PROVIDED, () -> kv.txn(txnReq().addFailure(opPut(PutRequest.newBuilder()
                .setKey(bs("a")).setLease(7).setIgnoreLease(true).build())).build()));
        assertRevisionUnchanged(2);
    }

    @Test
    void valueProvidedIsCheckedBeforeLeaseProvided() {
        assertEtcdError(EtcdError.VALUE_PROVIDED, () -> kv.put(PutRequest.newBuilder().setKey(bs("a"))
                .setValue(bs("x")).setIgnoreValue(true).setLease(7).setIgnoreLease(true).build()));
    }

    // ---- too many ops ----

    private static TxnRequest putsOnDistinctKeys(int n) {
        TxnRequest.Builder t = txnReq();
        for (int i = 0; i < n; i++) {
            t.addSuccess(opPut("k" + i, "v"));
        }
        return t.build();
    }

    @Test
    void defaultLimitAllows128OpsPerBranchAndRejects129() {
        assertEquals(128, Limits.defaults().maxTxnOps());
        assertTrue(txn(kv, putsOnDistinctKeys(128)).getSucceeded());
        assertEquals(2, kv.revision());
        assertEtcdError(EtcdError.TOO_MANY_OPS, () -> kv.txn(putsOnDistinctKeys(129)));
        assertRevisionUnchanged(2);
    }

    @Test
    void comparesAndFailureOpsCountAgainstTheLimitToo() {
        TxnRequest.Builder compares = txnReq();
        for (int i = 0; i < 129; i++) {
            compares.addCompare(cmpVersion("k" + i, Compare.CompareResult.EQUAL, 0));
        }
        assertEtcdError(EtcdError.TOO_MANY_OPS, () -> kv.txn(compares.build()));
        TxnRequest.Builder failure = txnReq();
        for (int i = 0; i < 129; i++) {
            failure.addFailure(opGet("k" + i));
        }
        assertEtcdError(EtcdError.TOO_MANY_OPS, () -> kv.txn(failure.build()));
    }

    @Test
    void customLimitIsHonoured() {
        try (KvStore small = newStore(new Limits(Limits.DEFAULT_MAX_REQUEST_BYTES, 3))) {
            assertTrue(txn(small, putsOnDistinctKeys(3)).getSucceeded());
            assertEtcdError(EtcdError.TOO_MANY_OPS, () -> small.txn(putsOnDistinctKeys(4)));
            assertEquals(2, small.revision());
        }
    }

    @Test
    void nestedTxnGetsWhatTheOuterLevelLeavesOfTheBudget() {
        // checkRequestOp(u, maxTxnOps-opc): with 3 allowed and 2 used outside, a nested txn may hold 1.
        try (KvStore small = newStore(new Limits(Limits.DEFAULT_MAX_REQUEST_BYTES, 3))) {
            TxnRequest nestedOne = txnReq().addSuccess(opPut("n1", "v")).build();
            TxnRequest nestedTwo = txnReq().addSuccess(opPut("n1", "v")).addSuccess(opPut("n2", "v")).build();
            assertTrue(txn(small, txnReq().addSuccess(opPut("a", "v")).addSuccess(opTxn(nestedOne)).build())
                    .getSucceeded());
            assertEtcdError(EtcdError.TOO_MANY_OPS,
                    () -> small.txn(txnReq().addSuccess(opPut("b", "v")).addSuccess(opTxn(nestedTwo)).build()));
        }
    }

    @Test
    void tooManyOpsIsCheckedBeforeEmptyKeys() {
        try (KvStore small = newStore(new Limits(Limits.DEFAULT_MAX_REQUEST_BYTES, 1))) {
            assertEtcdError(EtcdError.TOO_MANY_OPS,
                    () -> small.txn(txnReq().addSuccess(opGet("")).addSuccess(opGet("")).build()));
        }
    }

    // ---- duplicate keys (checkIntervals) ----

    private void assertDuplicate(TxnRequest t) {
        assertEtcdError(EtcdError.DUPLICATE_KEY, () -> kv.txn(t));
    }

    private void assertAccepted(TxnRequest t) {
        txn(kv, t);
    }

    @Test
    void sameKeyPutTwiceInOneBranchIsADuplicate() {
        assertDuplicate(txnReq().addSuccess(opPut("a", "1")).addSuccess(opPut("a", "2")).build());
        assertDuplicate(txnReq().addFailure(opPut("a", "1")).addFailure(opPut("a", "2")).build());
        assertRevisionUnchanged(1);
    }

    @Test
    void sameKeyInSuccessAndFailureIsFine() {
        assertAccepted(txnReq().addSuccess(opPut("a", "1")).addFailure(opPut("a", "2")).build());
        assertEquals(2, kv.revision());
    }

    @Test
    void putInsideADeleteOfTheSameBranchIsADuplicate() {
        assertDuplicate(txnReq().addSuccess(opDelete("a", "")).addSuccess(opPut("a", "1")).build());
        assertDuplicate(txnReq().addSuccess(opPut("a", "1")).addSuccess(opDelete("a", "")).build());
        assertDuplicate(txnReq().addSuccess(opDelete("a", "c")).addSuccess(opPut("b", "1")).build());
        assertDuplicate(txnReq().addSuccess(opDelete("a", "c")).addSuccess(opPut("a", "1")).build());
        assertRevisionUnchanged(1);
    }

    @Test
    void putAtTheExclusiveEndOfADeleteIsFine() {
        assertAccepted(txnReq().addSuccess(opDelete("a", "c")).addSuccess(opPut("c", "1")).build());
        assertAccepted(txnReq().addSuccess(opDelete("a", "")).addSuccess(opPut("ab", "1")).build());
    }

    @Test
    void fromKeyDeleteDoesNotCountAsOverlapping() {
        // etcd puts the raw range_end "\0" into its interval tree (no mkGteRange there), so a
        // from-key delete overlaps no put. Checked against etcd 3.4.23: txn {del b --from-key; put c}
        // is accepted and deletes "b" while creating "c".
        put(kv, "b", "1");
        assertAccepted(txnReq().addSuccess(opDelete("b", "\0")).addSuccess(opPut("c", "1")).build());
        assertEquals(0, get(kv, "b").getCount());
        assertEquals(1, get(kv, "c").getCount());
    }

    @Test
    void nestedPutOfAKeyPutOutsideIsADuplicate() {
        assertDuplicate(txnReq().addSuccess(opPut("a", "1"))
                .addSuccess(opTxn(txnReq().addSuccess(opPut("a", "2")).build())).build());
        assertDuplicate(txnReq().addSuccess(opPut("a", "1"))
                .addSuccess(opTxn(txnReq().addFailure(opPut("a", "2")).build())).build());
    }

    @Test
    void nestedThenAndElseMayPutTheSameKey() {
        assertAccepted(txnReq().addSuccess(opTxn(txnReq()
                .addSuccess(opPut("a", "1")).addFailure(opPut("a", "2")).build())).build());
        assertEquals(2, kv.revision());
    }

    @Test
    void twoNestedTxnsPuttingTheSameKeyAreDuplicates() {
        assertDuplicate(txnReq()
                .addSuccess(opTxn(txnReq().addSuccess(opPut("a", "1")).build()))
                .addSuccess(opTxn(txnReq().addSuccess(opPut("a", "2")).build())).build());
        // The else-branch exemption only covers the same nested txn's then-branch.
        assertDuplicate(txnReq()
                .addSuccess(opTxn(txnReq().addSuccess(opPut("a", "1")).build()))
                .addSuccess(opTxn(txnReq().addFailure(opPut("a", "2")).build())).build());
    }

    @Test
    void outerDeleteCoversNestedPuts() {
        assertDuplicate(txnReq().addSuccess(opDelete("a", "z"))
                .addSuccess(opTxn(txnReq().addSuccess(opPut("k", "1")).build())).build());
        assertDuplicate(txnReq().addSuccess(opDelete("k", ""))
                .addSuccess(opTxn(txnReq().addFailure(opPut("k", "1")).build())).build());
    }

    @Test
    void nestedDeleteCoversOuterPuts() {
        assertDuplicate(txnReq().addSuccess(opPut("k", "1"))
                .addSuccess(opTxn(txnReq().addSuccess(opDelete("a", "z")).build())).build());
        assertDuplicate(txnReq().addSuccess(opPut("k", "1"))
                .addSuccess(opTxn(txnReq().addFailure(opDelete("k", "")).build())).build());
    }

    @Test
    void nestedDeleteCoversPutsOfLaterSiblingsOnly() {
        // checkIntervals unions a nested txn's deletes only after checking its puts, in op order.
        assertDuplicate(txnReq()
                .addSuccess(opTxn(txnReq().addSuccess(opDelete("k", "")).build()))
                .addSuccess(opTxn(txnReq().addSuccess(opPut("k", "1")).build())).build());
        assertAccepted(txnReq()
                .addSuccess(opTxn(txnReq().addSuccess(opPut("k", "1")).build()))
                .addSuccess(opTxn(txnReq().addSuccess(opDelete("k", "")).build())).build());
    }

    @Test
    void deleteInNestedThenDoesNotCoverPutInTheSameNestedElse() {
        assertAccepted(txnReq().addSuccess(opTxn(txnReq()
                .addSuccess(opDelete("k", "")).addFailure(opPut("k", "1")).build())).build());
    }

    // ---- empty op, sort option ----

    @Test
    void emptyRequestOpIsKeyNotFound() {
        assertEtcdError(EtcdError.KEY_NOT_FOUND,
                () -> kv.txn(txnReq().addSuccess(RequestOp.getDefaultInstance()).build()));
        assertEtcdError(EtcdError.KEY_NOT_FOUND, () -> kv.txn(txnReq()
                .addFailure(opTxn(txnReq().addSuccess(RequestOp.getDefaultInstance()).build())).build()));
        assertEquals("etcdserver: key not found", EtcdError.KEY_NOT_FOUND.message());
        assertRevisionUnchanged(1);
    }

    @Test
    void emptyOpIsCheckedBeforeDuplicates() {
        assertEtcdError(EtcdError.KEY_NOT_FOUND, () -> kv.txn(txnReq()
                .addSuccess(opPut("a", "1")).addSuccess(opPut("a", "1"))
                .addSuccess(RequestOp.getDefaultInstance()).build()));
    }

    @Test
    void unknownSortOrderOrTargetIsAnInvalidSortOption() {
        // etcd 3.5 checkRangeRequest (3.4 would not reject these).
        assertEtcdError(EtcdError.INVALID_SORT_OPTION,
                () -> kv.range(RangeRequest.newBuilder().setKey(bs("a")).setSortOrderValue(3).build()));
        assertEtcdError(EtcdError.INVALID_SORT_OPTION,
                () -> kv.range(RangeRequest.newBuilder().setKey(bs("a")).setSortTargetValue(5).build()));
        assertEtcdError(EtcdError.INVALID_SORT_OPTION, () -> kv.txn(txnReq().addSuccess(RequestOp.newBuilder()
                .setRequestRange(RangeRequest.newBuilder().setKey(bs("a")).setSortOrderValue(9))).build()));
        // The empty key is reported first.
        assertEtcdError(EtcdError.EMPTY_KEY,
                () -> kv.range(RangeRequest.newBuilder().setKey(ByteString.EMPTY).setSortOrderValue(3).build()));
    }
}
