package io.vetcd.core.lease;

import java.util.Arrays;

/**
 * How late expiries were: for each lease revoked by expiry, the time from its deadline to the moment
 * the writer revoked it (nanoseconds). Keeps the count, the maximum and the last {@link #KEPT} values,
 * for tests and benchmarks to read percentiles from ({@link #recent()}).
 *
 * <p>Example: deadlines at 10.000 s and 10.002 s, both revoked by the writer at 10.003 s: values 3 ms and
 * 1 ms; {@code count()} 2, {@code maxNanos()} 3 ms.
 *
 * <p>Written by the writer, read from any thread: every method is synchronized (one expiry at a time).
 */
public final class ExpiryLateness {
    /** How many of the latest values are kept. */
    public static final int KEPT = 1 << 16;

    private final long[] ring = new long[KEPT];
    private long count;
    private long max;

    synchronized void record(long latenessNanos) {
        ring[(int) (count++ & (KEPT - 1))] = latenessNanos;
        max = Math.max(max, latenessNanos);
    }

    /** Leases revoked by expiry since the start. */
    public synchronized long count() {
        return count;
    }

    public synchronized long maxNanos() {
        return max;
    }

    /** The last (at most {@link #KEPT}) values, sorted ascending. */
    public synchronized long[] recent() {
        long[] values = Arrays.copyOf(ring, (int) Math.min(count, KEPT));
        Arrays.sort(values);
        return values;
    }

    /** The {@code p}-quantile (0..1) of {@link #recent()}, 0 when nothing expired yet. */
    public long percentileNanos(double p) {
        long[] values = recent();
        if (values.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p * values.length) - 1;
        return values[Math.max(0, Math.min(values.length - 1, i))];
    }
}
