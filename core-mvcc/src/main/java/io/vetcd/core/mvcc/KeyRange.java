package io.vetcd.core.mvcc;

import com.google.protobuf.ByteString;
import java.util.Arrays;

/**
 * The keys an etcd request names with {@code key} and {@code range_end}.
 *
 * <ul>
 *   <li>empty {@code range_end}: the single key {@code key};</li>
 *   <li>{@code range_end == "\0"}: every key {@code >= key} ({@code key == "\0"} too: every key);</li>
 *   <li>otherwise the half-open interval {@code [key, range_end)}, empty when {@code range_end <= key}.</li>
 * </ul>
 * Keys order as unsigned bytes, like Go's {@code bytes.Compare}.
 *
 * <p>Two ranges are equal when they name the same keys the same way: {@code (k, "\0")} equals another
 * {@code (k, "\0")}, not {@code (k, "")} (a single key). The hash is computed at its first use and kept,
 * so a range made for one request costs nothing for it, and one kept by a watcher hashes once.
 */
public final class KeyRange {
    private final byte[] start;
    /** Null for a single key; empty for "to the end of the keyspace". */
    private final byte[] end;
    /** {@link #hashCode()}, once computed; 0 until then. */
    private int hash;

    private KeyRange(byte[] start, byte[] end) {
        this.start = start;
        this.end = end;
    }

    public static KeyRange of(ByteString key, ByteString rangeEnd) {
        byte[] start = key.toByteArray();
        if (rangeEnd.isEmpty()) {
            return new KeyRange(start, null);
        }
        if (rangeEnd.size() == 1 && rangeEnd.byteAt(0) == 0) {
            return new KeyRange(start, new byte[0]);
        }
        return new KeyRange(start, rangeEnd.toByteArray());
    }

    public static KeyRange single(ByteString key) {
        return new KeyRange(key.toByteArray(), null);
    }

    public boolean isSingleKey() {
        return end == null;
    }

    byte[] start() {
        return start;
    }

    /** Whether the interval holds no key at all ({@code range_end <= key}). */
    boolean isEmpty() {
        return end != null && end.length > 0 && Arrays.compareUnsigned(end, start) <= 0;
    }

    boolean isUnbounded() {
        return end != null && end.length == 0;
    }

    byte[] end() {
        return end;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof KeyRange r && hashCode() == r.hashCode() && Arrays.equals(start, r.start)
                && Arrays.equals(end, r.end);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = 31 * Arrays.hashCode(start) + (end == null ? -1 : Arrays.hashCode(end));
            hash = h;
        }
        return h;
    }

    /** Whether {@code k} is one of the keys this range names. */
    public boolean contains(byte[] k) {
        if (end == null) {
            return Arrays.equals(k, start);
        }
        return Arrays.compareUnsigned(k, start) >= 0 && (end.length == 0 || Arrays.compareUnsigned(k, end) < 0);
    }
}
