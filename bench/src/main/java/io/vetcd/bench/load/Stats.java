package io.vetcd.bench.load;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The results of one run (or one half of a mixed run): latencies in an HdrHistogram (nanoseconds,
 * 3 significant digits), exact fastest/slowest/mean/stddev, and the error distribution. Thread-safe:
 * results come from every event loop.
 */
public final class Stats {
    private static final double[] PCTLS = {10, 25, 50, 75, 90, 95, 99, 99.9};

    /** Every latency recorded, under this object's lock. */
    private final Recorder all = new Recorder();
    private final Map<String, Integer> errors = new TreeMap<>();
    private long startNanos;
    private long endNanos;

    /** Marks the start of the measured period (etcd starts its clock before the first request). */
    public synchronized void start() {
        startNanos = System.nanoTime();
    }

    /** Marks the end of the measured period (when the last result arrived). */
    public synchronized void stop() {
        endNanos = System.nanoTime();
    }

    public synchronized void record(long nanos) {
        all.record(nanos);
    }

    /**
     * Latencies recorded by one thread, without a lock, for a hot path that records from several threads
     * (one recorder per thread): {@link #add} them to a Stats when done. A Stats keeps its own in one.
     */
    public static final class Recorder {
        /** The histogram's range: 1 µs to 60 s; a latency outside it counts at its nearer end. */
        private static final long LOWEST_NANOS = 1_000L;
        private static final long HIGHEST_NANOS = 60_000_000_000L;
        /**
         * Latencies are first counted in bins and enter the histogram, at each bin's middle, when it is read:
         * a watch run records 20M latencies on the load tool's C1-only JIT, where HdrHistogram's call chain
         * cost ~45 ns a latency and a bin costs an array increment. Under 2^30 ns (~1.07 s) a bin is 2^10 ns
         * (1.024 µs) wide, from there to 2^36 ns (~68.7 s, past the histogram's top) 2^20 ns (~1.05 ms): a
         * latency moves by at most half a bin, 0.512 µs or 0.524 ms, less than the histogram's own rounding
         * at that value (3 significant digits) and far under the report's 0.1 ms below a second. The coarse
         * bins matter in the watch fan-out, where events queue for seconds behind one another.
         */
        private static final int FINE_SHIFT = 10;
        private static final int FINE_BINS = 1 << 20;
        private static final int COARSE_SHIFT = 20;
        private static final int COARSE_BINS = 1 << 16;
        private final Histogram histogram = new Histogram(LOWEST_NANOS, HIGHEST_NANOS, 3);
        /** Counts per bin not yet in {@link #histogram}; each made at its first latency. */
        private int[] fine;
        private int[] coarse;
        private long count;
        private long minNanos = Long.MAX_VALUE;
        private long maxNanos;
        private double sumSec;
        private double sumSqSec;

        public void record(long nanos) {
            if (nanos < 0) {
                nanos = 0;
            }
            long bin = nanos >>> FINE_SHIFT;
            if (bin < FINE_BINS) {
                if (fine == null) {
                    fine = new int[FINE_BINS];
                }
                fine[(int) bin]++;
            } else {
                if (coarse == null) {
                    coarse = new int[COARSE_BINS];
                }
                // constants rather than the histogram's getters: the load tool's C1-only JIT calls each getter
                coarse[(int) ((nanos > HIGHEST_NANOS ? HIGHEST_NANOS : nanos) >>> COARSE_SHIFT)]++;
            }
            count++;
            minNanos = Math.min(minNanos, nanos);
            maxNanos = Math.max(maxNanos, nanos);
            double s = nanos / 1e9;
            sumSec += s;
            sumSqSec += s * s;
        }

        /** The histogram, with the binned latencies moved into it. */
        private Histogram histogram() {
            if (fine != null) {
                moveInto(histogram, fine, FINE_SHIFT);
                fine = null;
            }
            if (coarse != null) {
                moveInto(histogram, coarse, COARSE_SHIFT);
                coarse = null;
            }
            return histogram;
        }

        /** Records each bin's count at its middle (bin b holds [b, b + 1) << shift), within the histogram's range. */
        private static void moveInto(Histogram histogram, int[] bins, int shift) {
            for (int b = 0; b < bins.length; b++) {
                if (bins[b] != 0) {
                    long middle = ((long) b << shift) + (1L << (shift - 1));
                    histogram.recordValueWithCount(Math.min(HIGHEST_NANOS, Math.max(LOWEST_NANOS, middle)), bins[b]);
                }
            }
        }

        private void add(Recorder r) {
            histogram().add(r.histogram());
            count += r.count;
            minNanos = Math.min(minNanos, r.minNanos);
            maxNanos = Math.max(maxNanos, r.maxNanos);
            sumSec += r.sumSec;
            sumSqSec += r.sumSqSec;
        }
    }

    /** Adds the latencies of {@code r} (call once its thread is done with it, or on that thread). */
    public synchronized void add(Recorder r) {
        all.add(r);
    }

    public synchronized void error(String message) {
        errors.merge(message, 1, Integer::sum);
    }

    public synchronized long count() {
        return all.count;
    }

    public synchronized long errorCount() {
        long n = 0;
        for (int v : errors.values()) {
            n += v;
        }
        return n;
    }

    public synchronized Map<String, Integer> errors() {
        return new LinkedHashMap<>(errors);
    }

