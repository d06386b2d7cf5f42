package io.vetcd.core;

import static io.vetcd.core.KvTestSupport.assertEtcdError;
import static io.vetcd.core.KvTestSupport.await;
import static io.vetcd.core.KvTestSupport.bs;
import static io.vetcd.core.KvTestSupport.cmpValue;
import static io.vetcd.core.KvTestSupport.cmpVersion;
import static io.vetcd.core.KvTestSupport.get;
import static io.vetcd.core.KvTestSupport.getKv;
import static io.vetcd.core.KvTestSupport.keys;
import static io.vetcd.core.KvTestSupport.newStore;
import static io.vetcd.core.KvTestSupport.opDelete;
import static io.vetcd.core.KvTestSupport.opGet;
import static io.vetcd.core.KvTestSupport.opPut;
import static io.vetcd.core.KvTestSupport.opRange;
import static io.vetcd.core.KvTestSupport.opTxn;
import static io.vetcd.core.KvTestSupport.put;
import static io.vetcd.core.KvTestSupport.rangeReq;
import static io.vetcd.core.KvTestSupport.txn;
import static io.vetcd.core.KvTestSupport.txnReq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.proto.etcdserverpb.CompactionRequest;
import io.vetcd.proto.etcdserverpb.Compare.CompareResult;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeResponse;
import io.vetcd.proto.etcdserverpb.ResponseHeader;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.ResponseOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import io.vetcd.proto.etcdserverpb.TxnResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Txn execution (etcdserver/apply.go applierV3backend.Txn, applyTxn, newTxnResp, checkRequests). */
class TxnTest {
    private final KvStore kv = newStore();

    @AfterEach
    void close() {
        kv.close();
    }

    private static ResponseHeader revisionOnly(long revision) {
        return ResponseHeader.newBuilder().setRevision(revision).build();
    }

    @Test
    void successBranchRunsWhenComparesHold() {
        put(kv, "a", "1"); // 2
        TxnRequest t = txnReq().addCompare(cmpValue("a", CompareResult.EQUAL, "1"))
                .addSuccess(opPut("s", "yes")).addFailure(opPut("f", "yes")).build();
        TxnResponse r = txn(kv, t);
        assertTrue(r.getSucceeded());
        assertEquals(1, r.getResponsesCount());
        assertEquals(ResponseOp.ResponseCase.RESPONSE_PUT, r.getResponses(0).getResponseCase());
        assertEquals(1, get(kv, "s").getCount());
        assertEquals(0, get(kv, "f").getCount());
    }

    @Test
    void failureBranchRunsWhenACompareFails() {
        put(kv, "a", "1");
        TxnRequest t = txnReq().addCompare(cmpValue("a", CompareResult.EQUAL, "2"))
                .addSuccess(opPut("s", "yes")).addFailure(opGet("a")).addFailure(opPut("f", "yes")).build();
        TxnResponse r = txn(kv, t);
        assertFalse(r.getSucceeded());
        assertEquals(List.of(ResponseOp.ResponseCase.RESPONSE_RANGE, ResponseOp.ResponseCase.RESPONSE_PUT),
                r.getResponsesList().stream().map(ResponseOp::getResponseCase).toList());
        assertEquals(0, get(kv, "s").getCount());
        assertEquals(1, get(kv, "f").getCount());
    }

    @Test
    void wholeTxnIsOneRevision() {
        put(kv, "c", "old"); // 2
        TxnResponse r = txn(kv, txnReq().addSuccess(opPut("a", "1")).addSuccess(opPut("b", "1"))
                .addSuccess(opDelete("c", "")).build());
        assertEquals(3, r.getHeader().getRevision());
        assertEquals(3, kv.revision());
        assertEquals(3, getKv(kv, "a").getModRevision());
        assertEquals(3, getKv(kv, "b").getModRevision());
        assertEquals(revisionOnly(3), r.getResponses(0).getResponsePut().getHeader());
        assertEquals(revisionOnly(3), r.getResponses(1).getResponsePut().getHeader());
        assertEquals(revisionOnly(3), r.getResponses(2).getResponseDeleteRange().getHeader());
        assertEquals(1, r.getResponses(2).getResponseDeleteRange().getDeleted());
        assertEquals(4, put(kv, "d", "1").getHeader().getRevision());
    }

    @Test
    void readOnlyTxnDoesNotBumpTheRevision() {
        put(kv, "a", "1"); // 2
        TxnResponse r = txn(kv, txnReq().addCompare(cmpVersion("a", CompareResult.EQUAL, 1))
                .addSuccess(opGet("a")).addSuccess(opGet("b")).build());
        assertEquals(2, r.getHeader().getRevision());
        assertEquals(2, kv.revision());
        RangeResponse a = r.getResponses(0).getResponseRange();
        assertEquals(List.of("a"), keys(a));
        assertEquals(revisionOnly(2), a.getHeader());
    }

