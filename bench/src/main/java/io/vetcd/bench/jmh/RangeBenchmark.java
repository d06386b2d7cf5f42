package io.vetcd.bench.jmh;

import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RangeResponse;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Range over {@code span} consecutive keys (1 = the single-key path, no range_end) starting at a
 * random key, in a store of {@code keys} keys where every key has two versions, read the way
 * {@code KvStore.range} reads: {@code KvCommands.range(store.readView(), request)} on the caller's thread.
 * <ul>
 *   <li>{@code rangeCurrent}: at the current revision (each key's newest version, the head of its history);</li>
 *   <li>{@code rangePast}: at the revision before every key was overwritten (one step down each history).</li>
 * </ul>
 * Values are left out as a parameter: the core returns values by reference and copies no bytes, so
 * value size does not change its work (16-byte values are used).
 *
 * <p>Run (from the repository root):
 * <pre>
 * java -jar bench/target/jmh-benchmarks.jar RangeBenchmark -f 1 -wi 3 -w 2s -i 3 -r 2s -prof gc -rf json -rff perf-reports/jmh/range.json
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx3g"})
@State(Scope.Benchmark)
public class RangeBenchmark extends Fixtures.LoadedStore {
    private static final int POOL = 1 << 12;

    @Param({"10000", "1000000"})
    public int keys;

    @Param({"1", "100", "10000"})
    public int span;

    private RangeRequest[] current;
    private RangeRequest[] past;
    private int next;

    @Setup(Level.Trial)
    public void setup() {
        loadStore(keys, 16);
        long pastRevision = store.revision();
        Fixtures.overwriteAll(store, keys, vals);
        int[] start = Fixtures.randomIndexes(POOL, keys - span + 1, 5);
        current = new RangeRequest[POOL];
        past = new RangeRequest[POOL];
        for (int i = 0; i < POOL; i++) {
            RangeRequest.Builder b = RangeRequest.newBuilder().setKey(Fixtures.key(start[i]));
            if (span > 1) {
                b.setRangeEnd(Fixtures.key(start[i] + span));
            }
            current[i] = b.build();
            past[i] = b.setRevision(pastRevision).build();
        }
        // sanity: the ranges really return span keys
        RangeResponse r = kv.range(store.readView(), past[0]);
        if (r.getKvsCount() != span || r.getKvs(0).getModRevision() > pastRevision) {
            throw new IllegalStateException("bad fixture: " + r.getKvsCount());
        }
    }

    @Benchmark
    public RangeResponse rangeCurrent() {
        return kv.range(store.readView(), current[next++ & (POOL - 1)]);
    }

    @Benchmark
    public RangeResponse rangePast() {
        return kv.range(store.readView(), past[next++ & (POOL - 1)]);
    }
}
