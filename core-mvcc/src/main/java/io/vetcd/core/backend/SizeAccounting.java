package io.vetcd.core.backend;

/**
 * The two sizes a backend reports: {@link #inUse} (etcd's {@code db_size_in_use}, what the quota is
 * checked against) and {@link #highWater} (etcd's {@code db_size}: the most the files have had to hold
 * since they were opened or defragmented; it never shrinks otherwise, like a bbolt file).
 *
 * <p>Worked example: put 100 + 50 bytes, remove the 100: inUse 50, highWater 150; after a defragment
 * ({@link #shrinkHighWaterToInUse}) both are 50.
 *
 * <p>One writer thread changes the sizes; any thread may read them (volatile fields, no locks).
 */
final class SizeAccounting {
    private volatile long inUse;
    private volatile long highWater;

    long inUse() {
        return inUse;
    }

    long highWater() {
        return highWater;
    }

    void add(long bytes) {
        long now = inUse + bytes;
        inUse = now;
        if (now > highWater) {
            highWater = now;
        }
    }

    void subtract(long bytes) {
        inUse -= bytes;
    }

    /** Starts over at {@code bytes} in use (what a load found), which is then also the high-water mark. */
    void reset(long bytes) {
        inUse = bytes;
        highWater = bytes;
    }

    void shrinkHighWaterToInUse() {
        highWater = inUse;
    }
}
