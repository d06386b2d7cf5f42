package io.vetcd.core.mvcc;

import com.google.protobuf.ByteString;
import java.util.Arrays;

/**
 * Every version the writer's current batch added, with its key, in (main, sub) order: what the
 * {@link ChangeListener} is told about when the batch is published, and what a failing txn takes back
 * (its own entries, the last ones). Two parallel arrays, so a write costs two stores and no allocation.
 *
 * <p>Worked example: a batch puts a (rev 5), deletes b (rev 6), then a txn puts c and fails: the txn
 * added (c, 7.0) and is cut back to the two entries it found, [(a, 5.0), (b, 6.0 tombstone)]; publishing
 * hands those two to the listener, then clears the log for the next batch.
 *
 * <p>Writer only. Cleared entries are nulled (the versions may be compacted away later), but the arrays
 * keep the largest batch's size, as the batch's list of changes did.
 */
final class BatchWrites {
    private ByteString[] keys = new ByteString[64];
    private KeyHistory.Version[] versions = new KeyHistory.Version[64];
    private int size;

    void add(ByteString key, KeyHistory.Version version) {
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, 2 * size);
            versions = Arrays.copyOf(versions, 2 * size);
        }
        keys[size] = key;
        versions[size] = version;
        size++;
    }

    int size() {
        return size;
    }

    ByteString key(int i) {
        return keys[i];
    }

    KeyHistory.Version version(int i) {
        return versions[i];
    }

    /** Forgets every entry from {@code newSize} on. */
    void truncate(int newSize) {
        Arrays.fill(keys, newSize, size, null);
        Arrays.fill(versions, newSize, size, null);
        size = newSize;
    }
}
