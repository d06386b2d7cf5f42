package io.vetcd.bench.jmh;

import com.google.protobuf.ByteString;
import io.vetcd.core.KvStore;
import io.vetcd.core.mvcc.KeyRange;
import io.vetcd.core.mvcc.MvccStore;
import io.vetcd.core.mvcc.RangeResult;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-key reads per second per thread: {@code KvStore.range} of one existing key (random over the
 * whole key space; {@value Fixtures#REQUEST_POOL} pre-built requests cycled per thread), on 1 and on 2
 * threads ({@code rangeOneKey2Threads}: JMH reports the sum over both threads). Target: at least 5M
 * reads/s per thread. {@code mvccRangeOneKey} reads the same kind of key one level down
 * ({@code MvccStore.readView().range(KeyRange, ...)}, pre-built {@code KeyRange}s, its own identical
 * store), to show what the request checks and protobuf response building around it cost.
 *
 * <p>Run (from the repository root):
 * <pre>
 * java -jar bench/target/jmh-benchmarks.jar ReadThroughputBenchmark -f 1 -wi 3 -w 2s -i 3 -r 2s -prof gc -rf json -rff perf-reports/jmh/read-throughput.json
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx3g"})
public class ReadThroughputBenchmark {

    @State(Scope.Benchmark)
    public static class Stores {
        @Param({"10000", "1000000"})
        public int keys;

        KvStore kvStore;
        MvccStore mvcc;
        RangeRequest[] requests;
        KeyRange[] ranges;

        @Setup(Level.Trial)
        public void setup() {
            ByteString[] vals = Fixtures.values(16, 1);
            kvStore = Fixtures.kvStore();
            Fixtures.load(kvStore, keys, vals);
            mvcc = new MvccStore();
            Fixtures.load(mvcc, keys, vals);
            int[] at = Fixtures.randomIndexes(Fixtures.REQUEST_POOL, keys, 8);
            requests = new RangeRequest[at.length];
            ranges = new KeyRange[at.length];
            for (int i = 0; i < at.length; i++) {
                ByteString key = Fixtures.key(at[i]);
                requests[i] = RangeRequest.newBuilder().setKey(key).build();
                ranges[i] = KeyRange.single(key);
            }
            if (kvStore.range(requests[0]).getKvsCount() != 1) {
                throw new IllegalStateException("bad fixture");
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            kvStore.close();
        }
    }

    /** Each thread walks the request pool from its own starting point. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        @Setup(Level.Trial)
        public void setup() {
            next = (int) (Thread.currentThread().getId() * 7919);
        }

        int next() {
            return next++ & (Fixtures.REQUEST_POOL - 1);
        }
    }

    @Benchmark
    @Threads(1)
    public RangeResponse rangeOneKey(Stores s, Cursor c) {
        return s.kvStore.range(s.requests[c.next()]);
    }

    @Benchmark
    @Threads(2)
    public RangeResponse rangeOneKey2Threads(Stores s, Cursor c) {
        return s.kvStore.range(s.requests[c.next()]);
    }

    @Benchmark
    @Threads(1)
    public RangeResult mvccRangeOneKey(Stores s, Cursor c) {
        return s.mvcc.readView().range(s.ranges[c.next()], 0, 0, false);
    }
}
