package io.vetcd.core.backend;

/**
 * The revisions map's key: a change's revision {@code (main, sub)} as 16 bytes, both big-endian, like
 * etcd's {@code revToBytes} (which writes main, '_', sub). Big-endian makes the byte order the revision
 * order, so a hex dump of the file reads in revision order.
 *
 * <p>Worked example: {@code (main 5, sub 1)} is {@code 00 00 00 00 00 00 00 05 00 00 00 00 00 00 00 01}.
 */
final class RevisionKey {
    static final int BYTES = 16;

    private RevisionKey() {}

    /** Writes {@code (main, sub)} into {@code key[0..16)}; the sub revision takes a whole long. */
    static void write(byte[] key, long main, int sub) {
        putLong(key, 0, main);
        putLong(key, 8, sub);
    }

    static long main(byte[] key) {
        return getLong(key, 0);
    }

    /** The sub revision; an {@code int} by the {@link StoredVersion} contract, checked by {@link #isValid}. */
    static int sub(byte[] key) {
        return (int) getLong(key, 8);
    }

    /** Whether {@code key} is what {@link #write} writes: 16 bytes, a sub revision that fits an int. */
    static boolean isValid(byte[] key) {
        if (key.length != BYTES) {
            return false;
        }
        long sub = getLong(key, 8);
        return sub >= 0 && sub <= Integer.MAX_VALUE;
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    private static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }
}
