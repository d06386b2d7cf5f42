package io.vetcd.core.watch;

import static io.vetcd.core.KvTestSupport.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.core.mvcc.KeyRange;
import io.vetcd.core.mvcc.MvccStore;
import io.vetcd.core.mvcc.WriteTxn;
import io.vetcd.core.watch.WatchHubTest.Recorder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The store builds changes only for writes a synced watcher could match; every other watcher gets what it
 * needs from history. These drive the store and the hub directly, on one thread acting as the writer, so a
 * batch can hold registrations and resumptions between its writes.
 */
class WatchRecordingTest {
    private final MvccStore store = new MvccStore();
    /** Writer tasks the hub queued (resumptions), run when the test says. */
    private final List<Consumer<MvccStore>> writerTasks = new ArrayList<>();
    private final WatchHub hub = new WatchHub(store, writerTasks::add);

    WatchRecordingTest() {
        store.setChangeListener(hub);
    }

    private long put(String k, String v) {
        WriteTxn txn = store.beginWrite();
        long rev = txn.put(bs(k), bs(v), 0);
        txn.end();
        return rev;
    }

    private Watcher watch(String key, long start, Recorder sink, boolean prevKv) {
        return hub.register(new WatchSpec(bs(key), bs(""), start, false, false, prevKv), sink);
    }

    private void runWriterTasks() {
        while (!writerTasks.isEmpty()) {
            writerTasks.remove(0).accept(store);
        }
    }