    @Test
    void emptyTxnSucceedsWithoutChanges() {
        TxnResponse r = txn(kv, TxnRequest.getDefaultInstance());
        assertTrue(r.getSucceeded());
        assertEquals(0, r.getResponsesCount());
        assertEquals(1, r.getHeader().getRevision());
    }

    @Test
    void writeTxnThatChangesNothingKeepsTheRevision() {
        put(kv, "a", "1"); // 2
        TxnResponse r = txn(kv, txnReq().addSuccess(opDelete("missing", "")).addSuccess(opGet("a")).build());
        assertEquals(2, r.getHeader().getRevision());
        assertEquals(2, kv.revision());
        assertEquals(revisionOnly(2), r.getResponses(0).getResponseDeleteRange().getHeader());
        // A write txn (it has a put) whose chosen branch only reads: no change either.
        TxnResponse f = txn(kv, txnReq().addCompare(cmpVersion("a", CompareResult.EQUAL, 9))
                .addSuccess(opPut("x", "1")).addFailure(opGet("a")).build());
        assertFalse(f.getSucceeded());
        assertEquals(2, f.getHeader().getRevision());
        assertEquals(2, kv.revision());
    }

    @Test
    void nestedResponseHeadersCarryOnlyTheirRevision() {
        put(kv, "a", "1"); // 2
        TxnResponse r = txn(kv, txnReq().addSuccess(opDelete("missing", "")).addSuccess(opGet("a"))
                .addSuccess(opPut("b", "1")).addSuccess(opGet("a")).addSuccess(opDelete("missing", "")).build());
        assertEquals(KvTestSupport.CLUSTER_ID, r.getHeader().getClusterId(), "the top header is complete");
        assertEquals(KvTestSupport.MEMBER_ID, r.getHeader().getMemberId());
        assertEquals(KvTestSupport.RAFT_TERM, r.getHeader().getRaftTerm());
        assertEquals(3, r.getHeader().getRevision());
        // Before the first change a nested op reports the begin revision, afterwards begin + 1
        // (storeTxnWrite.Range / DeleteRange).
        assertEquals(revisionOnly(2), r.getResponses(0).getResponseDeleteRange().getHeader());
        assertEquals(revisionOnly(2), r.getResponses(1).getResponseRange().getHeader());
        assertEquals(revisionOnly(3), r.getResponses(2).getResponsePut().getHeader());
        assertEquals(revisionOnly(3), r.getResponses(3).getResponseRange().getHeader());
        assertEquals(revisionOnly(3), r.getResponses(4).getResponseDeleteRange().getHeader());
    }

    @Test
    void nestedTxnsReportTheirOwnSucceededFlagAndAnEmptyHeader() {
        put(kv, "a", "1"); // 2
        TxnRequest inner = txnReq().addCompare(cmpValue("a", CompareResult.EQUAL, "nope"))
                .addSuccess(opPut("inner-s", "1")).addFailure(opPut("inner-f", "1")).build();
        TxnRequest middle = txnReq().addCompare(cmpValue("a", CompareResult.EQUAL, "1"))
                .addSuccess(opTxn(inner)).addSuccess(opPut("middle-s", "1")).build();
        TxnResponse r = txn(kv, txnReq().addCompare(cmpVersion("a", CompareResult.EQUAL, 9))
                .addSuccess(opPut("outer-s", "1")).addFailure(opTxn(middle)).build());
        assertFalse(r.getSucceeded());
        TxnResponse m = r.getResponses(0).getResponseTxn();
        assertTrue(m.getSucceeded());
        assertTrue(m.hasHeader(), "etcd's newTxnResp gives nested txns a header");
        assertEquals(ResponseHeader.getDefaultInstance(), m.getHeader(), "... and leaves it empty");
        TxnResponse i = m.getResponses(0).getResponseTxn();
        assertFalse(i.getSucceeded());
        assertEquals(ResponseHeader.getDefaultInstance(), i.getHeader());
        assertEquals(revisionOnly(3), i.getResponses(0).getResponsePut().getHeader());
        assertEquals(revisionOnly(3), m.getResponses(1).getResponsePut().getHeader());
        assertEquals(List.of("inner-f", "middle-s"), keys(KvTestSupport.range(kv, "i", "n")));
        assertEquals(0, get(kv, "outer-s").getCount());
        assertEquals(3, kv.revision(), "one revision for everything the nested txns wrote");
    }

