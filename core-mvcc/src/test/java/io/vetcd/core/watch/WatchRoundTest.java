package io.vetcd.core.watch;

import static io.vetcd.core.KvTestSupport.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.core.mvcc.MvccStore;
import io.vetcd.core.mvcc.WriteTxn;
import io.vetcd.proto.mvccpb.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Rounds of sink calls: the hooks run after each (a published batch, a registration's catch-up, a
 * resumption's catch-up), so a sink that holds what it is given until then passes on everything, and a
 * caught-up watcher reports itself synced only once the hooks ran.
 */
class WatchRoundTest {
    private final MvccStore store = new MvccStore();
    private final List<Consumer<MvccStore>> writerTasks = new ArrayList<>();
    private final WatchHub hub = new WatchHub(store, writerTasks::add);
    /** What sinks were given and the round has not ended for; then what was passed on, per round. */
    private final List<Long> held = new ArrayList<>();
    private final List<List<Long>> rounds = new ArrayList<>();
    /** The watcher whose synced state each hook run records. */
    private Watcher observed;
    private final List<Boolean> syncedAtRoundEnd = new ArrayList<>();
    private boolean accepting = true;

    WatchRoundTest() {
        store.setChangeListener(hub);
        hub.onRoundEnd(() -> {
            rounds.add(List.copyOf(held));
            held.clear();
            if (observed != null) {
                syncedAtRoundEnd.add(observed.isSynced());
            }
        });
    }

    private final WatchSink holdingSink = new WatchSink() {
        @Override
        public boolean events(List<Event> events, long revision) {
            if (!accepting) {
                return false;
            }
            events.forEach(e -> held.add(e.getKv().getModRevision()));
            return true;
        }

        @Override
        public void compacted(long compactRevision, long revision) {
            held.add(-compactRevision);
        }
    };

    private void put(String k) {
        WriteTxn txn = store.beginWrite();
        txn.put(bs(k), bs("v"), 0);
        txn.end();
    }

    private Watcher watch(String key, long start) {
        return hub.register(new WatchSpec(bs(key), bs(""), start, false, false, false), holdingSink);
    }

    @Test
    void eachRoundEndsWithTheHooksAndPassesOnAllItsEvents() {
        put("k"); // rev 2
        put("k"); // rev 3
        store.publish();
        Watcher a = watch("k", 2);
        Watcher b = watch("k", 0);
        assertEquals(List.of(List.of(2L, 3L), List.of()), rounds, "a's history in its round; b's round had none");
        assertTrue(a.isSynced());
        assertTrue(b.isSynced());
        rounds.clear();
        put("k"); // rev 4
        put("other"); // rev 5
        put("k"); // rev 6
        store.publish();
        assertEquals(List.of(List.of(4L, 4L, 6L, 6L)), rounds, "one round for the batch, both watchers");
        assertTrue(held.isEmpty());
    }

    @Test
    void aWatcherIsSyncedOnlyAfterItsCatchUpRoundEnded() {
        Watcher w = watch("k", 0);
        observed = w;
        accepting = false;
        put("k"); // rev 2: refused, w unsynced
        store.publish();
        assertFalse(w.isSynced());
        accepting = true;
        w.resume();
        rounds.clear();
        syncedAtRoundEnd.clear();
        writerTasks.remove(0).accept(store); // the catch-up
        assertEquals(List.of(List.of(2L)), rounds);
        assertEquals(List.of(false), syncedAtRoundEnd, "not synced while the round's events were held");
        assertTrue(w.isSynced());
    }

    @Test
    void aCompactedWatcherIsToldWithinARound() {
        put("k"); // rev 2
        put("k"); // rev 3
        store.publish();
        store.compact(3);
        watch("k", 2);
        assertEquals(List.of(List.of(-3L)), rounds);
    }
}
