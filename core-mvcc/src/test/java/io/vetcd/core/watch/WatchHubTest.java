package io.vetcd.core.watch;

import static io.vetcd.core.KvTestSupport.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.core.KvStore;
import io.vetcd.core.KvTestSupport;
import io.vetcd.proto.etcdserverpb.CompactionRequest;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.mvccpb.Event;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The watch hub through the store: events in revision order, each once, from any start revision (history
 * then live), with etcd's filters, prev_kv and compaction cancel; slow sinks catch up without loss; a
 * canceled watcher is forgotten.
 */
class WatchHubTest {
    private final KvStore kv = KvTestSupport.newStore();

    @AfterEach
    void close() {
        kv.close();
    }

    /** A sink that records what it takes; {@code accept} decides whether it takes the next delivery. */
    static final class Recorder implements WatchSink {
        final List<Event> events = new CopyOnWriteArrayList<>();
        /** Each delivery taken, as handed over. */
        final List<List<Event>> batches = new CopyOnWriteArrayList<>();
        volatile long compactedAt = -1;
        volatile BooleanSupplier accept = () -> true;

        @Override
        public boolean events(List<Event> batch, long revision) {
            if (!accept.getAsBoolean()) {
                return false;
            }
            events.addAll(batch);
            batches.add(batch);
            return true;
        }

        @Override
        public void compacted(long compactRevision, long revision) {
            compactedAt = compactRevision;
        }

        List<String> described() {
            List<String> out = new ArrayList<>();
            for (Event e : events) {
                out.add(e.getType() + " " + e.getKv().getKey().toStringUtf8() + "=" + e.getKv().getValue().toStringUtf8()
                        + "@" + e.getKv().getModRevision()
                        + (e.hasPrevKv() ? " prev " + e.getPrevKv().getValue().toStringUtf8() : ""));
            }
            return out;
        }
    }

    private long put(String key, String value) {
        return KvTestSupport.await(kv.put(PutRequest.newBuilder().setKey(bs(key)).setValue(bs(value)).build()))
                .getHeader().getRevision();
    }

