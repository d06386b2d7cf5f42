package io.vetcd.core.mvcc;

/**
 * A read at the current revision (revision 0) whose view a compaction overtook: history the view
 * needed may have been cut while it read. etcd cannot get here (a compaction waits for the reads in
 * flight); vetcd's readers hold no lock, so the caller answers the whole request again from
 * {@link ReadView#latest()}, which no cut has overtaken. Never reaches a client.
 */
public final class ViewOvertakenException extends RuntimeException {
    ViewOvertakenException() {
        super("the read's view was overtaken by a compaction", null, false, false);
    }
}
