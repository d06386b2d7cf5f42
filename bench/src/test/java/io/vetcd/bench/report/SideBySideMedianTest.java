package io.vetcd.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** side-by-side keeps each server's median run, whole (its latencies go with its req/s). */
class SideBySideMedianTest {
    private static Measurement run(double reqPerSec, double p99Ms) {
        return new Measurement(reqPerSec, 0, 1, 2, p99Ms, 4);
    }

    @Test
    void theMiddleRunByThroughputIsKeptWithItsOwnLatencies() {
        Measurement slow = run(9_000, 30);
        Measurement middle = run(12_000, 20);
        Measurement fast = run(15_000, 10);
        assertEquals(middle, SideBySideCommand.median(List.of(fast, slow, middle)));
    }

    @Test
    void anEvenCountKeepsTheLowerMiddleRun() {
        Measurement a = run(1, 1);
        Measurement b = run(2, 1);
        Measurement c = run(3, 1);
        Measurement d = run(4, 1);
        assertEquals(b, SideBySideCommand.median(List.of(d, c, b, a)));
        assertEquals(a, SideBySideCommand.median(List.of(a)));
    }
}
