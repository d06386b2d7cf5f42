package io.vetcd.core.mvcc;

import com.google.protobuf.ByteString;
import io.vetcd.core.EtcdError;
import io.vetcd.core.backend.Backend;
import io.vetcd.core.backend.BackendMeta;
import io.vetcd.core.backend.MemoryBackend;
import io.vetcd.core.backend.StoredVersion;
import io.vetcd.proto.mvccpb.KeyValue;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The multi-version keyspace: a {@link RevisionIndex} plus the revision counters.
 *
 * <p>Threading contract: exactly one thread, the writer, calls {@link #beginWrite()},
 * {@link #publish(long)} and {@link #compact(long)}; any thread calls {@link #readView()}. The writer
 * works at {@code writerRevision}, which runs ahead of the published {@link #revision()} while a
 * batch is being applied; readers read at the published revision and so never see half a batch.
 *
 * <p>A fresh store is at revision 1 with compaction point -1, like a fresh etcd: the first write gets
 * revision 2, and compacting at 0 or 1 is allowed once.
 *
 * <p>Persistence: every change is handed to the {@link Backend} as it is applied, and the batch is
 * committed there before it is published, so what a reader (or a client's acknowledgement) has seen is
 * already kept. A compaction point is committed before history is cut, so a crash mid-cut leaves a
 * compaction that the next start-up finishes (the cut is idempotent). Worked example: put a (rev 2),
 * put a (rev 3), compact 3: the backend first records compaction point 3, then forgets (2,0); killed
 * after the first step, the restarted store replays (2,0) and (3,0), reads compaction point 3 and cuts
 * (2,0) again.
 *
 * <p>Compaction and lock-free readers. In etcd a read at the current revision never fails as compacted:
 * the current revision is never below the compaction point, and a compaction waits for the reads in
 * flight. Here the compaction point ({@link #compactRevision()}) may run ahead of the published
 * revision (a batch that writes, then compacts at its own new revision), and a reader may still walk
 * an older view while the writer cuts history. So the cut of history is kept apart from the point:
 * <ul>
 *   <li>history is cut at most up to the published revision: a compaction above it is cut when the
 *       batch is published ({@link #publish()});</li>
 *   <li>{@code cutRevision} is raised before each cut; a read that finds it above its own revision
 *       after its walk may have lost history: an explicit old revision is then compacted, a read at the
 *       current revision is answered again from a newer view ({@link ViewOvertakenException});</li>
 *   <li>the compaction point only refuses reads that name a revision below it.</li>
 * </ul>
 */
public final class MvccStore {
    private final RevisionIndex index = new RevisionIndex();
    private final Backend backend;
    /** Written by the writer only. */
    private long writerRevision;
    private volatile long publishedRevision;
    /** Every change up to here has been handed to the listener; trails the published revision within a batch. */
    private volatile long notifiedRevision;
    /** The compaction point: reads naming a revision below it fail, as do compactions at or below it. */
    private volatile long compactRevision;
    /** History is cut up to here; raised before each cut, so a reader re-checking it after its walk sees it. */
    private volatile long cutRevision = -1;
    /** Writer only: a compaction point above the published revision, cut once it is published. */
    private long pendingCut = -1;
    /** etcd's NOSPACE alarm: while raised, writes that add data are refused. Set by the writer only. */
    private volatile boolean noSpaceAlarm;
    /** Writer only: what the backend holds as committed; a batch that changed nothing commits nothing. */
    private BackendMeta committed;
    /** Who hears of committed changes (the watch hub); set once, before any write. */
    private ChangeListener listener = NO_LISTENER;
    /** Writer only: every version the batch being applied added, for the listener and for aborts. */
    private final BatchWrites batchWrites = new BatchWrites();
    /** Writer only, reused: the changes of a batch the listener wants, built when it is published. */
    private final List<Change> batchChanges = new ArrayList<>();
    /** Writer only: the changes history reads built lately, to share them. */
    private final RecentChanges recentChanges = new RecentChanges();
    /** Who hears of keys moving between leases (the lessor); set once, before any write. */
    private KeyLeaseListener leaseListener = KeyLeaseListener.NONE;
    /** Writer only: a lease was granted or revoked since the last commit, so the batch must commit. */
    private boolean leasesChanged;

    private static final ChangeListener NO_LISTENER = new ChangeListener() {
        @Override
        public boolean wantsChangeOf(ByteString key) {
            return false;
        }

        @Override
        public void committed(List<Change> changes, long revision) {}
    };

    /** A fresh store that keeps nothing (tests, benchmarks, {@code --in-memory}). */
    public MvccStore() {
        this(new MemoryBackend());
    }

    /**
     * A store over what {@code backend} kept: its versions are replayed into the index, then a
     * compaction the previous run committed but may not have finished cutting is cut again.
     */
    public MvccStore(Backend backend) {
        this.backend = backend;
        committed = backend.load(this::replay);
        writerRevision = committed.revision();
        publishedRevision = committed.revision();
        notifiedRevision = committed.revision();
        compactRevision = committed.compactRevision();
        noSpaceAlarm = committed.noSpaceAlarm();
        if (compactRevision >= 0) {
            cut(compactRevision);
        }
    }

    private void replay(StoredVersion v) {
        byte[] key = v.kv().getKey().toByteArray();
        index.put(key, index.history(key), v.main(), v.sub(), v.tombstone() ? null : v.kv());
    }

    /** The published revision. */
    public long revision() {
        return publishedRevision;
    }

    public long compactRevision() {
        return compactRevision;
    }

    /**
     * The revision up to which every change has been handed to the listener (the watch hub): what a
     * watch progress notification may claim. It trails {@link #revision()} while a batch is being told.
     */
    public long notifiedRevision() {
        return notifiedRevision;
    }

    /** A view at the published revision. */
    public ReadView readView() {
        long revision = publishedRevision;
        return new View(revision);
    }

    /** Writer only: the revision of everything applied so far, published or not. */
    public long writerRevision() {
        return writerRevision;
    }

    /** Writer only: starts applying one request on top of everything applied so far. */
    public WriteTxn beginWrite() {
        return new Txn(writerRevision);
    }

    /** Set once, before the first write: who hears of every committed change. */
    public void setChangeListener(ChangeListener listener) {
        this.listener = listener;
    }

    /** Set once, before the first write: who hears of keys attached to and detached from leases. */
    public void setKeyLeaseListener(KeyLeaseListener listener) {
        this.leaseListener = listener;
    }

    /** Writer only: keeps a granted lease (id, granted TTL in seconds); committed with the batch. */
    public void putLease(long id, long ttlSeconds) {
        backend.putLease(id, ttlSeconds);
        leasesChanged = true;
    }

    /** Writer only: forgets a revoked lease; committed with the batch. */
    public void removeLease(long id) {
        backend.removeLease(id);
        leasesChanged = true;
    }

    /** Start-up (before any write): the leases the backend kept, as (id, granted TTL seconds). */
    public void loadLeases(Backend.LeaseVisitor visitor) {
        backend.loadLeases(visitor);
    }

    /** Writer only (a consistent walk): every live key holding a lease, with its lease. */
    public void forEachLeasedKey(Backend.KeyLease action) {
        long rev = writerRevision;
        index.forEachKey((key, history) -> {
            KeyValue kv = history.valueAt(rev);
            if (kv != null && kv.getLease() != 0) {
                action.accept(kv.getKey(), kv.getLease());
            }
        });
    }

    /**
     * Writer only: commits the batch to the backend, lets readers see everything up to the writer's
     * revision, then tells the listener the batch's changes; returns the revision. Readable first: a
     * client that reads right after an event it was sent sees at least that event's revision (the
     * Lock and Election services react to a DELETE event by reading). A watch progress report claims
     * {@link #notifiedRevision()}, set once the listener has everything, so it never overtakes events.
     */
    public long publish() {
        commit();
        publishedRevision = writerRevision;
        tellListener();
        notifiedRevision = writerRevision;
        if (pendingCut > cutRevision) {
            cut(pendingCut);
        }
        return writerRevision;
    }

    /**
     * Builds the changes of the batch's writes whose keys the listener wants, and hands them over. Done
     * here rather than as each write is applied, so the hot path of a put carries no watch code at all
     * (when it did, the JIT inlined less of the put and its response, and they allocated more). Asking
     * now is exact: the listener answers for the watchers it would match the change against right after.
     * {@code prev_kv} comes from the version chain, which still holds it: a compaction during the batch
     * cuts at most up to the previous published revision and keeps each key's newest version there.
     */
    private void tellListener() {
        for (int i = 0; i < batchWrites.size(); i++) {
            ByteString key = batchWrites.key(i);
            if (listener.wantsChangeOf(key)) {
                batchChanges.add(change(key, batchWrites.version(i)));
            }
        }
        batchWrites.truncate(0);
        if (!batchChanges.isEmpty()) {
            listener.committed(batchChanges, writerRevision);
            batchChanges.clear();
        }
    }

    /**
     * Writer only: forget every version no read at or above {@code revision} needs, as etcd does.
     *
     * @throws io.vetcd.core.EtcdException COMPACTED at or below the current compaction point,
     *                                     FUTURE_REVISION above the writer's revision
     */
    public void compact(long revision) {
        if (revision <= compactRevision) {
            throw EtcdError.COMPACTED.exception();
        }
        if (revision > writerRevision) {
            throw EtcdError.FUTURE_REVISION.exception();
        }
        compactRevision = revision;
        recentChanges.clear(); // they may hold values the cut lets go of
        commit(); // the compaction point is kept before any history is forgotten
        if (revision <= publishedRevision) {
            cut(revision);
        } else {
            pendingCut = revision; // readers at the published revision still need what a cut would drop
        }
    }

    private void cut(long revision) {
        cutRevision = revision;
        index.compact(revision, (key, v) -> backend.remove(stored(key, v)));
    }

    private void commit() {
        BackendMeta meta = new BackendMeta(writerRevision, compactRevision, noSpaceAlarm);
        if (!meta.equals(committed) || leasesChanged) {
            backend.commit(meta);
            committed = meta;
            leasesChanged = false;
        }
    }

    /** Whether etcd's NOSPACE alarm is raised. */
    public boolean noSpaceAlarm() {
        return noSpaceAlarm;
    }

    /** Writer only: raises or clears the NOSPACE alarm; kept with the next commit. */
    public void setNoSpaceAlarm(boolean raised) {
        noSpaceAlarm = raised;
    }

    /** Bytes the retained history takes in the backend (etcd's {@code db_size_in_use}). */
    public long backendSizeInUse() {
        return backend.sizeInUse();
    }

    /** Bytes the backend's files take (etcd's {@code db_size}). */
    public long backendSize() {
        return backend.size();
    }

    /** Writer only: etcd's defragmentation: the backend's files shrink to what is retained. */
    public void defragment() {
        backend.defragment();
    }

    /** Writer only: what a snapshot records beside the versions. */
    public BackendMeta meta() {
        return new BackendMeta(writerRevision, compactRevision, noSpaceAlarm);
    }

    /** Writer only (a consistent walk): every retained version, as the backend keeps it. */
    public void forEachVersion(Consumer<StoredVersion> action) {
        index.forEachVersion((key, v) -> action.accept(stored(key, v)));
    }

    private static StoredVersion stored(byte[] key, KeyHistory.Version v) {
        return v.isTombstone()
                ? new StoredVersion(v.main, v.sub, tombstone(ByteString.copyFrom(key), v.main), true)
                : new StoredVersion(v.main, v.sub, v.kv, false);
    }

    /** What the backend keeps for a deletion: the key and the revision that deleted it. */
    private static KeyValue tombstone(ByteString key, long revision) {
        return KeyValue.newBuilder().setKey(key).setModRevision(revision).build();
    }

    /**
     * Writer only: etcd's {@code HashKV}: a CRC-32C over every retained version at or below
     * {@code revision} (0: the writer's revision), the same for the same history whatever the process,
     * so it is unchanged by a restart. Not etcd's number: etcd hashes its bbolt pages.
     *
     * @throws io.vetcd.core.EtcdException FUTURE_REVISION above the writer's revision, COMPACTED below the
     *                                     compaction point
     */
    public int hashKv(long revision) {
        if (revision > writerRevision) {
            throw EtcdError.FUTURE_REVISION.exception();
        }
        if (revision > 0 && revision < compactRevision) {
            throw EtcdError.COMPACTED.exception();
        }
        long upTo = revision <= 0 ? writerRevision : revision;
        CRC32C crc = new CRC32C();
        ByteBuffer numbers = ByteBuffer.allocate(5 * Long.BYTES);
        index.forEachVersion((key, v) -> {
            if (v.main > upTo) {
                return;
            }
            crc.update(key);
            numbers.clear();
            numbers.putLong(v.main).putLong(v.sub);
            if (v.isTombstone()) {
                numbers.putLong(-1).putLong(-1).putLong(-1);
            } else {
                numbers.putLong(v.kv.getCreateRevision()).putLong(v.kv.getVersion()).putLong(v.kv.getLease());
            }
            crc.update(numbers.flip());
            if (!v.isTombstone()) {
                crc.update(v.kv.getValue().asReadOnlyByteBuffer());
            }
        });
        return (int) crc.getValue();
    }

    /**
     * Writer only (a consistent walk): every retained change of {@code range} with a main revision in
     * {@code [from, to]}, in (main, sub) order, each with the key's previous version where it is retained.
     * What a watcher starting in the past catches up with.
     */
    public List<Change> history(KeyRange range, long from, long to) {
        List<Change> changes = new ArrayList<>();
        index.forEachHistory(range, (key, history) -> {
            for (KeyHistory.Version v = history.newest(); v != null && v.main >= from; v = v.next) {
                if (v.main <= to) {
                    changes.add(recentChange(v.isTombstone() ? ByteString.copyFrom(key) : v.kv.getKey(), v));
                }
            }
        });
        if (range.isSingleKey()) {
            Collections.reverse(changes); // one key's versions come newest first
        } else {
            changes.sort(Comparator.comparingLong(Change::main).thenComparingInt(Change::sub));
        }
        return changes;
    }

    /** The change {@code v} made to {@code key}: a PUT of its value, or a DELETE; with the value before it. */
    private static Change change(ByteString key, KeyHistory.Version v) {
        return v.isTombstone() ? new Change(v.main, v.sub, tombstone(key, v.main), true, v.previousValue())
                : new Change(v.main, v.sub, v.kv, false, v.previousValue());
    }

    /**
     * Writer only: {@link #change}, or the one a history read built before if it is still among the
     * {@link RecentChanges}. Only history reads share them: the put path builds its own, since keeping
     * those too cost 11 % of the writer's throughput with 10,000 watchers (JMH
     * {@code WatchFanoutBenchmark}), each young change stored in a long-lived table.
     */
    private Change recentChange(ByteString key, KeyHistory.Version v) {
        Change c = recentChanges.get(v.main, v.sub);
        if (c == null) {
            c = change(key, v);
            recentChanges.put(c);
        }
        return c;
    }

    /** Releases the backend (its files are closed cleanly). Writer only, after the last write. */
    public void close() {
        backend.close();
    }

    /** Keys with any retained version (live or tombstoned); for tests and metrics. */
    public int retainedKeys() {
        return index.retainedKeys();
    }

    private RangeResult rangeKeys(KeyRange range, long currentRevision, long atRevision, long limit,
                                  boolean countOnly) {
        if (atRevision > currentRevision) {
            throw EtcdError.FUTURE_REVISION.exception();
        }
        if (atRevision > 0 && atRevision < compactRevision) {
            throw EtcdError.COMPACTED.exception();
        }
        long revision = atRevision <= 0 ? currentRevision : atRevision;
        RangeResult result = countOnly
                ? new RangeResult(List.of(), index.count(range, revision), currentRevision)
                : index.range(range, revision, limit, currentRevision);
        if (revision < cutRevision) {
            // A cut overtook this read and may have removed versions it walked past.
            if (atRevision > 0) {
                throw EtcdError.COMPACTED.exception(); // the cut is at or below the compaction point
            }
            throw new ViewOvertakenException();
        }
        return result;
    }

    private final class View implements ReadView {
        private final long revision;

        View(long revision) {
            this.revision = revision;
        }

        @Override
        public long revision() {
            return revision;
        }

        @Override
        public long compactRevision() {
            return compactRevision;
        }

        @Override
        public RangeResult range(KeyRange range, long atRevision, long limit, boolean countOnly) {
            return rangeKeys(range, revision, atRevision, limit, countOnly);
        }

        @Override
        public ReadView latest() {
            return readView();
        }
    }

    private record LeaseMove(ByteString key, long from, long to) {}

    /**
     * One write request. Each version it adds goes into {@link #batchWrites} too, which is all a write
     * does for the listener ({@link #tellListener()} turns them into changes at publish), and which
     * {@link #abort()} walks back to undo the txn.
     */
    private final class Txn implements WriteTxn {
        private final long begin;
        private int changes;
        /** Where this txn's versions start in {@link #batchWrites}. */
        private final int firstWrite = batchWrites.size();
        /** Keys moved between leases; null until one is. Handed over at {@link #end()}. */
        private List<LeaseMove> leaseMoves;

        Txn(long begin) {
            this.begin = begin;
        }

        @Override
        public long revision() {
            return changes > 0 ? begin + 1 : begin;
        }

        @Override
        public long compactRevision() {
            return compactRevision;
        }

        @Override
        public RangeResult range(KeyRange range, long atRevision, long limit, boolean countOnly) {
            return rangeKeys(range, revision(), atRevision, limit, countOnly);
        }

        /** The writer cuts history itself, never beyond what it has published: it is never overtaken. */
        @Override
        public ReadView latest() {
            return this;
        }

        @Override
        public long put(ByteString key, ByteString value, long lease) {
            long rev = begin + 1;
            byte[] keyBytes = key.toByteArray();
            KeyHistory history = index.history(keyBytes);
            KeyValue previous = history == null ? null : history.valueAt(rev);
            KeyValue kv = KeyValue.newBuilder()
                    .setKey(key)
                    .setValue(value)
                    .setCreateRevision(previous == null ? rev : previous.getCreateRevision())
                    .setModRevision(rev)
                    .setVersion(previous == null ? 1 : previous.getVersion() + 1)
                    .setLease(lease)
                    .build();
            int sub = changes++;
            long previousLease = previous == null ? 0 : previous.getLease();
            if (previousLease != lease) {
                leaseMoved(key, previousLease, lease);
            }
            batchWrites.add(key, index.put(keyBytes, history, rev, sub, kv));
            backend.put(new StoredVersion(rev, sub, kv, false));
            return rev;
        }

        @Override
        public long deleteRange(KeyRange range) {
            long rev = begin + 1;
            List<KeyValue> live = index.liveValues(range, rev);
            for (KeyValue kv : live) {
                byte[] keyBytes = kv.getKey().toByteArray();
                int sub = changes++;
                if (kv.getLease() != 0) {
                    leaseMoved(kv.getKey(), kv.getLease(), 0);
                }
                batchWrites.add(kv.getKey(), index.tombstone(keyBytes, rev, sub));
                backend.put(new StoredVersion(rev, sub, tombstone(kv.getKey(), rev), true));
            }
            return live.size();
        }

        private void leaseMoved(ByteString key, long from, long to) {
            if (leaseMoves == null) {
                leaseMoves = new ArrayList<>();
            }
            leaseMoves.add(new LeaseMove(key, from, to));
        }

        @Override
        public boolean changed() {
            return changes > 0;
        }

        @Override
        public void end() {
            writerRevision = revision();
            if (leaseMoves != null) {
                for (LeaseMove m : leaseMoves) {
                    leaseListener.leaseChanged(m.key(), m.from(), m.to());
                }
                leaseMoves = null;
            }
        }

        /**
         * Removes this txn's versions, newest first, from the index, the backend and the batch's writes.
         * No reader has seen them: they sit above the published revision, which only the writer (this
         * thread) moves; the backend has not committed them.
         */
        @Override
        public void abort() {
            for (int i = batchWrites.size() - 1; i >= firstWrite; i--) {
                byte[] key = batchWrites.key(i).toByteArray();
                KeyHistory.Version dropped = index.dropNewest(key, begin + 1);
                if (dropped != null) {
                    backend.remove(stored(key, dropped));
                    recentChanges.remove(dropped.main, dropped.sub); // its revision will name another change
                }
            }
            batchWrites.truncate(firstWrite);
            changes = 0;
            leaseMoves = null;
        }
    }
}