    public synchronized double totalSeconds() {
        long end = endNanos == 0 ? System.nanoTime() : endNanos;
        return (end - startNanos) / 1e9;
    }

    public synchronized double requestsPerSecond() {
        double t = totalSeconds();
        return t <= 0 ? 0 : all.count / t;
    }

    public synchronized double fastestSec() {
        return all.count == 0 ? 0 : all.minNanos / 1e9;
    }

    public synchronized double slowestSec() {
        return all.count == 0 ? 0 : all.maxNanos / 1e9;
    }

    public synchronized double averageSec() {
        return all.count == 0 ? 0 : all.sumSec / all.count;
    }

    public synchronized double stddevSec() {
        if (all.count == 0) {
            return 0;
        }
        double mean = all.sumSec / all.count;
        return Math.sqrt(Math.max(0, all.sumSqSec / all.count - mean * mean));
    }

    /** The latency at percentile {@code p} (0..100), in seconds, from the histogram. */
    public synchronized double percentileSec(double p) {
        return all.count == 0 ? 0 : all.histogram().getValueAtPercentile(p) / 1e9;
    }

    /** One Stats holding both: all latencies, all errors, the union of the two periods. */
    public static Stats merge(Stats a, Stats b) {
        Stats m = new Stats();
        for (Stats s : new Stats[] {a, b}) {
            synchronized (s) {
                m.all.add(s.all);
                s.errors.forEach((k, v) -> m.errors.merge(k, v, Integer::sum));
                m.startNanos = m.startNanos == 0 ? s.startNanos : Math.min(m.startNanos, s.startNanos);
                m.endNanos = Math.max(m.endNanos, s.endNanos);
            }
        }
        return m;
    }

    /** etcd's report text (pkg/report): Summary, Response time histogram, Latency distribution, errors. */
    public synchronized String format(boolean precise) {
        String prec = precise ? "%g" : "%4.4f";
        StringBuilder s = new StringBuilder();
        if (all.count > 0) {
            s.append("\nSummary:\n");
            s.append(String.format(Locale.ROOT, "  Total:\t" + prec + " secs.\n", totalSeconds()));
            s.append(String.format(Locale.ROOT, "  Slowest:\t" + prec + " secs.\n", slowestSec()));
            s.append(String.format(Locale.ROOT, "  Fastest:\t" + prec + " secs.\n", fastestSec()));
            s.append(String.format(Locale.ROOT, "  Average:\t" + prec + " secs.\n", averageSec()));
            s.append(String.format(Locale.ROOT, "  Stddev:\t" + prec + " secs.\n", stddevSec()));
            s.append(String.format(Locale.ROOT, "  Requests/sec:\t" + prec + "\n", requestsPerSecond()));
            s.append(histogramText(prec));
            s.append("\nLatency distribution:\n");
            for (double p : PCTLS) {
                double v = percentileSec(p);
                if (v > 0) {
                    String label = p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
                    s.append(String.format(Locale.ROOT, "  %s%% in " + prec + " secs.\n", label, v)); // etcd 3.4's form
                }
            }
        }
        if (!errors.isEmpty()) {
            s.append("\nError distribution:\n");
            for (Map.Entry<String, Integer> e : errors.entrySet()) {
                s.append("  [").append(e.getValue()).append("]\t").append(e.getKey()).append('\n');
            }
        }
        return s.toString();
    }

    /** etcd's 11 linear buckets from fastest to slowest; a latency goes to the first bucket >= it. */
    private String histogramText(String prec) {
        int bc = 10;
        double fastest = fastestSec();
        double slowest = slowestSec();
        double[] buckets = new double[bc + 1];
        long[] counts = new long[bc + 1];
        double bs = (slowest - fastest) / bc;
        for (int i = 0; i < bc; i++) {
            buckets[i] = fastest + bs * i;
        }
        buckets[bc] = slowest;
        Histogram histogram = all.histogram();
        for (HistogramIterationValue v : histogram.recordedValues()) {
            double lat = Math.min(Math.max(histogram.medianEquivalentValue(v.getValueIteratedTo()) / 1e9, fastest), slowest);
            int bi = 0;
            while (bi < bc && lat > buckets[bi]) {
                bi++;
            }
            counts[bi] += v.getCountAtValueIteratedTo();
        }
        long max = 0;
        for (long c : counts) {
            max = Math.max(max, c);
        }
        StringBuilder s = new StringBuilder("\nResponse time histogram:\n");
        for (int i = 0; i <= bc; i++) {
            int barLen = max > 0 ? (int) (counts[i] * 40 / max) : 0;
            s.append(String.format(Locale.ROOT, "  " + prec + " [%d]\t|%s\n", buckets[i], counts[i], "∎".repeat(barLen)));
        }
        return s.toString();
    }

    /** The numbers of the --json file's record, latencies in milliseconds. */
    public synchronized Map<String, Object> latencyMs() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p50", percentileSec(50) * 1000);
        m.put("p90", percentileSec(90) * 1000);
        m.put("p99", percentileSec(99) * 1000);
        m.put("p999", percentileSec(99.9) * 1000);
        m.put("min", fastestSec() * 1000);
        m.put("max", slowestSec() * 1000);
        m.put("mean", averageSec() * 1000);
        m.put("stddev", stddevSec() * 1000);
        return m;
    }
}
