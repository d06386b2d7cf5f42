package io.vetcd.core.mvcc;

import java.util.List;

/**
 * Told about every change once its batch is committed (the watch hub). Called by the writer, with the
 * writer lock held, before the batch's requests are answered.
 */
public interface ChangeListener {
    /** Whether changes are wanted at all: when false, the writer records none (no cost per write). */
    boolean wantsChanges();

    /**
     * The changes of one batch, in (main, sub) order; the list is reused after the call returns.
     *
     * @param revision the store's revision after the batch
     */
    void committed(List<Change> changes, long revision);
}
