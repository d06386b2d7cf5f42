package io.vetcd.core.mvcc;

import static io.vetcd.core.KvTestSupport.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the writer hands its {@link ChangeListener} when a batch is published: a change of each write whose
 * key the listener wants, with the key's value before the txn as {@code prev}; nothing of a txn that
 * aborts. And what history reads hand out: one change per revision.
 */
class ChangeRecordingTest {
    private final MvccStore store = new MvccStore();
    private final List<String> told = new ArrayList<>();
    private final List<String> asked = new ArrayList<>();
    private final List<Change> changes = new ArrayList<>();

    ChangeRecordingTest() {
        store.setChangeListener(new ChangeListener() {
            @Override
            public boolean wantsChangeOf(ByteString key) {
                asked.add(key.toStringUtf8());
                return key.toStringUtf8().startsWith("w");
            }

            @Override
            public void committed(List<Change> changes, long revision) {
                ChangeRecordingTest.this.changes.addAll(changes);
                for (Change c : changes) {
                    told.add((c.isDelete() ? "DELETE " : "PUT ") + c.kv().getKey().toStringUtf8() + "@" + c.main() + "."
                            + c.sub() + (c.withPrevKv().hasPrevKv() ? " prev " + c.withPrevKv().getPrevKv().getValue()
                            .toStringUtf8() : "") + " at " + revision);
                }
            }
        });
    }

    private void put(String k, String v) {
        WriteTxn txn = store.beginWrite();
        txn.put(bs(k), bs(v), 0);
        txn.end();
    }

    @Test
    void onlyChangesOfWantedKeysAreRecorded() {
        put("w1", "1");
        put("x", "1");
        WriteTxn txn = store.beginWrite();
        txn.put(bs("x"), bs("2"), 0);
        txn.put(bs("w1"), bs("2"), 0);
        txn.deleteRange(KeyRange.of(bs("\0"), bs("\0")));
        txn.end();
        store.publish();
        assertEquals(List.of("PUT w1@2.0 at 4", "PUT w1@4.1 prev 1 at 4", "DELETE w1@4.2 prev 1 at 4"), told);
        assertEquals(List.of("w1", "x", "x", "w1", "w1", "x"), asked, "one question per change");
    }

    @Test
    void aBatchWithNothingWantedTellsNothing() {
        put("x", "1");
        store.publish();
        assertEquals(List.of(), told);
    }

    /**
     * prev_kv is the key at revision - 1 even after a sibling op of the same txn changed it: here the
     * live value the delete finds is the txn's own put, not what a watcher's prev_kv reports.
     */
    @Test
    void aDeleteAfterAPutOfTheSameTxnReportsTheValueBeforeTheTxn() {
        put("w", "1");
        store.publish();
        WriteTxn txn = store.beginWrite();
        txn.put(bs("w"), bs("2"), 0);
        txn.deleteRange(KeyRange.single(bs("w")));
        txn.end();
        store.publish();
        assertEquals(List.of("PUT w@2.0 at 2", "PUT w@3.0 prev 1 at 3", "DELETE w@3.1 prev 1 at 3"), told);
    }

    /**
     * prev_kv is read from the version chain at publish, after any compaction of the batch: a cut (at most
     * at the previous published revision) keeps the version it needs, or drops it when it is a tombstone,
     * which has no value to report anyway.
     */
    @Test
    void prevKvSurvivesACompactionInTheSameBatch() {
        put("w", "1");
        put("w", "2");
        store.publish(); // at 3
        put("w", "3");
        store.compact(3); // drops w=1 (2), keeps w=2 (3)
        store.publish();
        WriteTxn txn = store.beginWrite();
        txn.deleteRange(KeyRange.single(bs("w")));
        txn.end();
        store.publish(); // at 5
        put("w", "6");
        store.compact(5); // drops the tombstone and everything older
        store.publish();
        assertEquals(List.of("PUT w@2.0 at 3", "PUT w@3.0 prev 1 at 3", "PUT w@4.0 prev 2 at 4",
                "DELETE w@5.0 prev 3 at 5", "PUT w@6.0 at 6"), told);
    }

    @Test
    void anAbortedTxnRecordsNothing() {
        put("w", "1");
        WriteTxn failed = store.beginWrite();
        failed.put(bs("w"), bs("2"), 0);
        failed.put(bs("w2"), bs("2"), 0);
        failed.abort();
        put("w", "3");
        store.publish();
        assertEquals(List.of("PUT w@2.0 at 3", "PUT w@3.0 prev 1 at 3"), told);
    }

    /**
     * A revision's change is one object for every history read (see {@link RecentChanges}), so its events
     * are built (and encoded by the server) once for all the catch-ups that read it.
     */
    @Test
    void historyReadsShareEachRevisionsChange() {
        put("w", "1");
        put("w", "2");
        store.publish();
        List<Change> first = store.history(KeyRange.single(bs("w")), 1, 3);
        List<Change> second = store.history(KeyRange.single(bs("w")), 3, 3);
        assertEquals(List.of("1", "2"), first.stream().map(c -> c.kv().getValue().toStringUtf8()).toList());
        assertEquals(changes.get(1).main(), first.get(1).main(), "the revision the listener was told of");
        assertSame(first.get(1), second.get(0));
        assertSame(first.get(1).event(), second.get(0).event());
    }

    /** An aborted txn's revision is taken by the next write: history then reports that write, not the aborted one. */
    @Test
    void historyReadDuringATxnThatAbortsDoesNotOutliveIt() {
        put("w", "1");
        store.publish();
        WriteTxn failed = store.beginWrite();
        failed.put(bs("w"), bs("2"), 0);
        assertEquals("2", store.history(KeyRange.single(bs("w")), 3, 3).get(0).kv().getValue().toStringUtf8());
        failed.abort();
        put("w", "3");
        store.publish();
        List<Change> history = store.history(KeyRange.single(bs("w")), 3, 3);
        assertEquals(List.of("3"), history.stream().map(c -> c.kv().getValue().toStringUtf8()).toList());
    }
}
