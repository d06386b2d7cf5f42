package io.vetcd.core.mvcc;

import com.google.protobuf.ByteString;
import io.vetcd.core.EtcdError;
import io.vetcd.proto.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.List;

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
    /** Written by the writer only. */
    private long writerRevision = 1;
    private volatile long publishedRevision = 1;
    /** The compaction point: reads naming a revision below it fail, as do compactions at or below it. */
    private volatile long compactRevision = -1;
    /** History is cut up to here; raised before each cut, so a reader re-checking it after its walk sees it. */
    private volatile long cutRevision = -1;
    /** Writer only: a compaction point above the published revision, cut once it is published. */
    private long pendingCut = -1;

    /** The published revision. */
    public long revision() {
        return publishedRevision;
    }

    public long compactRevision() {
        return compactRevision;
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

    /** Writer only: readers may now see everything up to the writer's revision; returns it. */
    public long publish() {
        publishedRevision = writerRevision;
        if (pendingCut > cutRevision) {
            cut(pendingCut);
        }
        return writerRevision;
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
        if (revision <= publishedRevision) {
            cut(revision);
        } else {
            pendingCut = revision; // readers at the published revision still need what a cut would drop
        }
    }

    private void cut(long revision) {
        cutRevision = revision;
        index.compact(revision);
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

    private final class Txn implements WriteTxn {
        private final long begin;
        private int changes;
        /** The keys this txn gave a new version, in order; for {@link #abort()}. */
        private final List<byte[]> changedKeys = new ArrayList<>();

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
            index.put(keyBytes, history, rev, changes++, kv);
            changedKeys.add(keyBytes);
            return rev;
        }

        @Override
        public long deleteRange(KeyRange range) {
            long rev = begin + 1;
            List<KeyValue> live = index.liveValues(range, rev);
            for (KeyValue kv : live) {
                byte[] keyBytes = kv.getKey().toByteArray();
                index.tombstone(keyBytes, rev, changes++);
                changedKeys.add(keyBytes);
            }
            return live.size();
        }

        @Override
        public boolean changed() {
            return changes > 0;
        }

        @Override
        public void end() {
            writerRevision = revision();
        }

        /**
         * Removes this txn's versions, newest first. No reader has seen them: they sit above the
         * published revision, which only the writer (this thread) moves.
         */
        @Override
        public void abort() {
            for (int i = changedKeys.size() - 1; i >= 0; i--) {
                index.dropNewest(changedKeys.get(i), begin + 1);
            }
            changedKeys.clear();
            changes = 0;
        }
    }
}
