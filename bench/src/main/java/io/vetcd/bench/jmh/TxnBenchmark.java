package io.vetcd.bench.jmh;

import com.google.protobuf.ByteString;
import io.vetcd.proto.etcdserverpb.Compare;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import io.vetcd.proto.etcdserverpb.TxnResponse;
import java.util.SplittableRandom;
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
 * A 4-op write txn over existing keys, as the writer applies it ({@code checkTxn}, {@code KvCommands.txn},
 * {@code publish()}; a batch of one, no queue hand-off). Two shapes, each over 4 distinct random keys:
 * <ul>
 *   <li>{@code compareAnd3Puts}: {@code if version(a) > 0 then put b, put c, put d} (always succeeds);</li>
 *   <li>{@code twoPutsTwoRanges}: {@code put a, put b, range c, range d} (no compare).</li>
 * </ul>
 * Each iteration ends with an untimed compaction at the current revision (trims the added versions).
 *
 * <p>Run (from the repository root):
 * <pre>
 * java -jar bench/target/jmh-benchmarks.jar TxnBenchmark -f 1 -wi 3 -w 2s -i 3 -r 2s -prof gc -rf json -rff perf-reports/jmh/txn.json
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx3g"})
@State(Scope.Benchmark)
public class TxnBenchmark extends Fixtures.LoadedStore {
    private static final int POOL = 1 << 14;

    @Param({"10000", "1000000"})
    public int keys;

    @Param({"16", "256", "4096"})
    public int values;

    private TxnRequest[] compareAnd3Puts;
    private TxnRequest[] twoPutsTwoRanges;
    private int next;

    @Setup(Level.Trial)
    public void setup() {
        loadStore(keys, values);
        SplittableRandom rnd = new SplittableRandom(4);
        compareAnd3Puts = new TxnRequest[POOL];
        twoPutsTwoRanges = new TxnRequest[POOL];
        for (int i = 0; i < POOL; i++) {
            ByteString[] k = distinctKeys(rnd, 4);
            compareAnd3Puts[i] = TxnRequest.newBuilder()
                    .addCompare(Compare.newBuilder().setKey(k[0]).setTarget(Compare.CompareTarget.VERSION)
                            .setResult(Compare.CompareResult.GREATER).setVersion(0))
                    .addSuccess(put(k[1], vals[i % vals.length]))
                    .addSuccess(put(k[2], vals[(i + 1) % vals.length]))
                    .addSuccess(put(k[3], vals[(i + 2) % vals.length]))
                    .build();
            twoPutsTwoRanges[i] = TxnRequest.newBuilder()
                    .addSuccess(put(k[0], vals[i % vals.length]))
                    .addSuccess(put(k[1], vals[(i + 1) % vals.length]))
                    .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(k[2])))
                    .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(k[3])))
                    .build();
        }
    }

    private ByteString[] distinctKeys(SplittableRandom rnd, int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            boolean dup;
            do {
                idx[i] = rnd.nextInt(keys);
                dup = false;
                for (int j = 0; j < i; j++) {
                    dup |= idx[j] == idx[i];
                }
            } while (dup);
        }
        ByteString[] out = new ByteString[n];
        for (int i = 0; i < n; i++) {
            out[i] = Fixtures.key(idx[i]);
        }
        return out;
    }

    private static RequestOp put(ByteString key, ByteString value) {
        return RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key).setValue(value)).build();
    }

    @TearDown(Level.Iteration)
    public void trimHistory() {
        store.compact(store.revision());
    }

    private TxnResponse apply(TxnRequest r) {
        if (kv.checkTxn(r, store.backendSizeInUse())) {
            throw new IllegalStateException("expected a write txn");
        }
        TxnResponse resp = kv.txn(store, r);
        store.publish();
        return resp;
    }

    @Benchmark
    public TxnResponse compareAnd3Puts() {
        return apply(compareAnd3Puts[next++ & (POOL - 1)]);
    }

    @Benchmark
    public TxnResponse twoPutsTwoRanges() {
        return apply(twoPutsTwoRanges[next++ & (POOL - 1)]);
    }
}
