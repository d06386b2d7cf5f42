package io.vetcd.core.mvcc;

import com.google.protobuf.ByteString;
import io.vetcd.core.EtcdError;
import io.vetcd.proto.mvccpb.KeyValue;
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
 */
public final class MvccStore {
    private final RevisionIndex index = new RevisionIndex();
    /** Written by the writer only. */
    private long writerRevision = 1;
    private volatile long publishedRevision = 1;
    /** Set before compaction cuts any history, so a reader that re-checks it after its walk sees the cut. */
    private volatile long compactRevision = -1;

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

    /** Writer only: starts applying one request on top of everything applied so far. */
    public WriteTxn beginWrite() {
        return new Txn(writerRevision);
    }

    /** Writer only: readers may now see everything up to the writer's revision; returns it. */
    public long publish() {
        publishedRevision = writerRevision;
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
        long revision = atRevision <= 0 ? currentRevision : atRevision;
        if (revision < compactRevision) {
            throw EtcdError.COMPACTED.exception();
        }
        RangeResult result = countOnly
                ? new RangeResult(List.of(), index.count(range, revision), currentRevision)
                : index.range(range, revision, limit, currentRevision);
        if (revision < compactRevision) {
            // A compaction overtook this read and may have cut versions it walked past.
            throw EtcdError.COMPACTED.exception();
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
    }

    private final class Txn implements WriteTxn {
        private final long begin;
        private int changes;

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

        @Override
        public long put(ByteString key, ByteString value, long lease) {
            long rev = begin + 1;
            byte[] keyBytes = key.toByteArray();
            KeyValue previous = index.get(keyBytes, rev);
            KeyValue kv = KeyValue.newBuilder()
                    .setKey(key)
                    .setValue(value)
                    .setCreateRevision(previous == null ? rev : previous.getCreateRevision())
                    .setModRevision(rev)
                    .setVersion(previous == null ? 1 : previous.getVersion() + 1)
                    .setLease(lease)
                    .build();
            index.put(keyBytes, rev, changes++, kv);
            return rev;
        }

        @Override
        public long deleteRange(KeyRange range) {
            long rev = begin + 1;
            List<KeyValue> live = index.liveValues(range, rev);
            for (KeyValue kv : live) {
                index.tombstone(kv.getKey().toByteArray(), rev, changes++);
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
    }
}
