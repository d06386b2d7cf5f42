package io.vetcd.bench.jmh;

import io.vetcd.core.KvStore;
import io.vetcd.proto.etcdserverpb.LeaseGrantRequest;
import io.vetcd.proto.etcdserverpb.LeaseRevokeRequest;
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
 * The lessor without the network: keepalives per second ({@code KvStore.leaseKeepAlive}, in memory,
 * lock-free; over {@code leases} granted leases, ids picked round-robin per thread, 1 and 2 threads)
 * and grant+revoke pairs per second through the writer (a lease without keys: no revision).
 *
 * <p>Run (from the repository root, after {@code mvn -q -B package -DskipTests}):
 * <pre>
 * java -jar bench/target/jmh-benchmarks.jar LessorBenchmark -f 1 -wi 2 -w 2s -i 3 -r 2s -prof gc -rf json -rff perf-reports/jmh/lessor.json
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx2g"})
@State(Scope.Benchmark)
public class LessorBenchmark {
    @Param({"1000", "100000"})
    public int leases;

    private KvStore store;
    private long[] ids;

    @Setup(Level.Trial)
    public void setUp() {
        store = Fixtures.kvStore();
        ids = new long[leases];
        for (int i = 0; i < leases; i++) {
            // an hour: nothing expires while the benchmark runs
            ids[i] = store.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(3600).build()).join().getID();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
    }

    /** Per-thread cursor over the granted ids. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Benchmark
    @Threads(1)
    public long keepAlive(Cursor c) {
        return keepAliveNext(c);
    }

    @Benchmark
    @Threads(2)
    public long keepAlive2Threads(Cursor c) {
        return keepAliveNext(c);
    }

    private long keepAliveNext(Cursor c) {
        int i = c.next;
        c.next = i + 1 == ids.length ? 0 : i + 1;
        return store.leaseKeepAlive(ids[i]).getTTL();
    }

    /** A grant (fresh id) and its revoke, both through the writer. */
    @Benchmark
    public long grantAndRevoke() {
        long id = store.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build()).join().getID();
        return store.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(id).build()).join().getHeader().getRevision();
    }
}
