package io.vetcd.core.watch;

import com.google.protobuf.ByteString;
import io.vetcd.core.mvcc.Change;
import io.vetcd.core.mvcc.ChangeListener;
import io.vetcd.core.mvcc.KeyRange;
import io.vetcd.core.mvcc.MvccStore;
import io.vetcd.proto.mvccpb.Event;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every watcher of the store, and the delivery of committed changes to them (etcd's
 * {@code watchable_store}).
 *
 * <p>Threading contract: every method except {@link Registration#cancel} (a volatile flag, then a
 * writer task) and {@link Registration#resume} (a queue, then a writer task) runs in the writer, with
 * the writer lock held: {@link #committed} is called by the writer at the end of each
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
 * history later, with every other watcher of its key or range that resumed meanwhile ({@link Backlog}),
 * or cancels it with the compaction revision if that history is gone. The writer never
 * waits for a sink.
 *
 * <p>What the writer builds: when a batch is published, the store asks {@link #wantsChangeOf} about each
 * of its writes and makes a {@link Change} only where a synced watcher could match it (a watcher of its
 * key, or any range watcher); {@link #committed} matches those right after, against the same watchers.
 * Nothing else needs a change, because every other way in reads the history: a watcher registered or
 * resumed during the batch was caught up from history to the writer's revision, and an unsynced watcher
 * is not matched at all. Worked example: W watches k, its sink refuses rev 5 (W unsynced,
 * {@code nextRevision} 5); put k (rev 6) makes no change, nobody synced covers k; W resumes in a later
 * batch and reads 5 and 6 from history. Had W resumed in the batch of rev 6, after the put, its
 * catch-up would have read up to 6 and set {@code nextRevision} to 7, so the change built at publish
 * (W synced by then) would be skipped by W.
 *
 * <p>Single-key watchers are found with one hash lookup per change handed over: {@link #byKey} holds the
 * first synced watcher of each key, and the others follow it in a chain through the watchers themselves
 * ({@link Registration#nextOfKey}), so matching walks fields rather than a set's iterator. The writer's
 * question for every put reads only the table's hash tags ({@link KeyTable#mayContain}): a rare false
 * "yes" builds a change that matches nobody.
 *
 * <p>Rounds: the sink calls of a published batch, of a registration's catch-up and of a resumption's
 * catch-up form a round, and the {@link #onRoundEnd} hooks run after each, in the writer, so a sink may
 * hold what it is given and pass on a whole round at once (the server hands a stream all of a put's
 * events for its 1000 watchers in one piece). A caught-up watcher reports itself synced
 * ({@link Watcher#isSynced()}) only after the hooks ran: whoever sees it synced can find its events passed
 * on, so a progress report taken then never overtakes them.
 */
public final class WatchHub implements ChangeListener {
    private static final Logger LOG = Logger.getLogger(WatchHub.class.getName());
    private final MvccStore store;
    private final Consumer<Consumer<MvccStore>> inWriter;
    /** The first synced watcher of each watched single key; the rest follow it ({@link #link}). */
    private final KeyTable<Registration> byKey = new KeyTable<>();
    /** Synced watchers of a range. */
    private final Set<Registration> ranged = new HashSet<>();
    /** Writer only: the watchers that took events from the batch being delivered. */
    private final List<Registration> touched = new ArrayList<>();
    /** Run after each round of sink calls (see the class comment); replaced whole when one is added. */
    private volatile Runnable[] roundEnds = {};
    /** Watchers that asked to resume, for the next {@link #catchUpResumed()} (any thread adds). */
    private final ConcurrentLinkedQueue<Registration> resumed = new ConcurrentLinkedQueue<>();
    /** A {@link #catchUpResumed()} is queued in the writer and has not started yet. */
    private final AtomicBoolean resumeScheduled = new AtomicBoolean();
    /** Watchers registered and not removed, synced or not (read by any thread: {@link #watchers()}). */
    private volatile int registered;

    /**
     * @param inWriter runs a mutation in the writer, later, off the caller's thread (the applier's
     *                 background submission): how a watcher that fell behind is caught up
     */
    public WatchHub(MvccStore store, Consumer<Consumer<MvccStore>> inWriter) {
        this.store = store;
        this.inWriter = inWriter;
    }

    /** Adds a hook run in the writer after each round of sink calls (see the class comment). */
    public synchronized void onRoundEnd(Runnable hook) {
        Runnable[] hooks = Arrays.copyOf(roundEnds, roundEnds.length + 1);
        hooks[hooks.length - 1] = hook;
        roundEnds = hooks;
    }

    private void endRound() {
        for (Runnable hook : roundEnds) {
            hook.run();
        }
    }

    /** Whether a synced watcher could match a change of {@code key} now (see the class comment). */
    @Override
    public boolean wantsChangeOf(ByteString key) {
        return !ranged.isEmpty() || !byKey.isEmpty() && byKey.mayContain(key); // no hashing while none
    }

    /** Writer only: registers a watch; history from its start revision is sent before this returns. */
    public Watcher register(WatchSpec spec, WatchSink sink) {
        Registration w = new Registration(spec, sink);
        registered++;
        long start = spec.startRevision() > 0 ? spec.startRevision() : store.writerRevision() + 1;
        w.nextRevision = start;
        catchUp(List.of(w), true);
        return w;
    }

    /**
     * Writer only: catches up every watcher that asked to resume since the last call, the watchers of one
     * key or range together (one history read for them all, see {@link Backlog}).
     */
    private void catchUpResumed() {
        resumeScheduled.set(false); // a resume after this point schedules another call
        // The watchers that share a backlog: those of the same key, or of the same range.
        Map<KeyRange, Set<Registration>> groups = new HashMap<>();
        Registration w;
        while ((w = resumed.poll()) != null) {
            if (!w.synced && !w.removed) {
                groups.computeIfAbsent(w.range, r -> new LinkedHashSet<>()).add(w);
            }
        }
        for (Set<Registration> group : groups.values()) {
            catchUp(group, false);
        }
    }

    /**
     * Writer only: sends each watcher of {@code group} (all of one key or range) what it has missed up to
     * the writer's revision; each is synced (and hears of later batches) if its sink takes it all.
     *
     * @param perRevision one delivery per revision, as live events go: for a new watch, which may be
     *                    registered a moment after the writes it asked for (registration waits for the
     *                    writer) and must see them as a live watcher would. A watcher catching up after
     *                    falling behind gets its backlog in one delivery, as etcd sends an unsynced
     *                    watcher's backlog (one response per watcher, not per revision: 3x the events/s
     *                    measured with 10k watchers)
     */
    private void catchUp(Collection<Registration> group, boolean perRevision) {
        long compacted = store.compactRevision();
        long upTo = store.writerRevision();
        long from = Long.MAX_VALUE;
        List<Registration> live = new ArrayList<>(group.size());
        for (Registration w : group) {
            if (w.canceled) {
                continue;
            }
            if (w.nextRevision < compacted) {
                remove(w);
                w.sink.compacted(compacted, upTo);
                continue;
            }
            from = Math.min(from, w.nextRevision);
            live.add(w);
        }
        if (live.isEmpty()) {
            endRound(); // the compacted ones
            return;
        }
        Backlog backlog = from <= upTo ? new Backlog(store.history(live.get(0).range, from, upTo)) : Backlog.EMPTY;
        List<Registration> caughtUp = new ArrayList<>(live.size());
        for (Registration w : live) {
            if (send(w, backlog.from(w.spec, w.nextRevision), upTo, perRevision)) {
                w.nextRevision = Math.max(w.nextRevision, upTo + 1); // a start in the future stays
                caughtUp.add(w);
                if (w.singleKey) {
                    link(w);
                } else {
                    ranged.add(w);
                }
            }
        }
        endRound();
        for (Registration w : caughtUp) {
            w.synced = true;
        }
    }

    /**
     * Sends a catch-up's {@code events}, in one delivery or one per revision; false, with the watcher's
     * next revision at the first refused event, if its sink refused some (it stays unsynced until it
     * asks to resume again).
     */
    private boolean send(Registration w, List<Event> events, long upTo, boolean perRevision) {
        for (int from = 0, to; from < events.size(); from = to) {
            long revision = events.get(from).getKv().getModRevision();
            to = perRevision ? from : events.size();
            while (perRevision && to < events.size() && events.get(to).getKv().getModRevision() == revision) {
                to++;
            }
            List<Event> part = from == 0 && to == events.size() ? events : events.subList(from, to); // a tail stays one
            if (!send(w, part, perRevision ? revision : upTo)) {
                w.nextRevision = revision;
                return false;
            }
        }
        return true;
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
        endRound();
    }

    /** Hands {@code c} to every synced watcher that covers its key. */
    private void match(Change c) {
        ByteString key = c.kv().getKey();
        for (Registration w = byKey.get(key); w != null; w = w.nextOfKey) {
            w.take(c);
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
        w.pending = null;
        if (w.canceled) {
            remove(w);
            return;
        }
        if (!send(w, events, revision)) {
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

    /** Takes {@code w} out of the synced sets; nothing if it is not in them. */
    private void forget(Registration w) {
        if (w.singleKey) {
            unlink(w);
        } else {
            ranged.remove(w);
        }
    }

    /**
     * Puts a single-key watcher first in its key's chain. Worked example: A then B sync on key k:
     * {@code byKey[k] = B}, {@code B.nextOfKey = A}, {@code A.previousOfKey = B}; a change of k is
     * matched by one lookup and two field reads.
     */
    private void link(Registration w) {
        Registration first = byKey.put(w.spec.key(), w);
        w.nextOfKey = first;
        if (first != null) {
            first.previousOfKey = w;
        }
    }

    /**
     * Takes a single-key watcher out of its key's chain; nothing if it is not in it (a watcher removed
     * twice, or never synced). In the example of {@link #link}, unlinking B makes A first again; then
     * unlinking A removes k from {@link #byKey}.
     */
    private void unlink(Registration w) {
        Registration previous = w.previousOfKey;
        Registration next = w.nextOfKey;
        if (previous != null) {
            previous.nextOfKey = next;
        } else if (byKey.get(w.spec.key()) != w) {
            return;
        } else if (next != null) {
            byKey.put(w.spec.key(), next);
        } else {
            byKey.remove(w.spec.key());
        }
        if (next != null) {
            next.previousOfKey = previous;
        }
        w.previousOfKey = null;
        w.nextOfKey = null;
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
        /** Writer only: the neighbours of a synced single-key watcher in its key's chain ({@link #link}). */
        Registration previousOfKey;
        Registration nextOfKey;
        /**
         * Writer only: this revision's events for this watcher, until delivered; null when it has none.
         * First a change's shared one-event list, copied if a second event comes.
         */
        List<Event> pending;
        /** Writer only: {@link #pending} is a change's shared list, not this watcher's own. */
        boolean pendingShared;
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
            if (pending == null) {
                touched.add(this);
                pending = c.alone(spec.prevKv());
                pendingShared = true;
                return;
            }
            if (pendingShared) {
                pending = new ArrayList<>(pending);
                pendingShared = false;
            }
            pending.add(spec.prevKv() ? c.withPrevKv() : c.event());
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
            resumed.add(this);
            if (resumeScheduled.compareAndSet(false, true)) {
                inWriter.accept(s -> catchUpResumed());
            }
        }

        @Override
        public boolean isSynced() {
            return synced;
        }
    }
}