    @Test
    void nestedComparesSeeTheStateBeforeTheTxn() {
        put(kv, "a", "old"); // 2
        // compareToPath decides every nested txn before anything is applied.
        TxnRequest nested = txnReq().addCompare(cmpValue("a", CompareResult.EQUAL, "new"))
                .addSuccess(opPut("saw-new", "1")).addFailure(opPut("saw-old", "1")).build();
        TxnResponse r = txn(kv, txnReq().addSuccess(opPut("a", "new")).addSuccess(opTxn(nested)).build());
        assertFalse(r.getResponses(1).getResponseTxn().getSucceeded());
        assertEquals(1, get(kv, "saw-old").getCount());
        assertEquals(0, get(kv, "saw-new").getCount());
    }

    @Test
    void siblingNestedTxnsTakeTheirOwnPaths() {
        put(kv, "a", "1");
        TxnRequest yes = txnReq().addCompare(cmpValue("a", CompareResult.EQUAL, "1"))
                .addSuccess(opPut("y1", "1")).addFailure(opPut("n1", "1")).build();
        TxnRequest no = txnReq().addCompare(cmpValue("a", CompareResult.EQUAL, "2"))
                .addSuccess(opTxn(txnReq().addSuccess(opPut("y2", "1")).build()))
                .addFailure(opPut("n2", "1")).build();
        TxnRequest yes3 = txnReq().addSuccess(opPut("y3", "1")).build();
        TxnResponse r = txn(kv, txnReq().addSuccess(opTxn(yes)).addSuccess(opTxn(no)).addSuccess(opTxn(yes3)).build());
        assertTrue(r.getResponses(0).getResponseTxn().getSucceeded());
        assertFalse(r.getResponses(1).getResponseTxn().getSucceeded());
        assertTrue(r.getResponses(2).getResponseTxn().getSucceeded());
        assertEquals(List.of("n2", "y1", "y3"), keys(KvTestSupport.range(kv, "b", "\0")));
    }

    @Test
    void rangeInsideAWriteTxnSeesEarlierOpsOfTheSameTxn() {
        put(kv, "a", "old"); // 2
        TxnResponse r = txn(kv, txnReq().addSuccess(opGet("a")).addSuccess(opPut("a", "new"))
                .addSuccess(opGet("a")).addSuccess(opDelete("b", "")).addSuccess(opPut("c", "1"))
                .addSuccess(opRange(rangeReq("a", "\0").build())).build());
        RangeResponse before = r.getResponses(0).getResponseRange();
        assertEquals("old", before.getKvs(0).getValue().toStringUtf8());
        RangeResponse after = r.getResponses(2).getResponseRange();
        assertEquals("new", after.getKvs(0).getValue().toStringUtf8());
        assertEquals(3, after.getKvs(0).getModRevision());
        assertEquals(2, after.getKvs(0).getVersion());
        assertEquals(List.of("a", "c"), keys(r.getResponses(5).getResponseRange()));
    }

    @Test
    void putInATxnCanReturnThePreviousValue() {
        put(kv, "a", "old");
        TxnResponse r = txn(kv, txnReq().addSuccess(opPut(PutRequest.newBuilder().setKey(bs("a"))
                .setValue(bs("new")).setPrevKv(true).build())).build());
        assertEquals("old", r.getResponses(0).getResponsePut().getPrevKv().getValue().toStringUtf8());
    }

    @Test
    void ignoreValueOnAMissingKeyFailsOnlyOnTheChosenPath() {
        put(kv, "a", "1"); // 2
        TxnRequest chosen = txnReq().addSuccess(opPut("x", "1"))
                .addSuccess(opPut(PutRequest.newBuilder().setKey(bs("missing")).setIgnoreValue(true).build())).build();
        assertEtcdError(EtcdError.KEY_NOT_FOUND, () -> kv.txn(chosen));
        assertEquals(2, kv.revision(), "nothing of the txn is applied");
        assertEquals(0, get(kv, "x").getCount());

        TxnRequest notChosen = txnReq().addCompare(cmpVersion("a", CompareResult.EQUAL, 1))
                .addSuccess(opPut("x", "1"))
                .addFailure(opPut(PutRequest.newBuilder().setKey(bs("missing")).setIgnoreLease(true).build())).build();
        assertTrue(txn(kv, notChosen).getSucceeded());

        TxnRequest nested = txnReq().addSuccess(opTxn(txnReq()
                .addSuccess(opPut(PutRequest.newBuilder().setKey(bs("missing")).setIgnoreValue(true).build()))
                .build())).build();
        assertEtcdError(EtcdError.KEY_NOT_FOUND, () -> kv.txn(nested));
    }

