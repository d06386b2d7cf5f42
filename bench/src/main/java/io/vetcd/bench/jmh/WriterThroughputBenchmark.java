package io.vetcd.bench.jmh;

import com.google.protobuf.ByteString;
import io.vetcd.core.KvStore;
import io.vetcd.proto.etcdserverpb.CompactionRequest;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.PutResponse;
import java.util.concurrent.CompletableFuture;
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
 * Single-key puts per second <em>through the writer</em>: {@code KvStore.put} futures, with 1, 256 or
 * 4096 in flight (submit that many, then join them all), reported per put. This is the whole in-memory
 * write path: caller-side checks, the {@code Applier} (the submitting thread applies the queue itself
 * when no other thread is writing: batches of up to 1024, one publish per batch) and future completion.
 * Target: at least 1M puts/s.
 *
 * <p>Puts overwrite random keys of a fixed key space of {@value #KEYS} keys; each iteration ends with
 * an untimed compaction (on the writer's background thread) that trims the added versions. With one
 * benchmark thread every put is applied on it, as an event loop applies the writes it reads.
 *
 * <p>Run (from the repository root):
 * <pre>
 * java -jar bench/target/jmh-benchmarks.jar WriterThroughputBenchmark -f 1 -wi 3 -w 2s -i 3 -r 2s -prof gc -rf json -rff perf-reports/jmh/writer-throughput.json
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx3g"})
@State(Scope.Benchmark)
public class WriterThroughputBenchmark {
    static final int KEYS = 10_000;

    @Param({"16", "256", "4096"})
    public int values;

    private KvStore store;
    private PutRequest[] pool;
    private int next;
    @SuppressWarnings("unchecked")
    private final CompletableFuture<PutResponse>[] inFlight = new CompletableFuture[4096];

    @Setup(Level.Trial)
    public void setup() {
        store = Fixtures.kvStore();
        ByteString[] vals = Fixtures.values(values, 1);
        Fixtures.load(store, KEYS, vals);
        int[] at = Fixtures.randomIndexes(Fixtures.REQUEST_POOL, KEYS, 7);
        pool = new PutRequest[at.length];
        for (int i = 0; i < at.length; i++) {
            pool[i] = PutRequest.newBuilder().setKey(Fixtures.key(at[i])).setValue(vals[(i + 3) % vals.length]).build();
        }
    }

    @TearDown(Level.Iteration)
    public void trimHistory() {
        store.compact(CompactionRequest.newBuilder().setRevision(store.revision()).build()).join();
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
    }

    private void putMany(int n, Blackhole bh) {
        for (int i = 0; i < n; i++) {
            inFlight[i] = store.put(pool[next++ & (Fixtures.REQUEST_POOL - 1)]);
        }
        for (int i = 0; i < n; i++) {
            bh.consume(inFlight[i].join());
        }
    }

    /** One put at a time: submit, wait, repeat (the round trip through the writer). */
    @Benchmark
    public PutResponse inFlight1() {
        return store.put(pool[next++ & (Fixtures.REQUEST_POOL - 1)]).join();
    }

    @Benchmark
    @OperationsPerInvocation(256)
    public void inFlight256(Blackhole bh) {
        putMany(256, bh);
    }

    @Benchmark
    @OperationsPerInvocation(4096)
    public void inFlight4096(Blackhole bh) {
        putMany(4096, bh);
    }
}
