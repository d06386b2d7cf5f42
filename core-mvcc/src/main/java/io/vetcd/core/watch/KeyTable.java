package io.vetcd.core.watch;

import com.google.protobuf.ByteString;

/**
 * A map from keys to values, made for the writer's question on every put, "could a synced watcher want
 * this key?" ({@link #mayContain}), which it answers from one dense array of hash tags without touching
 * a key: a put of an unwatched key costs a read or two of that array, where a {@code HashMap} would walk
 * its node, the key's {@code ByteString} and its bytes, memory the put has no other use for.
 *
 * <p>Open addressing with linear probing: slot {@code i} holds a key, its value and its tag (the key's
 * mixed hash with the low bit set, so 0 marks an empty slot). A key lives at its home slot (the tag's
 * top bits) or in the first free slot after it, with no empty slot in between; at most half the slots
 * are used, and once fewer than an eighth are, the table halves (so 100k watched keys, then 10, leave
 * 64 slots, not 262,144; growing at a half and shrinking at an eighth, it never resizes back and forth
 * on one key). Removal shifts the following entries back instead of leaving a marker, so a lookup stops at
 * the first empty slot. Worked example, 8 slots: a and b both home at 3, c home at 4: a in 3, b in 4, c
 * in 5. Removing a leaves 3 empty; b moves back to 3 (its home), c to 4 (its home); 5 is freed.
 *
 * <p>Writer only: not thread-safe.
 */
final class KeyTable<V> {
    private static final int MIN_SLOTS = 16;
    private int[] tags;
    private ByteString[] keys;
    private Object[] values;
    /** {@code 32 - log2(slots)}: a tag's top bits are its home slot. */
    private int shift;
    private int size;

    KeyTable() {
        allocate(MIN_SLOTS);
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** False when {@code key} is surely absent; true when it is present (or, rarely, shares its tag). */
    boolean mayContain(ByteString key) {
        int tag = tag(key);
        int mask = tags.length - 1;
        for (int i = tag >>> shift; tags[i] != 0; i = (i + 1) & mask) {
            if (tags[i] == tag) {
                return true;
            }
        }
        return false;
    }

    /** The value of {@code key}, or null. */
    @SuppressWarnings("unchecked")
    V get(ByteString key) {
        int i = slotOf(key);
        return i < 0 ? null : (V) values[i];
    }

    /** Sets the value of {@code key}; returns the one it replaces, or null. */
    @SuppressWarnings("unchecked")
    V put(ByteString key, V value) {
        int i = slotOf(key);
        if (i >= 0) {
            V old = (V) values[i];
            values[i] = value;
            return old;
        }
        if (2 * (size + 1) > tags.length) {
            resize(2 * tags.length);
        }
        insert(tag(key), key, value);
        size++;
        return null;
    }

    /** Removes {@code key} and its value, if present. */
    void remove(ByteString key) {
        int hole = slotOf(key);
        if (hole < 0) {
            return;
        }
        int mask = tags.length - 1;
        for (int j = (hole + 1) & mask; tags[j] != 0; j = (j + 1) & mask) {
            int home = tags[j] >>> shift;
            if (((j - home) & mask) >= ((j - hole) & mask)) { // the hole lies between j's home and j
                tags[hole] = tags[j];
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        tags[hole] = 0;
        keys[hole] = null;
        values[hole] = null;
        size--;
        if (tags.length > MIN_SLOTS && 8 * size < tags.length) {
            resize(tags.length / 2);
        }
    }

    /** The slots allocated (for tests: the table shrinks once most keys are gone). */
    int slots() {
        return tags.length;
    }

    /** Fibonacci hashing of the key's (cached) hash code, low bit set. */
    private static int tag(ByteString key) {
        return (key.hashCode() * 0x9E3779B9) | 1;
    }

    private int slotOf(ByteString key) {
        int tag = tag(key);
        int mask = tags.length - 1;
        for (int i = tag >>> shift; tags[i] != 0; i = (i + 1) & mask) {
            if (tags[i] == tag && keys[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    private void insert(int tag, ByteString key, Object value) {
        int mask = tags.length - 1;
        int i = tag >>> shift;
        while (tags[i] != 0) {
            i = (i + 1) & mask;
        }
        tags[i] = tag;
        keys[i] = key;
        values[i] = value;
    }

    private void resize(int slots) {
        int[] oldTags = tags;
        ByteString[] oldKeys = keys;
        Object[] oldValues = values;
        allocate(slots);
        for (int i = 0; i < oldTags.length; i++) {
            if (oldTags[i] != 0) {
                insert(oldTags[i], oldKeys[i], oldValues[i]);
            }
        }
    }

    private void allocate(int slots) {
        tags = new int[slots];
        keys = new ByteString[slots];
        values = new Object[slots];
        shift = 32 - Integer.numberOfTrailingZeros(slots);
    }
}
