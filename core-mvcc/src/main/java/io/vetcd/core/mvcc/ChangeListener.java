package io.vetcd.core.mvcc;

import com.google.protobuf.ByteString;
import java.util.List;

/**
 * Told about every change once its batch is committed (the watch hub). Called by the writer, with the
 * writer lock held, before the batch's requests are answered.
 */
public interface ChangeListener {
    /**
     * Whether a change of {@code key} could be wanted: when false, no {@link Change} is built for it.
     * Asked for each write of a batch being published, in order, right before {@link #committed}; a
     * "yes" for a change nobody takes only costs that change.
     */
    boolean wantsChangeOf(ByteString key);

    /**
     * The changes of one batch that the listener wanted, in (main, sub) order; the list is reused after
     * the call returns.
     *
     * @param revision the store's revision after the batch
     */
    void committed(List<Change> changes, long revision);
}
