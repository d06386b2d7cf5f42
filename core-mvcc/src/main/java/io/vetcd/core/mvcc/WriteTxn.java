package io.vetcd.core.mvcc;

import com.google.protobuf.ByteString;

/**
 * The writer's view while it applies one request (etcd's {@code mvcc.TxnWrite}). Every change made
 * through one {@code WriteTxn} shares the main revision {@code begin + 1} and takes the next sub
 * revision; its reads see its own changes. Nothing becomes visible to readers until the writer
 * publishes the revision.
 */
public interface WriteTxn extends ReadView {
    /** Puts {@code value} under {@code key}; returns the main revision of the change. */
    long put(ByteString key, ByteString value, long lease);

    /** Deletes the live keys of {@code range}; returns how many were deleted. */
    long deleteRange(KeyRange range);

    /** Whether this txn changed anything (and so takes a new main revision). */
    boolean changed();

    /** Ends the txn: the writer's revision moves to {@link #revision()}. */
    void end();

    /**
     * Undoes every change of this txn instead of ending it: a request that fails part-way (a txn whose
     * put finds its key deleted by an earlier op of the same txn) leaves the store as it found it.
     */
    void abort();
}
