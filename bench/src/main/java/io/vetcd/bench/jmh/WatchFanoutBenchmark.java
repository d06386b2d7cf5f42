package io.vetcd.bench.jmh;

import com.google.protobuf.ByteString;
import io.vetcd.core.KvStore;
import io.vetcd.core.watch.WatchSink;
import io.vetcd.core.watch.WatchSpec;
import io.vetcd.proto.etcdserverpb.CompactionRequest;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.PutResponse;
import io.vetcd.proto.mvccpb.Event;
import java.util.List;
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

/**
 * Writer throughput with watchers: {@code KvStore.put} futures, 256 in flight, over a space of
 * {@value #KEYS} keys, with 0 or 10,000 watchers, each on one random key of that space (so a put
 * matches one watcher on average and its event is handed to that watcher's sink on the writer's thread).
 * The watch issue's target: with 10k watchers, at least 80 % of the throughput with none.
 *
 * <p>Run (from the repository root):
 * <pre>
 * java -jar bench/target/jmh-benchmarks.jar WatchFanoutBenchmark -f 1 -wi 2 -w 2s -i 3 -r 2s -rf json -rff perf-reports/jmh/watch-fanout.json
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx3g"})
@State(Scope.Benchmark)
public class WatchFanoutBenchmark {
    static final int KEYS = 10_000;
    static final int IN_FLIGHT = 256;

    @Param({"0", "10000"})
    public int watchers;

    private KvStore store;
    private PutRequest[] pool;
    private int next;
    /** Events the sinks took: written by the writer (this benchmark's thread). */
    private long delivered;
    @SuppressWarnings("unchecked")
    private final CompletableFuture<PutResponse>[] inFlight = new CompletableFuture[IN_FLIGHT];

    @Setup(Level.Trial)
    public void setup() {
        store = Fixtures.kvStore();
        ByteString[] vals = Fixtures.values(256, 1);
        Fixtures.load(store, KEYS, vals);
        WatchSink sink = new WatchSink() {
            @Override
            public boolean events(List<Event> events, long revision) {
                delivered += events.size();
                return true;
            }

            @Override
            public void compacted(long compactRevision, long revision) {}
        };
        int[] watched = Fixtures.randomIndexes(Math.max(1, watchers), KEYS, 3);
        for (int i = 0; i < watchers; i++) {
            store.watch(new WatchSpec(Fixtures.key(watched[i]), ByteString.EMPTY, 0, false, false, false), sink).join();
        }
        int[] at = Fixtures.randomIndexes(Fixtures.REQUEST_POOL, KEYS, 7);
        pool = new PutRequest[at.length];
        for (int i = 0; i < at.length; i++) {
            pool[i] = PutRequest.newBuilder().setKey(Fixtures.key(at[i])).setValue(vals[0]).build();
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

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    public long puts() {
        for (int i = 0; i < IN_FLIGHT; i++) {
            inFlight[i] = store.put(pool[next++ & (Fixtures.REQUEST_POOL - 1)]);
        }
        for (CompletableFuture<PutResponse> f : inFlight) {
            f.join();
        }
        return delivered;
    }
}
