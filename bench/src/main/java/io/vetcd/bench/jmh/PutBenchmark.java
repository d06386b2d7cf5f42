package io.vetcd.bench.jmh;

import com.google.protobuf.ByteString;
import io.vetcd.proto.etcdserverpb.PutRequest;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Put of a <em>new</em> key into a store already holding {@code keys} keys (etcd's
 * {@code BenchmarkStorePut}), as the writer thread applies it: {@code KvCommands.checkPut} (what
 * {@code KvStore.put} runs on the caller), {@code KvCommands.put}, then {@code MvccStore.publish()} - a
 * group-commit batch of one, without the queue hand-off (see {@link WriterThroughputBenchmark} for that).
 *
 * <p>Store growth is bounded: one invocation puts a fixed batch of {@value #BATCH} new keys (each
 * sorting between two existing keys at a random place), timed as one shot and reported per put; after
 * each iteration the new keys are deleted and compacted away, so every batch starts from exactly
 * {@code keys} keys (and ends at {@code keys + BATCH}).
 *
 * <p>Run (from the repository root):
 * <pre>
 * java -jar bench/target/jmh-benchmarks.jar PutBenchmark -prof gc -rf json -rff perf-reports/jmh/put.json
 * java -jar bench/target/jmh-benchmarks.jar PutBenchmark -p keys=10000 -p values=256
 * </pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 10)
@Measurement(iterations = 20)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx3g"})
@State(Scope.Benchmark)
public class PutBenchmark extends Fixtures.LoadedStore {
    static final int BATCH = 10_000;

    @Param({"10000", "1000000"})
    public int keys;

    @Param({"16", "256", "4096"})
    public int values;

    private PutRequest[] batch;
    private ByteString[] batchKeys;

    @Setup(Level.Trial)
    public void setup() {
        loadStore(keys, values);
        int[] at = Fixtures.distinctIndexes(BATCH, keys, 2);
        batch = new PutRequest[BATCH];
        batchKeys = new ByteString[BATCH];
        for (int i = 0; i < BATCH; i++) {
            batchKeys[i] = Fixtures.newKey(at[i]);
            batch[i] = PutRequest.newBuilder().setKey(batchKeys[i]).setValue(vals[i % vals.length]).build();
        }
    }

    /** Removes this iteration's new keys from the index: delete, then compact at the current revision. */
    @TearDown(Level.Iteration)
    public void restore() {
        Fixtures.deleteKeys(store, batchKeys);
        store.compact(store.revision());
        if (store.retainedKeys() != keys) {
            throw new IllegalStateException("store not restored: " + store.retainedKeys() + " keys");
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void putNewKey(Blackhole bh) {
        for (PutRequest r : batch) {
            kv.checkPut(r, store.backendSizeInUse());
            bh.consume(kv.put(store, r));
            store.publish();
        }
    }
}
