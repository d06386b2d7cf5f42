package io.vetcd.core.backend;

/**
 * How many bytes each retained version takes, by revision {@code (main, sub)}: what
 * {@link MemoryBackend} needs to give back on {@code remove(main, sub)}. An open-addressing table of
 * three parallel primitive arrays (16 bytes a slot, no object per version; a {@code HashMap} would
 * spend about 80), linear probing, deletion by backward shift (no tombstones), grown at 3/4 full and
 * shrunk below 1/8 full so that compaction gives the memory back.
 *
 * <p>Worked example with capacity 8: (5,0) and (9,2) both hash to slot 3, so (5,0) takes 3 and (9,2) takes
 * 4. Removing (5,0) empties slot 3, then shifts (9,2) back into it (its home slot is 3), so a later
 * lookup of (9,2) stops at slot 3 instead of meeting an empty slot before it.
 *
 * <p>Not thread-safe (the backend's single writer).
 */
final class VersionSizes {
    private static final int MIN_CAPACITY = 16;

    private long[] mains = new long[MIN_CAPACITY];
    private int[] subs = new int[MIN_CAPACITY];
    /** The size in bytes, never 0 for a used slot: 0 marks an empty slot. */
    private int[] sizes = new int[MIN_CAPACITY];
    private int count;

    int count() {
        return count;
    }

    /** Records {@code size} (> 0) for {@code (main, sub)}; returns the size it replaces, or 0. */
    int put(long main, int sub, int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive: " + size);
        }
        int slot = find(main, sub);
        int old = sizes[slot];
        if (old == 0) {
            mains[slot] = main;
            subs[slot] = sub;
            count++;
        }
        sizes[slot] = size;
        if (count * 4L > sizes.length * 3L) {
            resize(sizes.length * 2);
        }
        return old;
    }

    /** Forgets {@code (main, sub)}; returns the size it had, or 0 if absent. */
    int remove(long main, int sub) {
        int slot = find(main, sub);
        int old = sizes[slot];
        if (old == 0) {
            return 0;
        }
        deleteAt(slot);
        count--;
        if (sizes.length > MIN_CAPACITY && count * 8L < sizes.length) {
            resize(sizes.length / 2);
        }
        return old;
    }

    /** The slot holding {@code (main, sub)}, or the empty slot where it would go. */
    private int find(long main, int sub) {
        int mask = sizes.length - 1;
        int slot = home(main, sub, mask);
        while (sizes[slot] != 0 && (mains[slot] != main || subs[slot] != sub)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    /** Empties {@code slot}, then moves back every later entry of the run that may no longer be found. */
    private void deleteAt(int slot) {
        int mask = sizes.length - 1;
        int hole = slot;
        int next = (hole + 1) & mask;
        while (sizes[next] != 0) {
            int home = home(mains[next], subs[next], mask);
            // The entry at `next` may fill the hole unless its home lies cyclically in (hole, next].
            boolean homeAfterHole = hole <= next ? home > hole && home <= next : home > hole || home <= next;
            if (!homeAfterHole) {
                mains[hole] = mains[next];
                subs[hole] = subs[next];
                sizes[hole] = sizes[next];
                hole = next;
            }
            next = (next + 1) & mask;
        }
        sizes[hole] = 0;
    }

    private void resize(int capacity) {
        long[] oldMains = mains;
        int[] oldSubs = subs;
        int[] oldSizes = sizes;
        mains = new long[capacity];
        subs = new int[capacity];
        sizes = new int[capacity];
        for (int i = 0; i < oldSizes.length; i++) {
            if (oldSizes[i] != 0) {
                int slot = find(oldMains[i], oldSubs[i]);
                mains[slot] = oldMains[i];
                subs[slot] = oldSubs[i];
                sizes[slot] = oldSizes[i];
            }
        }
    }

    private static int home(long main, int sub, int mask) {
        long h = (main * 0x9E3779B97F4A7C15L) ^ (sub * 0xC2B2AE3D27D4EB4FL);
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
