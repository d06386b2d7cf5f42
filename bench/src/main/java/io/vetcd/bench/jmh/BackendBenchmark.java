package io.vetcd.bench.jmh;

import com.google.protobuf.ByteString;
import io.vetcd.core.backend.BackendMeta;
import io.vetcd.core.backend.ChronicleBackend;
import io.vetcd.core.backend.StoredVersion;
import io.vetcd.proto.mvccpb.KeyValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * The persistence backend alone ({@link ChronicleBackend}, memory-mapped Chronicle Map files), as the
 * writer drives it: {@code put} per change and one {@code commit} per group-commit batch.
 *
 * <ul>
 *   <li>{@code putAndCommit}: one invocation puts {@value #PUTS} new versions (new revisions, values of
 *       {@code values} bytes) into a store already holding {@value #STORED} versions, committing after
 *       every {@code batch} puts ({@link Batch}); timed as one shot and reported per put. After each
 *       iteration the new versions are removed again, so every iteration starts from the same store.
 *   <li>{@code load}: open, load (replaying into a blackhole) and close a store holding {@value #STORED}
 *       versions: what a restart costs before the server can answer, minus class loading.
 * </ul>
 * The files live under {@code /dev/shm} when it exists (else {@code java.io.tmpdir}) and are deleted at
 * the end of the trial. The fork gets Chronicle's {@code --add-opens}/{@code --add-exports}.
 *
 * <p>Run (from the repository root):
 * <pre>
 * java -jar bench/target/jmh-benchmarks.jar BackendBenchmark -rf json -rff perf-reports/jmh/backend.json
 * java -jar bench/target/jmh-benchmarks.jar BackendBenchmark.putAndCommit -p values=256 -p batch=1
 * </pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx2g",
        "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class BackendBenchmark {
    static final int PUTS = 65_536;
    static final int STORED = 100_000;
    static final long QUOTA = 8L << 30;

    @Param({"16", "256", "4096"})
    public int values;

    /** Puts per commit (etcd's group commit takes up to 1024 requests a batch); only putAndCommit uses it. */
    @State(Scope.Benchmark)
    public static class Batch {
        @Param({"1", "256"})
        public int batch;
    }

    private Path dataDir;
    private ChronicleBackend backend;
    private StoredVersion[] stored;
    private StoredVersion[] fresh;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        Path shm = Path.of("/dev/shm");
        dataDir = Files.createTempDirectory(Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")),
                "vetcd-backend-bench-");
        ByteString[] vals = Fixtures.values(values, 1);
        stored = new StoredVersion[STORED];
        for (int i = 0; i < STORED; i++) {
            stored[i] = version(2 + i, i, vals);
        }
        fresh = new StoredVersion[PUTS];
        for (int i = 0; i < PUTS; i++) {
            fresh[i] = version(2 + STORED + i, STORED + i, vals);
        }
        backend = ChronicleBackend.open(dataDir, QUOTA);
        backend.load(v -> {});
        for (StoredVersion v : stored) {
            backend.put(v);
        }
        backend.commit(new BackendMeta(1 + STORED, -1, false));
    }

    /** Removes this iteration's new versions: the next one starts from {@value #STORED} versions again. */
    @TearDown(Level.Iteration)
    public void restore() {
        for (StoredVersion v : fresh) {
            backend.remove(v);
        }
        backend.commit(new BackendMeta(1 + STORED, -1, false));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        backend.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @Benchmark
    @OperationsPerInvocation(PUTS)
    public void putAndCommit(Batch b) {
        for (int i = 0; i < PUTS; i++) {
            backend.put(fresh[i]);
            if ((i + 1) % b.batch == 0) {
                backend.commit(new BackendMeta(fresh[i].main(), -1, false));
            }
        }
    }

    /** Reported per load of the whole store. */
    @Benchmark
    public BackendMeta load(Blackhole bh) {
        backend.close();
        backend = ChronicleBackend.open(dataDir, QUOTA);
        return backend.load(bh::consume);
    }

    /** Key {@code i} of {@link Fixtures#key} written at revision {@code main}, as the MVCC layer stores it. */
    private static StoredVersion version(long main, int i, ByteString[] vals) {
        KeyValue kv = KeyValue.newBuilder().setKey(Fixtures.key(i)).setValue(vals[i % vals.length])
                .setCreateRevision(main).setModRevision(main).setVersion(1).build();
        return new StoredVersion(main, 0, kv, false);
    }
}