    @Test
    void ignoreValueInATxnKeepsTheValue() {
        put(kv, "a", "keep");
        txn(kv, txnReq().addSuccess(opPut(PutRequest.newBuilder().setKey(bs("a")).setIgnoreValue(true)
                .setLease(5).build())).build());
        assertEquals("keep", getKv(kv, "a").getValue().toStringUtf8());
        assertEquals(5, getKv(kv, "a").getLease());
        assertEquals(2, getKv(kv, "a").getVersion());
    }

    @Test
    void rangeAtAFutureRevisionInATxnFails() {
        put(kv, "a", "1"); // 2
        assertEtcdError(EtcdError.FUTURE_REVISION,
                () -> kv.txn(txnReq().addSuccess(opRange(rangeReq("a").setRevision(3).build())).build()));
        assertEtcdError(EtcdError.FUTURE_REVISION, () -> kv.txn(txnReq().addSuccess(opPut("b", "1"))
                .addSuccess(opRange(rangeReq("a").setRevision(3).build())).build()),
                "the check uses the revision before the txn, even after a put of the same txn");
        assertEquals(2, kv.revision());
        // Not on the chosen path: no check.
        assertFalse(txn(kv, txnReq().addCompare(cmpVersion("a", CompareResult.EQUAL, 5))
                .addSuccess(opRange(rangeReq("a").setRevision(3).build())).build()).getSucceeded());
    }

    @Test
    void rangeAtACompactedRevisionInATxnFails() {
        put(kv, "a", "1"); // 2
        put(kv, "a", "2"); // 3
        await(kv.compact(CompactionRequest.newBuilder().setRevision(3).build()));
        assertEtcdError(EtcdError.COMPACTED,
                () -> kv.txn(txnReq().addSuccess(opRange(rangeReq("a").setRevision(2).build())).build()));
        TxnResponse atCompaction = txn(kv, txnReq().addSuccess(opRange(rangeReq("a").setRevision(3).build())).build());
        assertEquals("2", atCompaction.getResponses(0).getResponseRange().getKvs(0).getValue().toStringUtf8());
    }

    @Test
    void negativeRangeRevisionInATxnIsComparedToTheCompactionPoint() {
        // checkRequestRange: Revision != 0 and Revision < FirstRev() -> ErrCompacted, so -1 fails once
        // anything was compacted, while a top-level Range treats -1 as "current".
        put(kv, "a", "1"); // 2
        TxnResponse before = txn(kv, txnReq().addSuccess(opRange(rangeReq("a").setRevision(-1).build())).build());
        assertEquals(1, before.getResponses(0).getResponseRange().getCount(), "FirstRev is -1: -1 passes");
        await(kv.compact(CompactionRequest.newBuilder().setRevision(1).build()));
        assertEtcdError(EtcdError.COMPACTED,
                () -> kv.txn(txnReq().addSuccess(opRange(rangeReq("a").setRevision(-1).build())).build()));
        assertEquals(1, kv.range(rangeReq("a").setRevision(-1).build()).getCount());
    }

    @Test
    void putChecksComeBeforeRangeChecks() {
        put(kv, "a", "1"); // 2
        TxnRequest t = txnReq().addSuccess(opRange(rangeReq("a").setRevision(99).build()))
                .addSuccess(opPut(PutRequest.newBuilder().setKey(bs("missing")).setIgnoreValue(true).build())).build();
        assertEtcdError(EtcdError.KEY_NOT_FOUND, () -> kv.txn(t));
    }

    @Test
    void txnDeleteWithPrevKvs() {
        put(kv, "a", "1");
        put(kv, "b", "2");
        TxnResponse r = txn(kv, txnReq().addSuccess(RequestOp.newBuilder()
                .setRequestDeleteRange(KvTestSupport.deleteReq("a", "z").toBuilder().setPrevKv(true))).build());
        assertEquals(2, r.getResponses(0).getResponseDeleteRange().getDeleted());
        assertEquals(2, r.getResponses(0).getResponseDeleteRange().getPrevKvsCount());
        assertEquals(0, KvTestSupport.range(kv, "a", "z").getCount());
    }

    @Test
    void fromKeyDeleteThenPutOfACoveredKeyRecreatesIt() {
        // Allowed by checkIntervals (see RequestValidationTest); the put comes after the tombstone
        // in the same revision, so the key starts a new life.
        put(kv, "b", "1"); // 2
        put(kv, "b", "2"); // 3
        TxnResponse r = txn(kv, txnReq().addSuccess(opDelete("a", "\0")).addSuccess(opPut("b", "3")).build());
        assertEquals(1, r.getResponses(0).getResponseDeleteRange().getDeleted());
        assertEquals(4, getKv(kv, "b").getCreateRevision());
        assertEquals(1, getKv(kv, "b").getVersion());
    }
}
