package io.vetcd.core;

import static io.vetcd.core.KvTestSupport.bs;
import static io.vetcd.core.KvTestSupport.bytes;
import static io.vetcd.core.KvTestSupport.cmpCreate;
import static io.vetcd.core.KvTestSupport.cmpLease;
import static io.vetcd.core.KvTestSupport.cmpMod;
import static io.vetcd.core.KvTestSupport.cmpValue;
import static io.vetcd.core.KvTestSupport.cmpVersion;
import static io.vetcd.core.KvTestSupport.newStore;
import static io.vetcd.core.KvTestSupport.opPut;
import static io.vetcd.core.KvTestSupport.put;
import static io.vetcd.core.KvTestSupport.txn;
import static io.vetcd.core.KvTestSupport.txnReq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.proto.etcdserverpb.Compare;
import io.vetcd.proto.etcdserverpb.Compare.CompareResult;
import io.vetcd.proto.etcdserverpb.Compare.CompareTarget;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Txn compares (etcdserver/apply.go applyCompare/compareKV): the kv's field compared to the given one,
 * every key of a range must satisfy it, a missing key compares as a zero KeyValue except for VALUE,
 * which always fails.
 */
class TxnCompareTest {
    private final KvStore kv = newStore();

    /** a: value "n", create 2, mod 3, version 2, lease 3. b: value "x", create 4, mod 4, version 1. */
    @BeforeEach
    void fill() {
        put(kv, "a", "m"); // 2
        put(kv, PutRequest.newBuilder().setKey(bs("a")).setValue(bs("n")).setLease(3).build()); // 3
        put(kv, "b", "x"); // 4
    }

    @AfterEach
    void close() {
        kv.close();
    }

    private boolean holds(Compare... compares) {
        TxnRequest.Builder t = txnReq();
        for (Compare c : compares) {
            t.addCompare(c);
        }
        boolean readOnly = txn(kv, t.build()).getSucceeded();
        // The same compares in a write txn must decide the same way.
        long before = kv.revision();
        boolean write = txn(kv, t.addSuccess(opPut("written-on-success", "1")).build()).getSucceeded();
        assertEquals(readOnly, write, "read-only and write txns disagree");
        assertEquals(write ? before + 1 : before, kv.revision());
        return readOnly;
    }

    private void assertResults(Compare base, boolean equal, boolean notEqual, boolean greater, boolean less) {
        assertEquals(equal, holds(base.toBuilder().setResult(CompareResult.EQUAL).build()), "EQUAL " + base);
        assertEquals(notEqual, holds(base.toBuilder().setResult(CompareResult.NOT_EQUAL).build()), "NOT_EQUAL");
        assertEquals(greater, holds(base.toBuilder().setResult(CompareResult.GREATER).build()), "GREATER");
        assertEquals(less, holds(base.toBuilder().setResult(CompareResult.LESS).build()), "LESS");
    }

    @Test
    void version() {
        assertResults(cmpVersion("a", CompareResult.EQUAL, 2), true, false, false, false);
        assertResults(cmpVersion("a", CompareResult.EQUAL, 1), false, true, true, false);
        assertResults(cmpVersion("a", CompareResult.EQUAL, 3), false, true, false, true);
    }

    @Test
    void createRevision() {
        assertResults(cmpCreate("a", CompareResult.EQUAL, 2), true, false, false, false);
        assertResults(cmpCreate("a", CompareResult.EQUAL, 1), false, true, true, false);
        assertResults(cmpCreate("a", CompareResult.EQUAL, 3), false, true, false, true);
    }

    @Test
    void modRevision() {
        assertResults(cmpMod("a", CompareResult.EQUAL, 3), true, false, false, false);
        assertResults(cmpMod("a", CompareResult.EQUAL, 2), false, true, true, false);
        assertResults(cmpMod("a", CompareResult.EQUAL, 4), false, true, false, true);
    }

    @Test
    void lease() {
        assertResults(cmpLease("a", CompareResult.EQUAL, 3), true, false, false, false);
        assertResults(cmpLease("a", CompareResult.EQUAL, 0), false, true, true, false);
        assertResults(cmpLease("b", CompareResult.EQUAL, 0), true, false, false, false);
    }

