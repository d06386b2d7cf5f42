package io.vetcd.core.mvcc;

import com.google.protobuf.ByteString;

/**
 * Told, by the writer, each time a committed request moves a key from one lease to another: a put with a
 * lease attaches, a put with another lease (or none) moves, a delete detaches (lease 0 means none).
 * Called when the request ends ({@link WriteTxn#end()}), in the order of its changes; an aborted
 * request reports nothing. Example: a txn {@code put a (lease 5); put a (lease 7); delete a} reports
 * {@code a: 0 -> 5}, {@code a: 5 -> 7}, {@code a: 7 -> 0}.
 */
@FunctionalInterface
public interface KeyLeaseListener {
    KeyLeaseListener NONE = (key, from, to) -> {};

    void leaseChanged(ByteString key, long fromLease, long toLease);
}