    /**
     * Watchers of one key and kind that resume together are each handed their backlog as a tail of one shared
     * list ({@link EventTail}), which a sink can encode once: A fell behind at the first put, B at the third.
     */
    @Test
    void watchersResumingTogetherGetTailsOfOneSharedList() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        Watcher wa = watch("t", 0, a, false);
        Watcher wb = watch("t", 0, b, false);
        int[] puts = {0};
        a.accept = () -> false;
        b.accept = () -> puts[0] < 2;
        for (String v : new String[] {"1", "22", "333", "4444"}) {
            put("t", v);
            store.publish();
            puts[0]++;
        }
        a.accept = () -> true;
        b.accept = () -> true;
        wa.resume();
        wb.resume();
        runWriterTasks();
        assertEquals(List.of("PUT t=1@2", "PUT t=22@3", "PUT t=333@4", "PUT t=4444@5"), a.described());
        assertEquals(List.of("PUT t=1@2", "PUT t=22@3", "PUT t=333@4", "PUT t=4444@5"), b.described());
        EventTail tailA = (EventTail) a.batches.get(0);
        EventTail tailB = (EventTail) b.batches.get(2); // after its two live events
        assertTrue(tailA.whole() == tailB.whole(), "one list for both");
        assertEquals(0, tailA.from());
        assertEquals(2, tailB.from());
        assertEquals(tailB.get(0).getSerializedSize() + tailB.get(1).getSerializedSize(), tailB.serializedSize());
    }

    /** WatchHub's example: a write to a key only an unsynced watcher watches makes no change. */
    @Test
    void aWriteNoSyncedWatcherCoversReachesAnUnsyncedWatcherThroughCatchUp() {
        Recorder r = new Recorder();
        Watcher w = watch("k", 0, r, false);
        r.accept = () -> false;
        put("k", "1"); // rev 2, refused: w unsynced from 2
        store.publish();
        assertFalse(w.isSynced());
        assertFalse(hub.wantsChangeOf(bs("k")), "nobody synced watches k");
        put("k", "2"); // rev 3: no change built
        put("other", "x");
        store.publish();
        r.accept = () -> true;
        w.resume();
        runWriterTasks();
        assertEquals(List.of("PUT k=1@2", "PUT k=2@3"), r.described());
        assertTrue(w.isSynced());
        put("k", "3");
        store.publish();
        assertEquals(List.of("PUT k=1@2", "PUT k=2@3", "PUT k=3@5"), r.described());
    }

    /**
     * WatchHub's example, second half: W resumes in the batch of a write it missed, after the write. Its
     * catch-up reads that write from history; the change built at publish (W synced by then) is skipped.
     */
    @Test
    void aWatcherResumingMidBatchAfterAWriteGetsItOnce() {
        Recorder r = new Recorder();
        Watcher w = watch("k", 0, r, false);
        r.accept = () -> false;
        put("k", "1");
        store.publish();
        r.accept = () -> true;
        w.resume();
        put("k", "2"); // rev 3, in the batch of the resumption
        runWriterTasks();
        assertTrue(w.isSynced());
        put("k", "3");
        store.publish();
        assertEquals(List.of("PUT k=1@2", "PUT k=2@3", "PUT k=3@4"), r.described());
    }

    /** A write before a registration in the same batch comes from history, the one after it live: each once. */
    @Test
    void aWatcherRegisteredMidBatchGetsEarlierWritesFromHistoryAndLaterOnesLive() {
        long first = put("k", "1"); // nobody watches k yet
        Recorder r = new Recorder();
        watch("k", first, r, true);
        assertEquals(List.of("PUT k=1@2"), r.described(), "history up to the writer's revision, unpublished included");
        put("k", "2");
        store.publish();
        assertEquals(List.of("PUT k=1@2", "PUT k=2@3 prev 1"), r.described());
    }

    /** prev_kv is in every change built, so a prev_kv watcher joining plain ones gets it from its first event. */
    @Test
    void aPrevKvWatcherJoiningPlainWatchersOfItsKeyGetsPrevKv() {
        Recorder plain = new Recorder();
        Recorder withPrev = new Recorder();
        watch("k", 0, plain, false);
        put("k", "1");
        store.publish();
        watch("k", 0, withPrev, true);
        put("k", "2");
        WriteTxn txn = store.beginWrite();
        txn.deleteRange(KeyRange.single(bs("k")));
        txn.end();
        store.publish();
        assertEquals(List.of("PUT k=1@2", "PUT k=2@3", "DELETE k=@4"), plain.described());
        assertEquals(List.of("PUT k=2@3 prev 1", "DELETE k=@4 prev 2"), withPrev.described());
    }

    /**
     * Watchers of one key leave its chain first, last, in the middle, unsynced or canceled; the others
     * keep getting every change, and the key stops being wanted when the last one leaves.
     */
    @Test
    void watchersOfOneKeyLeaveItsChainInAnyOrder() {
        List<Recorder> sinks = new ArrayList<>();
        List<Watcher> watchers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Recorder r = new Recorder();
            sinks.add(r);
            watchers.add(watch("k", 0, r, false));
        }
        runWriterTasks();
        watchers.get(0).cancel(); // the chain's last (registered first)
        watchers.get(4).cancel(); // its first
        watchers.get(2).cancel(); // the middle
        runWriterTasks();
        sinks.get(1).accept = () -> false;
        long rev = put("k", "1");
        store.publish();
        assertFalse(watchers.get(1).isSynced());
        assertEquals(List.of(), sinks.get(0).described());
        assertEquals(List.of(), sinks.get(2).described());
        assertEquals(List.of(), sinks.get(4).described());
        assertEquals(List.of("PUT k=1@" + rev), sinks.get(3).described());
        watchers.get(3).cancel();
        runWriterTasks();
        assertFalse(hub.wantsChangeOf(bs("k")), "only an unsynced watcher is left");
        sinks.get(1).accept = () -> true;
        watchers.get(1).resume();
        runWriterTasks();
        assertTrue(hub.wantsChangeOf(bs("k")));
        long next = put("k", "2");
        store.publish();
        assertEquals(List.of("PUT k=1@" + rev, "PUT k=2@" + next), sinks.get(1).described());
        watchers.get(1).cancel();
        watchers.get(1).cancel();
        runWriterTasks();
        assertFalse(hub.wantsChangeOf(bs("k")));
        assertEquals(0, hub.watchers());
    }
}