    @Test
    void value() {
        assertResults(cmpValue("a", CompareResult.EQUAL, "n"), true, false, false, false);
        assertResults(cmpValue("a", CompareResult.EQUAL, "m"), false, true, true, false);
        assertResults(cmpValue("a", CompareResult.EQUAL, "nn"), false, true, false, true);
        assertResults(cmpValue("a", CompareResult.EQUAL, ""), false, true, true, false);
    }

    @Test
    void valueComparesUnsignedBytes() {
        put(kv, PutRequest.newBuilder().setKey(bs("u")).setValue(bytes(0xFF)).build());
        assertTrue(holds(Compare.newBuilder().setKey(bs("u")).setTarget(CompareTarget.VALUE)
                .setResult(CompareResult.GREATER).setValue(bytes(0x7F)).build()));
    }

    @Test
    void missingKeyComparesAsAZeroKeyValue() {
        assertTrue(holds(cmpVersion("zz", CompareResult.EQUAL, 0)));
        assertTrue(holds(cmpCreate("zz", CompareResult.EQUAL, 0)));
        assertTrue(holds(cmpMod("zz", CompareResult.LESS, 1)));
        assertTrue(holds(cmpLease("zz", CompareResult.EQUAL, 0)));
        assertFalse(holds(cmpVersion("zz", CompareResult.GREATER, 0)));
    }

    @Test
    void valueCompareOnAMissingKeyAlwaysFails() {
        assertFalse(holds(cmpValue("zz", CompareResult.EQUAL, "")));
        assertFalse(holds(cmpValue("zz", CompareResult.NOT_EQUAL, "x")));
        assertFalse(holds(cmpValue("zz", CompareResult.LESS, "zzz")));
        assertFalse(holds(cmpValue("zz", CompareResult.GREATER, "")));
    }

    @Test
    void deletedKeyCountsAsMissing() {
        KvTestSupport.delete(kv, "b");
        assertTrue(holds(cmpVersion("b", CompareResult.EQUAL, 0)));
        assertFalse(holds(cmpValue("b", CompareResult.EQUAL, "x")));
    }

    @Test
    void compareOverARangeNeedsEveryKeyToMatch() {
        Compare modAbove1 = cmpMod("a", CompareResult.GREATER, 1).toBuilder().setRangeEnd(bs("c")).build();
        assertTrue(holds(modAbove1));
        Compare version1 = cmpVersion("a", CompareResult.EQUAL, 1).toBuilder().setRangeEnd(bs("c")).build();
        assertFalse(holds(version1), "a has version 2");
        Compare bOnly = cmpVersion("b", CompareResult.EQUAL, 1).toBuilder().setRangeEnd(bs("c")).build();
        assertTrue(holds(bOnly));
        Compare fromKey = cmpValue("a", CompareResult.NOT_EQUAL, "").toBuilder().setRangeEnd(bs("\0")).build();
        assertTrue(holds(fromKey));
    }

    @Test
    void compareOverAnEmptyRange() {
        Compare versionZero = cmpVersion("x", CompareResult.EQUAL, 0).toBuilder().setRangeEnd(bs("z")).build();
        assertTrue(holds(versionZero), "no keys: compared as one zero KeyValue");
        Compare anyValue = cmpValue("x", CompareResult.NOT_EQUAL, "q").toBuilder().setRangeEnd(bs("z")).build();
        assertFalse(holds(anyValue));
    }

    @Test
    void allComparesMustHold() {
        assertTrue(holds(cmpVersion("a", CompareResult.EQUAL, 2), cmpValue("b", CompareResult.EQUAL, "x")));
        assertFalse(holds(cmpVersion("a", CompareResult.EQUAL, 2), cmpValue("b", CompareResult.EQUAL, "y")));
        assertFalse(holds(cmpVersion("a", CompareResult.EQUAL, 9), cmpValue("b", CompareResult.EQUAL, "x")));
        assertTrue(holds(), "no compares: success");
    }

    @Test
    void targetUnionOfAnotherKindComparesAgainstZero() {
        // target MOD with only 'version' set: etcd reads mod_revision as 0 (compareKV's type switch).
        Compare c = Compare.newBuilder().setKey(bs("a")).setTarget(CompareTarget.MOD)
                .setResult(CompareResult.GREATER).setVersion(100).build();
        assertTrue(holds(c));
    }
}
