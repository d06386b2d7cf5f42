package io.vetcd.core.mvcc;

import static io.vetcd.core.KvTestSupport.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.core.EtcdError;
import io.vetcd.core.EtcdException;
import io.vetcd.proto.mvccpb.KeyValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The revision counters and compaction rules of the store (etcd's mvcc/kvstore.go and
 * kvstore_txn.go), driven directly on one thread acting as the writer.
 */
class MvccStoreTest {
    private final MvccStore store = new MvccStore();

    private static KeyRange key(String k) {
        return KeyRange.single(bs(k));
    }

    /** One write request: put, end, publish. Returns the published revision. */
    private long putAndPublish(String k, String v) {
        WriteTxn txn = store.beginWrite();
        txn.put(bs(k), bs(v), 0);
        txn.end();
        return store.publish();
    }

    private static void assertError(EtcdError expected, Executable e) {
        EtcdException ex = assertThrows(EtcdException.class, e);
        assertEquals(expected, ex.error());
    }

    @Test
    void freshStoreIsAtRevisionOneWithNoCompaction() {
        assertEquals(1, store.revision());
        assertEquals(-1, store.compactRevision());
        assertEquals(1, store.readView().revision());
        assertEquals(0, store.readView().range(KeyRange.of(bs("\0"), bs("\0")), 0, 0, false).count());
    }

    @Test
    void firstWriteGetsRevisionTwo() {
        WriteTxn txn = store.beginWrite();
        assertEquals(1, txn.revision(), "before any change the txn reports the begin revision");
        assertEquals(2, txn.put(bs("a"), bs("1"), 0));
        assertEquals(2, txn.revision());
        txn.end();
        assertEquals(2, store.publish());
        KeyValue kv = store.readView().range(key("a"), 0, 0, false).kvs().get(0);
        assertEquals(2, kv.getCreateRevision());
        assertEquals(2, kv.getModRevision());
        assertEquals(1, kv.getVersion());
    }

    @Test
    void allChangesOfOneWriteTxnShareOneRevision() {
        WriteTxn txn = store.beginWrite();
        assertEquals(2, txn.put(bs("a"), bs("1"), 0));
        assertEquals(2, txn.put(bs("b"), bs("1"), 0));
        assertEquals(2, txn.deleteRange(KeyRange.of(bs("a"), bs("c"))), "deletes both of this txn's puts");
        assertTrue(txn.changed());
        txn.end();
        assertEquals(2, store.publish());
    }

    @Test
    void writeTxnWithoutChangesKeepsTheRevision() {
        WriteTxn txn = store.beginWrite();
        assertEquals(0, txn.deleteRange(key("missing")));
        assertFalse(txn.changed());
        txn.end();
        assertEquals(1, store.publish());
        assertEquals(2, putAndPublish("a", "1"), "the next write still takes revision 2");
    }

    @Test
    void unpublishedWritesAreInvisibleToReadersButVisibleToTheWriter() {
        WriteTxn t1 = store.beginWrite();
        t1.put(bs("a"), bs("1"), 0);
        t1.end();
        assertEquals(1, store.revision(), "not published yet");
        ReadView reader = store.readView();
        assertEquals(0, reader.range(key("a"), 0, 0, false).count());

        WriteTxn t2 = store.beginWrite();
        assertEquals(2, t2.revision(), "the writer works on top of its unpublished revision");
        assertEquals(1, t2.range(key("a"), 0, 0, false).count());
        assertEquals(3, t2.put(bs("b"), bs("1"), 0));
        t2.end();

        assertEquals(3, store.publish());
        assertEquals(0, reader.range(key("a"), 0, 0, false).count(), "an existing view stays at its revision");
        assertEquals(1, store.readView().range(key("a"), 0, 0, false).count());
        assertEquals(3, store.readView().revision());
    }

    @Test
    void writeTxnReadsItsOwnChanges() {
        putAndPublish("a", "old");
        WriteTxn txn = store.beginWrite();
        RangeResult before = txn.range(key("a"), 0, 0, false);
        assertEquals("old", before.kvs().get(0).getValue().toStringUtf8());
        assertEquals(2, before.revision());
        txn.put(bs("a"), bs("new"), 0);
        RangeResult after = txn.range(key("a"), 0, 0, false);
        assertEquals("new", after.kvs().get(0).getValue().toStringUtf8());
        assertEquals(2, after.kvs().get(0).getVersion());
        assertEquals(3, after.revision(), "a range after a change reports begin + 1, like storeTxnWrite.Range");
        txn.end();
        store.publish();
    }

