package io.vetcd.core.watch;

import com.google.protobuf.ByteString;
import io.vetcd.core.mvcc.Change;
import io.vetcd.core.mvcc.ChangeListener;
import io.vetcd.core.mvcc.KeyRange;
import io.vetcd.core.mvcc.MvccStore;
import io.vetcd.proto.mvccpb.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every watcher of the store, and the delivery of committed changes to them (etcd's
 * {@code watchable_store}).
 *
 * <p>Threading contract: every method except {@link Registration#cancel} (a volatile flag) runs in the
 * writer, with the writer lock held: {@link #committed} is called by the writer at the end of each
 * batch, and registration, resumption and removal are writer mutations ({@code WatchHub} is handed the
 * store by them). So the watcher sets and each watcher's {@code nextRevision} have one thread at a time.
 *
 * <p>Gapless and exactly once: a watcher's {@code nextRevision} is the first revision it has not been
 * sent. Registration and catch-up read the history up to the writer's revision and move
 * {@code nextRevision} past it; {@link #committed} then sends only changes at or above it. Worked
 * example: a batch applies put a (rev 5), registers W (start 3) and applies put b (rev 6). W's
 * registration sends revisions 3-5 from history (5 was applied, not yet published) and sets
 * {@code nextRevision} to 6; at the end of the batch {@link #committed} holds 5 and 6 and sends W only 6.
 *
 * <p>Slow consumers: when a sink refuses events, its watcher becomes unsynced and keeps
 * {@code nextRevision} at the first refused revision; {@link Watcher#resume()} catches it up from
 * history later (or cancels it with the compaction revision if that history is gone). The writer never
 * waits for a sink.
 */
public final class WatchHub implements ChangeListener {
    private static final Logger LOG = Logger.getLogger(WatchHub.class.getName());
    private final MvccStore store;
    private final Consumer<Consumer<MvccStore>> inWriter;
    /** Synced watchers of one key, by key. */
    private final Map<ByteString, Set<Registration>> byKey = new HashMap<>();
    /** Synced watchers of a range. */
    private final Set<Registration> ranged = new HashSet<>();
    /** Writer only: the watchers that took events from the batch being delivered. */
    private final List<Registration> touched = new ArrayList<>();
    /** Watchers registered and not removed, synced or not: while 0, the writer records no changes. */
    private volatile int registered;

    /**
     * @param inWriter runs a mutation in the writer, later, off the caller's thread (the applier's
     *                 background submission): how a watcher that fell behind is caught up
     */
    public WatchHub(MvccStore store, Consumer<Consumer<MvccStore>> inWriter) {
        this.store = store;
        this.inWriter = inWriter;
    }

    @Override
    public boolean wantsChanges() {
        return registered > 0;
    }

    /** Writer only: registers a watch; history from its start revision is sent before this returns. */
    public Watcher register(WatchSpec spec, WatchSink sink) {
        Registration w = new Registration(spec, sink);
        registered++;
        long start = spec.startRevision() > 0 ? spec.startRevision() : store.writerRevision() + 1;
        w.nextRevision = start;
        catchUp(w, true);
        return w;
    }

    /**
     * Writer only: sends {@code w} what it has missed up to the writer's revision; it is synced (and
     * hears of later batches) if its sink takes it all.
     *
     * @param perRevision one delivery per revision, as live events go: for a new watch, which may be
     *                    registered a moment after the writes it asked for (registration waits for the
     *                    writer) and must see them as a live watcher would. A watcher catching up after
     *                    falling behind gets its backlog in one delivery, as etcd sends an unsynced
     *                    watcher's backlog (one response per watcher, not per revision: 3x the events/s
     *                    measured with 10k watchers)
     */
    private void catchUp(Registration w, boolean perRevision) {
        if (w.canceled) {
            return;
        }
        long compacted = store.compactRevision();
        if (w.nextRevision < compacted) {
            remove(w);
            w.sink.compacted(compacted, store.writerRevision());
            return;
        }
        long upTo = store.writerRevision();
        if (w.nextRevision <= upTo) {
            List<Event> events = w.select(store.history(w.range, w.nextRevision, upTo));
            for (int from = 0, to; from < events.size(); from = to) {
                long revision = events.get(from).getKv().getModRevision();
                to = perRevision ? from : events.size();
                while (perRevision && to < events.size() && events.get(to).getKv().getModRevision() == revision) {
                    to++;
                }
                if (!send(w, events.subList(from, to), perRevision ? revision : upTo)) {
                    w.nextRevision = revision;
                    return; // still behind (or dropped): resume() tries again
                }
            }
            w.nextRevision = upTo + 1;
        }
        w.synced = true;
        if (w.singleKey) {
            byKey.computeIfAbsent(w.spec.key(), k -> new HashSet<>()).add(w);
        } else {
            ranged.add(w);
        }
    }

    /**
     * Sends each revision of the batch as its own delivery, with that revision as the response's header
     * revision, as etcd notifies its watchers once per committed txn (clients such as python-etcd3 hand
     * each response to a callback, so the grouping is visible).
     */
    @Override
    public void committed(List<Change> changes, long revision) {
        int from = 0;
        while (from < changes.size()) {
            long main = changes.get(from).main();
            int to = from;
            while (to < changes.size() && changes.get(to).main() == main) {
                match(changes.get(to++));
            }
            for (Registration w : touched) {
                deliver(w, main);
            }
            touched.clear();
            from = to;
        }
    }

    /** Hands {@code c} to every synced watcher that covers its key. */
    private void match(Change c) {
        ByteString key = c.kv().getKey();
        Set<Registration> exact = byKey.get(key);
        if (exact != null) {
            for (Registration w : exact) {
                w.take(c);
            }
        }
        if (!ranged.isEmpty()) {
            byte[] keyBytes = key.toByteArray();
            for (Registration w : ranged) {
                if (w.range.contains(keyBytes)) {
                    w.take(c);
                }
            }
        }
    }

    /** Sends {@code w} the events it took from this batch. */
    private void deliver(Registration w, long revision) {
        List<Event> events = w.pending;
        w.pending = new ArrayList<>();
        if (w.canceled) {
            remove(w);
            return;
        }
        if (!events.isEmpty() && !send(w, events, revision)) {
            unsync(w); // nextRevision stays at the first refused change
            return;
        }
        w.nextRevision = Math.max(w.nextRevision, revision + 1);
    }

    /**
     * Hands {@code events} to the sink. A sink that throws (a bug) loses its watcher, never the
     * writer's batch: the exception is logged and the watcher removed.
     */
    private boolean send(Registration w, List<Event> events, long revision) {
        try {
            return w.sink.events(events, revision);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "a watch sink failed; its watcher is dropped", e);
            w.canceled = true;
            remove(w);
            return false;
        }
    }

    private void unsync(Registration w) {
        w.synced = false;
        forget(w);
    }

    /** Writer only: takes {@code w} out of the synced sets and, if it is canceled, out of the count. */
    private void remove(Registration w) {
        forget(w);
        if (!w.removed) {
            w.removed = true;
            registered--;
        }
    }

    private void forget(Registration w) {
        if (w.singleKey) {
            Set<Registration> set = byKey.get(w.spec.key());
            if (set != null && set.remove(w) && set.isEmpty()) {
                byKey.remove(w.spec.key());
            }
        } else {
            ranged.remove(w);
        }
    }

    /** Watchers registered and not yet removed (for tests and metrics). */
    public int watchers() {
        return registered;
    }

    /** One watch: its spec, its sink and where it is in the history. */
    private final class Registration implements Watcher {
        final WatchSpec spec;
        final WatchSink sink;
        final KeyRange range;
        final boolean singleKey;
        /** Writer only: the first revision not yet sent. */
        long nextRevision;
        /** Set by the writer: in the synced sets. */
        volatile boolean synced;
        /** Writer only: counted out of {@link #registered}. */
        boolean removed;
        /** Writer only: this batch's events for this watcher, until delivered. */
        List<Event> pending = new ArrayList<>();
        volatile boolean canceled;

        Registration(WatchSpec spec, WatchSink sink) {
            this.spec = spec;
            this.sink = sink;
            this.range = KeyRange.of(spec.key(), spec.rangeEnd());
            this.singleKey = range.isSingleKey();
        }

        /** Writer only: keeps {@code c} for this batch's delivery, unless sent already or filtered out. */
        void take(Change c) {
            if (c.main() < nextRevision || (c.isDelete() ? spec.noDelete() : spec.noPut())) {
                return;
            }
            if (pending.isEmpty()) {
                touched.add(this);
            }
            pending.add(spec.prevKv() ? c.withPrevKv() : c.event());
        }

        /** The events of {@code changes} this watch reports: its filters and prev_kv applied. */
        List<Event> select(List<Change> changes) {
            List<Event> events = new ArrayList<>(changes.size());
            for (Change c : changes) {
                if (c.isDelete() ? spec.noDelete() : spec.noPut()) {
                    continue;
                }
                events.add(spec.prevKv() ? c.withPrevKv() : c.event());
            }
            return events;
        }

        @Override
        public void cancel() {
            if (!canceled) {
                canceled = true;
                inWriter.accept(s -> remove(this));
            }
        }

        @Override
        public void resume() {
            inWriter.accept(s -> {
                if (!synced && !removed) {
                    catchUp(this, false);
                }
            });
        }

        @Override
        public boolean isSynced() {
            return synced;
        }
    }
}
