package io.vetcd.bench.jmh;

import com.google.protobuf.ByteString;
import io.vetcd.core.mvcc.WriteTxn;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.DeleteRangeResponse;
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
 * Delete of one existing key (a DeleteRange with no range_end) in a store of {@code keys} keys, as the
 * writer applies it: {@code checkDelete}, {@code KvCommands.deleteRange}, {@code publish()}.
 *
 * <p>A delete can only happen once per key, so one invocation deletes a fixed batch of {@value #BATCH}
 * distinct random keys, timed as one shot and reported per delete; after each iteration the keys are
 * put back and the store compacted (untimed), so every batch starts from {@code keys} live keys with
 * one version each. Values are left out as a parameter (a delete never reads the value; 16 B used).
 *
 * <p>Run (from the repository root):
 * <pre>
 * java -jar bench/target/jmh-benchmarks.jar DeleteBenchmark -prof gc -rf json -rff perf-reports/jmh/delete.json
 * </pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 10)
@Measurement(iterations = 20)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx3g"})
@State(Scope.Benchmark)
public class DeleteBenchmark extends Fixtures.LoadedStore {
    static final int BATCH = 10_000;

    @Param({"10000", "1000000"})
    public int keys;

    private ByteString[] batchKeys;
    private DeleteRangeRequest[] batch;

    @Setup(Level.Trial)
    public void setup() {
        loadStore(keys, 16);
        int[] at = Fixtures.distinctIndexes(Math.min(BATCH, keys), keys, 6);
        batchKeys = new ByteString[BATCH];
        batch = new DeleteRangeRequest[BATCH];
        for (int i = 0; i < BATCH; i++) {
            batchKeys[i] = Fixtures.key(at[i]);
            batch[i] = DeleteRangeRequest.newBuilder().setKey(batchKeys[i]).build();
        }
    }

    @TearDown(Level.Iteration)
    public void restore() {
        for (int i = 0; i < BATCH; i++) {
            WriteTxn txn = store.beginWrite();
            txn.put(batchKeys[i], vals[i % vals.length], 0);
            txn.end();
        }
        store.publish();
        store.compact(store.revision());
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void deleteOneKey(Blackhole bh) {
        for (DeleteRangeRequest r : batch) {
            kv.checkDelete(r);
            DeleteRangeResponse resp = kv.deleteRange(store, r);
            store.publish();
            if (resp.getDeleted() != 1) {
                throw new IllegalStateException("deleted " + resp.getDeleted());
            }
            bh.consume(resp);
        }
    }
}