    @Test
    void readAboveTheCurrentRevisionIsAFutureRevision() {
        putAndPublish("a", "1");
        ReadView view = store.readView();
        assertError(EtcdError.FUTURE_REVISION, () -> view.range(key("a"), 3, 0, false));
        assertEquals(1, view.range(key("a"), 2, 0, false).count(), "the current revision itself is fine");
        assertEquals(1, view.range(key("a"), -5, 0, false).count(), "a negative revision reads the current one");
    }

    @Test
    void compactionAtOrBelowTheCompactionPointIsCompacted() {
        putAndPublish("a", "1");
        putAndPublish("a", "2");
        store.compact(2);
        assertEquals(2, store.compactRevision());
        assertError(EtcdError.COMPACTED, () -> store.compact(2));
        assertError(EtcdError.COMPACTED, () -> store.compact(1));
        assertEquals(2, store.compactRevision(), "failed compactions change nothing");
    }

    @Test
    void compactionAboveTheCurrentRevisionIsAFutureRevision() {
        putAndPublish("a", "1");
        assertError(EtcdError.FUTURE_REVISION, () -> store.compact(3));
        assertEquals(-1, store.compactRevision());
        store.compact(2);
        assertEquals(2, store.compactRevision(), "compacting at the current revision is allowed");
    }

    @Test
    void freshStoreMayCompactAtZeroOnce() {
        // compactMainRev starts at -1 (mvcc/kvstore.go NewStore), so 0 and 1 are accepted once.
        store.compact(0);
        assertError(EtcdError.COMPACTED, () -> store.compact(0));
        store.compact(1);
        assertError(EtcdError.COMPACTED, () -> store.compact(1));
    }

    @Test
    void readsBelowTheCompactionRevisionFailButReadsAtItWork() {
        putAndPublish("a", "1"); // 2
        putAndPublish("a", "2"); // 3
        putAndPublish("a", "3"); // 4
        store.compact(3);
        ReadView view = store.readView();
        assertError(EtcdError.COMPACTED, () -> view.range(key("a"), 2, 0, false));
        assertError(EtcdError.COMPACTED, () -> view.range(key("a"), 2, 0, true));
        assertEquals("2", view.range(key("a"), 3, 0, false).kvs().get(0).getValue().toStringUtf8());
        assertEquals("3", view.range(key("a"), 4, 0, false).kvs().get(0).getValue().toStringUtf8());
        assertEquals("3", view.range(key("a"), 0, 0, false).kvs().get(0).getValue().toStringUtf8());
        assertEquals(3, view.compactRevision());
    }

    @Test
    void futureRevisionIsCheckedBeforeCompaction() {
        putAndPublish("a", "1");
        store.compact(2);
        assertError(EtcdError.FUTURE_REVISION, () -> store.readView().range(key("a"), 9, 0, false));
    }

    @Test
    void compactionForgetsDeletedKeys() {
        putAndPublish("a", "1"); // 2
        putAndPublish("b", "1"); // 3
        WriteTxn del = store.beginWrite();
        del.deleteRange(key("a")); // 4
        del.end();
        store.publish();
        assertEquals(2, store.retainedKeys());
        store.compact(3);
        assertEquals(2, store.retainedKeys(), "at 3 \"a\" is still live");
        store.compact(4);
        assertEquals(1, store.retainedKeys(), "\"a\" was deleted at or below the compaction point");
        assertEquals(0, store.readView().range(key("a"), 4, 0, false).count());
    }

    @Test
    void recreatedKeyAfterCompactedDeleteStartsOver() {
        putAndPublish("a", "1"); // 2
        putAndPublish("a", "2"); // 3
        WriteTxn del = store.beginWrite();
        del.deleteRange(key("a")); // 4
        del.end();
        store.publish();
        store.compact(4);
        putAndPublish("a", "3"); // 5
        KeyValue kv = store.readView().range(key("a"), 0, 0, false).kvs().get(0);
        assertEquals(1, kv.getVersion());
        assertEquals(5, kv.getCreateRevision());
    }

    @Test
    void versionSurvivesCompactionOfALiveKey() {
        putAndPublish("a", "1"); // 2
        putAndPublish("a", "2"); // 3
        store.compact(3);
        putAndPublish("a", "3"); // 4
        KeyValue kv = store.readView().range(key("a"), 0, 0, false).kvs().get(0);
        assertEquals(3, kv.getVersion());
        assertEquals(2, kv.getCreateRevision());
    }
}