    private long delete(String key) {
        return KvTestSupport.await(kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(bs(key)).build()))
                .getHeader().getRevision();
    }

    private Watcher watch(String key, String rangeEnd, long start, Recorder sink, boolean noPut, boolean noDelete,
                          boolean prevKv) {
        return KvTestSupport.await(kv.watch(new WatchSpec(bs(key), bs(rangeEnd), start, noPut, noDelete, prevKv), sink));
    }

    private Watcher watch(String key, String rangeEnd, long start, Recorder sink) {
        return watch(key, rangeEnd, start, sink, false, false, false);
    }

    /** Writes go through flat combining, so a watcher's delivery has happened when the write returns. */
    private static void awaitCount(Recorder r, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (r.events.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(n, r.events.size(), r.described().toString());
    }

    @Test
    void aKeyWatcherGetsEachChangeOfItsKeyOnceInOrder() throws Exception {
        Recorder r = new Recorder();
        watch("a", "", 0, r);
        put("a", "1");
        put("b", "x");
        put("a", "2");
        delete("a");
        awaitCount(r, 3);
        assertEquals(List.of("PUT a=1@2", "PUT a=2@4", "DELETE a=@5"), r.described());
    }

    @Test
    void aPrefixWatcherWithFiltersAndPrevKv() throws Exception {
        Recorder puts = new Recorder();
        Recorder deletes = new Recorder();
        watch("p/", "p0", 0, puts, false, true, true);
        watch("p/", "p0", 0, deletes, true, false, true);
        put("p/a", "1");
        put("q", "no");
        put("p/a", "2");
        delete("p/a");
        awaitCount(puts, 2);
        awaitCount(deletes, 1);
        assertEquals(List.of("PUT p/a=1@2", "PUT p/a=2@4 prev 1"), puts.described());
        assertEquals(List.of("DELETE p/a=@5 prev 2"), deletes.described());
    }

    @Test
    void aPastStartRevisionReplaysHistoryThenGoesLive() throws Exception {
        put("k", "1");
        put("k", "2");
        long third = put("k", "3");
        Recorder r = new Recorder();
        watch("k", "", 3, r);
        put("k", "4");
        awaitCount(r, 3);
        assertEquals(List.of("PUT k=2@3", "PUT k=3@4", "PUT k=4@5"), r.described());
        assertEquals(4, third);
    }

    @Test
    void aCompactedStartRevisionCancelsTheWatch() throws Exception {
        put("k", "1");
        put("k", "2");
        long rev = put("k", "3");
        KvTestSupport.await(kv.compact(CompactionRequest.newBuilder().setRevision(rev).build()));
        Recorder r = new Recorder();
        watch("k", "", 2, r);
        assertEquals(rev, r.compactedAt);
        assertEquals(0, kv.watchers(), "a compacted watch is forgotten");
        Recorder atPoint = new Recorder();
        watch("k", "", rev, atPoint);
        awaitCount(atPoint, 1);
        assertEquals(-1, atPoint.compactedAt, "the compaction revision itself is still readable");
    }

    @Test
    void aSlowSinkCatchesUpWithoutLossOrRepeat() throws Exception {
        Recorder r = new Recorder();
        Random random = new Random(7);
        r.accept = () -> random.nextInt(3) != 0;
        Watcher w = watch("s/", "s0", 0, r);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            long rev = put("s/" + (i % 7), "v" + i);
            expected.add("PUT s/" + (i % 7) + "=v" + i + "@" + rev);
            if (!w.isSynced()) {
                w.resume();
            }
        }
        r.accept = () -> true;
        w.resume();
        awaitCount(r, 300);
        assertEquals(expected, r.described());
    }

    @Test
    void watchersJoiningAtPastRevisionsUnderConcurrentWritesSeeTheSameGaplessSequence() throws Exception {
        Recorder all = new Recorder();
        watch("c/", "c0", 0, all);
        int writers = 4;
        int perWriter = 150;
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (int t = 0; t < writers; t++) {
            int id = t;
            running.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < perWriter; i++) {
                    put("c/" + id + "/" + (i % 5), "v" + i);
                }
            }));
        }
        List<Recorder> late = Collections.synchronizedList(new ArrayList<>());
        List<Long> starts = Collections.synchronizedList(new ArrayList<>());
        Random random = new Random(11);
        for (int j = 0; j < 10; j++) {
            long now = kv.revision();
            long start = 2 + random.nextInt((int) Math.max(1, now - 1));
            Recorder r = new Recorder();
            watch("c/", "c0", start, r);
            late.add(r);
            starts.add(start);
            Thread.sleep(3);
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        awaitCount(all, writers * perWriter);
        List<String> sequence = all.described();
        for (int i = 1; i < all.events.size(); i++) {
            assertTrue(all.events.get(i).getKv().getModRevision() > all.events.get(i - 1).getKv().getModRevision());
        }
        for (int j = 0; j < late.size(); j++) {
            long start = starts.get(j);
            List<String> expected = sequence.stream()
                    .filter(s -> Long.parseLong(s.substring(s.lastIndexOf('@') + 1)) >= start).toList();
            awaitCount(late.get(j), expected.size());
            assertEquals(expected, late.get(j).described(), "watcher starting at " + start);
        }
    }

    /** etcd notifies once per committed txn: a writer batch of two revisions is two deliveries. */
    @Test
    void eachRevisionOfABatchIsItsOwnDeliveryAtItsOwnRevision() {
        io.vetcd.core.mvcc.MvccStore store = new io.vetcd.core.mvcc.MvccStore();
        WatchHub hub = new WatchHub(store, mutation -> mutation.accept(store));
        store.setChangeListener(hub);
        List<Long> revisions = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        hub.register(new WatchSpec(bs("b/"), bs("b0"), 0, false, false, false), new WatchSink() {
            @Override
            public boolean events(List<Event> events, long revision) {
                revisions.add(revision);
                sizes.add(events.size());
                return true;
            }

            @Override
            public void compacted(long compactRevision, long revision) {}
        });
        for (String k : List.of("b/1", "b/2")) {
            io.vetcd.core.mvcc.WriteTxn txn = store.beginWrite();
            txn.put(bs(k), bs("v"), 0);
            txn.end();
        }
        store.publish(); // one batch: revisions 2 and 3
        assertEquals(List.of(2L, 3L), revisions);
        assertEquals(List.of(1, 1), sizes);
    }

    @Test
    void aFutureStartRevisionWaitsForIt() throws Exception {
        long now = put("f", "0");
        Recorder r = new Recorder();
        watch("f", "", now + 3, r);
        put("f", "1");
        put("f", "2");
        long third = put("f", "3");
        awaitCount(r, 1);
        assertEquals(List.of("PUT f=3@" + third), r.described());
    }

    /**
     * Watchers of one key that fell behind at different revisions, of different kinds, resume together:
     * one history read serves them all, and each gets exactly what it missed, in its own kind.
     */
    @Test
    void watchersOfOneKeyResumingTogetherEachGetTheirOwnBacklog() {
        io.vetcd.core.mvcc.MvccStore store = new io.vetcd.core.mvcc.MvccStore();
        List<java.util.function.Consumer<io.vetcd.core.mvcc.MvccStore>> writerTasks = new ArrayList<>();
        WatchHub hub = new WatchHub(store, writerTasks::add);
        store.setChangeListener(hub);
        Recorder plain = new Recorder();
        Recorder withPrev = new Recorder();
        Recorder noPut = new Recorder();
        Recorder other = new Recorder();
        Watcher wPlain = hub.register(new WatchSpec(bs("g"), bs(""), 0, false, false, false), plain);
        Watcher wPrev = hub.register(new WatchSpec(bs("g"), bs(""), 0, false, false, true), withPrev);
        Watcher wNoPut = hub.register(new WatchSpec(bs("g"), bs(""), 0, true, false, false), noPut);
        Watcher wOther = hub.register(new WatchSpec(bs("h"), bs(""), 0, false, false, false), other);
        int[] step = {0};
        plain.accept = () -> step[0] < 1;   // refuses from the 2nd change on
        withPrev.accept = () -> step[0] < 3; // from the 4th
        noPut.accept = () -> false;         // from the first delete
        other.accept = () -> step[0] < 2;
        String[] values = {"1", "2", null, "4", "5"};
        for (String v : values) {
            io.vetcd.core.mvcc.WriteTxn txn = store.beginWrite();
            if (v == null) {
                txn.deleteRange(io.vetcd.core.mvcc.KeyRange.of(bs("g"), bs("")));
            } else {
                txn.put(bs("g"), bs(v), 0);
            }
            txn.put(bs("h"), bs("x" + step[0]), 0);
            txn.end();
            store.publish();
            step[0]++;
        }
        for (Recorder r : List.of(plain, withPrev, noPut, other)) {
            r.accept = () -> true;
        }
        for (Watcher w : List.of(wPlain, wPrev, wNoPut, wOther)) {
            assertTrue(!w.isSynced());
            w.resume();
        }
        assertEquals(1, writerTasks.size(), "one catch-up for every watcher that resumed meanwhile");
        writerTasks.remove(0).accept(store);
        assertEquals(List.of("PUT g=1@2", "PUT g=2@3", "DELETE g=@4", "PUT g=4@5", "PUT g=5@6"), plain.described());
        assertEquals(List.of("PUT g=1@2", "PUT g=2@3 prev 1", "DELETE g=@4 prev 2", "PUT g=4@5", "PUT g=5@6 prev 4"),
                withPrev.described());
        assertEquals(List.of("DELETE g=@4"), noPut.described());
        assertEquals(List.of("PUT h=x0@2", "PUT h=x1@3", "PUT h=x2@4", "PUT h=x3@5", "PUT h=x4@6"), other.described());
        for (Watcher w : List.of(wPlain, wPrev, wNoPut, wOther)) {
            assertTrue(w.isSynced());
        }
    }

    /** A reader that reacts to an event sees its revision: the store publishes before it tells watchers. */
    @Test
    void anEventsRevisionIsReadableWhenItIsDelivered() throws Exception {
        List<Long> readableAtDelivery = new CopyOnWriteArrayList<>();
        List<Long> delivered = new CopyOnWriteArrayList<>();
        kv.watch(new WatchSpec(bs("r"), bs(""), 0, false, false, false), new WatchSink() {
            @Override
            public boolean events(List<Event> events, long revision) {
                delivered.add(events.get(0).getKv().getModRevision());
                readableAtDelivery.add(kv.revision());
                return true;
            }

            @Override
            public void compacted(long compactRevision, long revision) {}
        }).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 50; i++) {
            put("r", "v" + i);
        }
        delete("r");
        assertEquals(51, delivered.size());
        for (int i = 0; i < delivered.size(); i++) {
            assertTrue(readableAtDelivery.get(i) >= delivered.get(i), "event " + delivered.get(i)
                    + " delivered while reads were at " + readableAtDelivery.get(i));
        }
        assertEquals(kv.revision(), kv.watchedRevision());
    }

    @Test
    void canceledWatchersAreForgotten() throws Exception {
        for (int i = 0; i < 20_000; i++) {
            Recorder r = new Recorder();
            watch(i % 2 == 0 ? "x" : "y/", i % 2 == 0 ? "" : "y0", 0, r).cancel();
        }
        Recorder r = new Recorder();
        watch("x", "", 0, r);
        put("x", "1");
        awaitCount(r, 1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (kv.watchers() != 1 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(1, kv.watchers());
    }
}
