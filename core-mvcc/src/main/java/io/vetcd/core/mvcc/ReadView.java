package io.vetcd.core.mvcc;

import io.vetcd.core.EtcdException;

/** A consistent view of the keyspace at one current revision (etcd's {@code mvcc.ReadView}). */
public interface ReadView {
    /** The view's current revision: what a response header reports. */
    long revision();

    /** The compaction point: reads below it fail. */
    long compactRevision();

    /**
     * Range over {@code range} as etcd's {@code rangeKeys} does.
     *
     * @param atRevision the revision to read at; 0 or less reads at {@link #revision()}
     * @param limit      at most this many values (0 or less: all); the count always covers the whole range
     * @param countOnly  count, return no values
     * @throws EtcdException FUTURE_REVISION above the current revision, COMPACTED below the compaction point
     * @throws ViewOvertakenException a read at the current revision was overtaken by a compaction: answer
     *                                the whole request again from {@link #latest()}
     */
    RangeResult range(KeyRange range, long atRevision, long limit, boolean countOnly);

    /** A view at the newest published revision (the writer's own view is always the newest). */
    ReadView latest();
}
