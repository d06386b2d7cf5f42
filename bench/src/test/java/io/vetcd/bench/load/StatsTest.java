package io.vetcd.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Stats' percentiles against a plain HdrHistogram of the same latencies: the recorders' bins move none by more than half a bin. */
class StatsTest {
    /**
     * Half a bin (at most 1/2048 of the value), plus the histogram's own rounding at the value (3 significant
     * digits: its buckets are at most 1/1024 of the value wide), plus 1 ns.
     */
    private static double toleranceSec(double valueSec) {
        return valueSec / 2048 + valueSec / 1024 + 1e-9;
    }

    @Test
    void percentilesMatchAPlainHistogramWithinHalfABin() {
        Random random = new Random(42);
        Stats stats = new Stats();
        Stats.Recorder recorder = new Stats.Recorder();
        Histogram exact = new Histogram(1_000L, 60_000_000_000L, 3);
        for (int i = 0; i < 200_000; i++) {
            // mostly 0-2 ms, some up to 5 s, a few up to 70 s (past the histogram's top, 60 s, where both count
            // them at the top)
            long nanos = i % 100 == 0 ? (long) (random.nextDouble() * 5e9)
                    : i % 1001 == 0 ? (long) (random.nextDouble() * 70e9) : (long) (random.nextDouble() * 2e6);
            exact.recordValue(Math.min(60_000_000_000L, Math.max(1_000L, nanos)));
            if (i % 2 == 0) {
                recorder.record(nanos); // a hot path's recorder, added at the end
            } else {
                stats.record(nanos);
            }
        }
        stats.add(recorder);
        assertEquals(200_000, stats.count());
        for (double p : new double[] {10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100}) {
            double want = exact.getValueAtPercentile(p) / 1e9;
            assertEquals(want, stats.percentileSec(p), toleranceSec(want), "p" + p);
        }
    }

    @Test
    void percentilesOfLatenciesSpreadOverEveryPowerOfTwo() {
        Random random = new Random(7);
        Stats.Recorder recorder = new Stats.Recorder();
        Histogram exact = new Histogram(1_000L, 60_000_000_000L, 3);
        for (int i = 0; i < 100_000; i++) {
            long nanos = (long) Math.pow(2, 8 + random.nextDouble() * 29); // 256 ns to 2^37 ns, log-uniform
            exact.recordValue(Math.min(60_000_000_000L, Math.max(1_000L, nanos)));
            recorder.record(nanos);
        }
        Stats stats = new Stats();
        stats.add(recorder);
        for (int p = 1; p <= 100; p++) {
            double want = exact.getValueAtPercentile(p) / 1e9;
            assertEquals(want, stats.percentileSec(p), toleranceSec(want), "p" + p);
        }
    }

    @Test
    void fastestAndSlowestAreExact() {
        Stats stats = new Stats();
        stats.record(1_234_567);
        stats.record(1_500_000_000L);
        stats.record(-5); // a clock step: counted as 0
        assertEquals(0, stats.fastestSec());
        assertEquals(1.5, stats.slowestSec());
        assertEquals((1_234_567 + 1_500_000_000L) / 3e9, stats.averageSec(), 1e-12);
    }
}
