package io.vetcd.core.mvcc;

import static io.vetcd.core.KvTestSupport.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.core.backend.Backend;
import io.vetcd.core.backend.BackendMeta;
import io.vetcd.core.backend.StoredVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * What the store hands its {@link Backend}, and what it rebuilds from one: every change as it is
 * applied, the batch's meta before it is published, an aborted request's changes taken back, the
 * compaction point committed before history is cut, and a reopened store equal to the one it replaces.
 */
class MvccStoreBackendTest {
    /** A backend in a sorted map, recording the order of calls; "reopening" replays the committed part. */
    private static final class RecordingBackend implements Backend {
        final TreeMap<List<Long>, StoredVersion> versions = new TreeMap<>((a, b) ->
                a.get(0).equals(b.get(0)) ? Long.compare(a.get(1), b.get(1)) : Long.compare(a.get(0), b.get(0)));
        final List<String> calls = new ArrayList<>();
        BackendMeta committed = BackendMeta.EMPTY;

        @Override
        public BackendMeta load(Consumer<StoredVersion> replay) {
            versions.headMap(List.of(committed.revision() + 1, 0L)).values().forEach(replay);
            return committed;
        }

        @Override
        public void put(StoredVersion v) {
            versions.put(List.of(v.main(), (long) v.sub()), v);
            calls.add("put " + v.main() + "." + v.sub() + (v.tombstone() ? " tombstone" : ""));
        }

        @Override
        public void remove(StoredVersion v) {
            versions.remove(List.of(v.main(), (long) v.sub()));
            calls.add("remove " + v.main() + "." + v.sub());
        }

        @Override
        public void putLease(long id, long ttlSeconds) {}

        @Override
        public void removeLease(long id) {}

        @Override
        public void loadLeases(LeaseVisitor visitor) {}

        @Override
        public void commit(BackendMeta meta) {
            committed = meta;
            calls.add("commit " + meta.revision() + " compact " + meta.compactRevision());
        }

        @Override
        public long sizeInUse() {
            return versions.size();
        }

        @Override
        public long size() {
            return versions.size();
        }

        @Override
        public void defragment() {}

        @Override
        public void close() {}
    }

    private final RecordingBackend backend = new RecordingBackend();
    private final MvccStore store = new MvccStore(backend);

    private void write(Consumer<WriteTxn> body) {
        WriteTxn txn = store.beginWrite();
        body.accept(txn);
        txn.end();
    }

    @Test
    void everyChangeIsKeptAndTheBatchCommittedBeforeItIsPublished() {
        write(t -> t.put(bs("a"), bs("1"), 0));
        write(t -> {
            t.put(bs("b"), bs("1"), 0);
            t.deleteRange(KeyRange.single(bs("a")));
        });
        assertEquals(1, store.revision(), "not published yet");
        assertEquals(List.of("put 2.0", "put 3.0", "put 3.1 tombstone"), backend.calls);
        store.publish();
        assertEquals("commit 3 compact -1", backend.calls.get(3));
        assertEquals(3, store.revision());
        StoredVersion tombstone = backend.versions.get(List.of(3L, 1L));
        assertEquals(bs("a"), tombstone.kv().getKey());
        assertEquals(3, tombstone.kv().getModRevision());
        store.publish();
        assertEquals(4, backend.calls.size(), "a batch that changed nothing commits nothing");
    }

    @Test
    void anAbortedRequestLeavesNothingInTheBackend() {
        WriteTxn txn = store.beginWrite();
        txn.put(bs("a"), bs("1"), 0);
        txn.put(bs("b"), bs("1"), 0);
        txn.abort();
        store.publish();
        assertEquals(Map.of(), backend.versions);
        assertEquals(List.of("put 2.0", "put 2.1", "remove 2.1", "remove 2.0"), backend.calls);
    }

    @Test
    void theCompactionPointIsCommittedBeforeHistoryIsForgotten() {
        write(t -> t.put(bs("a"), bs("1"), 0));
        write(t -> t.put(bs("a"), bs("2"), 0));
        store.publish();
        backend.calls.clear();
        store.compact(3);
        assertEquals(List.of("commit 3 compact 3", "remove 2.0"), backend.calls);
    }

    @Test
    void aReopenedStoreHasTheSameHistoryRevisionAndCompactionPoint() {
        for (int i = 0; i < 20; i++) {
            int n = i;
            write(t -> t.put(bs("k" + (n % 4)), bs("v" + n), 0));
        }
        write(t -> t.deleteRange(KeyRange.of(bs("k1"), bs("k3"))));
        store.publish();
        store.compact(10);
        store.setNoSpaceAlarm(true);
        write(t -> t.put(bs("late"), bs("x"), 0));
        store.publish();
        int hash = store.hashKv(0);

        MvccStore reopened = new MvccStore(backend);
        assertEquals(store.revision(), reopened.revision());
        assertEquals(10, reopened.compactRevision());
        assertTrue(reopened.noSpaceAlarm());
        assertEquals(hash, reopened.hashKv(0));
        for (long rev = 10; rev <= store.revision(); rev++) {
            KeyRange all = KeyRange.of(bs("\0"), bs("\0"));
            assertEquals(store.readView().range(all, rev, 0, false).kvs(),
                    reopened.readView().range(all, rev, 0, false).kvs(), "at revision " + rev);
        }
    }

    @Test
    void aBatchThatWasNeverCommittedIsNotReplayed() {
        write(t -> t.put(bs("a"), bs("1"), 0));
        store.publish();
        write(t -> t.put(bs("a"), bs("2"), 0)); // applied, never published: the process "dies" here
        MvccStore reopened = new MvccStore(backend);
        assertEquals(2, reopened.revision());
        assertEquals(bs("1"), reopened.readView().range(KeyRange.single(bs("a")), 0, 0, false).kvs().get(0).getValue());
    }

    @Test
    void aCompactionCommittedButNotCutIsFinishedWhenReopened() {
        write(t -> t.put(bs("a"), bs("1"), 0));
        write(t -> t.put(bs("a"), bs("2"), 0));
        store.publish();
        backend.commit(new BackendMeta(3, 3, false)); // as if killed between the commit and the cut
        assertTrue(backend.versions.containsKey(List.of(2L, 0L)));
        MvccStore reopened = new MvccStore(backend);
        assertEquals(3, reopened.compactRevision());
        assertFalse(backend.versions.containsKey(List.of(2L, 0L)), "the cut was finished");
        assertEquals(1, reopened.retainedKeys());
    }

    @Test
    void hashKvChangesWithHistoryAndRefusesCompactedOrFutureRevisions() {
        write(t -> t.put(bs("a"), bs("1"), 0));
        store.publish();
        int first = store.hashKv(0);
        write(t -> t.put(bs("a"), bs("2"), 0));
        store.publish();
        assertEquals(first, store.hashKv(2), "the hash at 2 ignores what came after");
        assertFalse(first == store.hashKv(0), "a new version changes the hash");
        store.compact(3);
        assertEquals(io.vetcd.core.EtcdError.COMPACTED,
                org.junit.jupiter.api.Assertions.assertThrows(io.vetcd.core.EtcdException.class, () -> store.hashKv(2)).error());
        assertEquals(io.vetcd.core.EtcdError.FUTURE_REVISION,
                org.junit.jupiter.api.Assertions.assertThrows(io.vetcd.core.EtcdException.class, () -> store.hashKv(4)).error());
    }
}
