package io.vetcd.bench.jmh;

import io.vetcd.proto.etcdserverpb.CompactionRequest;
import io.vetcd.proto.etcdserverpb.CompactionResponse;
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
 * One compaction at the current revision of a store of {@code keys} keys in which every key has two
 * versions (so the compaction cuts one version off every history), as the writer applies it:
 * {@code KvCommands.compact}. Each iteration first overwrites every key (untimed), then times one
 * compaction. Reported as milliseconds per compaction.
 *
 * <p>Run (from the repository root):
 * <pre>
 * java -jar bench/target/jmh-benchmarks.jar CompactionBenchmark -prof gc -rf json -rff perf-reports/jmh/compaction.json
 * </pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 6)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx3g"})
@State(Scope.Benchmark)
public class CompactionBenchmark extends Fixtures.LoadedStore {
    @Param({"10000", "1000000"})
    public int keys;


    @Setup(Level.Trial)
    public void setup() {
        loadStore(keys, 16);
    }

    /** Every key gets a second version: the timed compaction will cut the first. */
    @Setup(Level.Iteration)
    public void addVersions() {
        Fixtures.overwriteAll(store, keys, vals);
    }

    @Benchmark
    public CompactionResponse compactAll() {
        return kv.compact(store, CompactionRequest.newBuilder().setRevision(store.revision()).build());
    }
}
