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
         * cost ~45 ns a latency and a bin costs an array increment. The bins are log-linear, as the
         * histogram's own buckets are: {@value #SUB_BINS} bins per power of two, 1 ns wide below 2^11 ns, then
         * twice as wide at each power of two (2^(k-10) ns from 2^k ns on), so a latency moves by at most
         * 1/2048 of its value (half a bin), less than the histogram's rounding there (3 significant digits).
         * Worked example: 1,500,000 ns lies in [2^20, 2^21), in bins 2^10 ns wide: 1,500,000 >> 10 is 1,464,
         * bin 440 of that power, array index 11 x 1024 + 440, counted at 1,499,648 ns (-0.023 %). The array
         * holds every latency up to the histogram's top, 60 s, in 27 x 1024 ints (108 KiB): small enough to
         * stay in cache while a watch run records each event's latency (flat bins of 2^10 ns took 4 MiB for
         * the first second, and the fan-out's latencies spread over all of it).
         */
        private static final int SUB_BITS = 10;
        private static final int SUB_BINS = 1 << SUB_BITS;
        /** Powers of two in the bin array: {@link #power} of {@link #HIGHEST_NANOS} is 26. */
        private static final int POWERS = 27;
        private final Histogram histogram = new Histogram(LOWEST_NANOS, HIGHEST_NANOS, 3);
        /** Counts per bin not yet in {@link #histogram}; made at the first latency. */
        private int[] bins;
        private long count;
        private long minNanos = Long.MAX_VALUE;
        private long maxNanos;
        private double sumSec;
        private double sumSqSec;

        public void record(long nanos) {
            if (nanos < 0) {
                nanos = 0;
            }
            if (bins == null) {
                bins = new int[POWERS * SUB_BINS];
            }
            // constants rather than the histogram's getters: the load tool's C1-only JIT calls each getter
            long binned = nanos > HIGHEST_NANOS ? HIGHEST_NANOS : nanos;
            int power = power(binned);
            bins[power << SUB_BITS | (int) (binned >>> shift(power)) & (SUB_BINS - 1)]++;
            count++;
            minNanos = Math.min(minNanos, nanos);
            maxNanos = Math.max(maxNanos, nanos);
            double s = nanos / 1e9;
            sumSec += s;
            sumSqSec += s * s;
        }

        /** 0 below 2^10 ns, else k - 9 for a latency in [2^k, 2^(k+1)) ns. */
        private static int power(long nanos) {
            return 54 - Long.numberOfLeadingZeros(nanos | (SUB_BINS - 1));
        }

        /** How far a latency of {@code power} is shifted to its bin: bins are 2^shift ns wide. */
        private static int shift(int power) {
            return power == 0 ? 0 : power - 1;
        }

        /** The histogram, with the binned latencies moved into it. */
        private Histogram histogram() {
            if (bins != null) {
                for (int i = 0; i < bins.length; i++) {
                    if (bins[i] != 0) {
                        int power = i >>> SUB_BITS;
                        int shift = shift(power);
                        // power 0 holds [0, 2^10) as is; power p > 0 holds [2^(p+9), 2^(p+10)) by its low 10 bits
                        long low = power == 0 ? i : (long) (SUB_BINS | i & (SUB_BINS - 1)) << shift;
                        long middle = low + ((1L << shift) >>> 1);
                        long value = Math.min(HIGHEST_NANOS, Math.max(LOWEST_NANOS, middle));
                        histogram.recordValueWithCount(value, bins[i]);
                    }
                }
                bins = null;
            }
            return histogram;
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
