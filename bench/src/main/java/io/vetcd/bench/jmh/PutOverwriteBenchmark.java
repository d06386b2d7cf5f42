package io.vetcd.bench.jmh;

import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.PutResponse;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Put over an <em>existing</em> key (a new version of one of {@code keys} keys, chosen at random), as
 * the writer applies it: {@code checkPut}, {@code KvCommands.put}, {@code publish()} - a batch of one,
 * no queue hand-off. The key count stays fixed; each put adds a version, so every iteration ends with
 * a compaction at the current revision (untimed) that trims each history back to one version.
 *
 * <p>Requests: {@value Fixtures#REQUEST_POOL} pre-built puts over random keys of the whole key space, cycled.
 *
 * <p>Run (from the repository root):
 * <pre>
 * java -jar bench/target/jmh-benchmarks.jar PutOverwriteBenchmark -f 1 -wi 3 -w 2s -i 3 -r 2s -prof gc -rf json -rff perf-reports/jmh/put-overwrite.json
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx3g"})
@State(Scope.Benchmark)
public class PutOverwriteBenchmark extends Fixtures.LoadedStore {
    @Param({"10000", "1000000"})
    public int keys;

    @Param({"16", "256", "4096"})
    public int values;

    private PutRequest[] pool;
    private int next;

    @Setup(Level.Trial)
    public void setup() {
        loadStore(keys, values);
        int[] at = Fixtures.randomIndexes(Fixtures.REQUEST_POOL, keys, 3);
        pool = new PutRequest[at.length];
        for (int i = 0; i < at.length; i++) {
            pool[i] = PutRequest.newBuilder().setKey(Fixtures.key(at[i])).setValue(vals[(i + 7) % vals.length]).build();
        }
    }

    @TearDown(Level.Iteration)
    public void trimHistory() {
        store.compact(store.revision());
    }

    @Benchmark
    public PutResponse putExistingKey() {
        PutRequest r = pool[next++ & (Fixtures.REQUEST_POOL - 1)];
        kv.checkPut(r, store.backendSizeInUse());
        PutResponse resp = kv.put(store, r);
        store.publish();
        return resp;
    }
}
