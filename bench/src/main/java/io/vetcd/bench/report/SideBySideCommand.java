package io.vetcd.bench.report;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vetcd-bench side-by-side}: starts vetcd, a real etcd (data dir on tmpfs) and the floor server,
 * runs the same workloads against each with this jar's load tool, and writes one {@link PerfReport}.
 *
 * <pre>
 *   java -jar bench/target/vetcd-bench.jar side-by-side --vetcd-jar server-vertx/target/vetcd.jar \
 *       --quick --out perf-reports/runs/ci.json
 * </pre>
 * The range workloads read one key ({@code foo}, absent on every server, as the floor's canned answer
 * carries no value either). The floor only answers Put and Range, so txn workloads have no floor figure. Servers are started
 * once, warmed up ({@link #WARM_UP}), then measured in turn, etcd first, {@code --repeat} times per workload,
 * so all three see the same machine; each server's median run goes into the report.
 */
@Command(name = "side-by-side", mixinStandardHelpOptions = true,
        description = "Measure vetcd, etcd and the floor with the same workloads in one run; write a perf report.")
public final class SideBySideCommand implements Callable<Integer> {
    /** A workload: its report name, whether the floor can serve it, and the load-tool arguments. */
    record Spec(String name, boolean floor, List<String> args) {
        Spec(String name, boolean floor, String args) {
            this(name, floor, Arrays.asList(args.split(" ")));
        }
    }

    /** Short enough for CI (well under 5 minutes on 2 cores with all three servers). */
    static final List<Spec> QUICK = List.of(
            new Spec("put-1x1", true, "--conns 1 --clients 1 put --total 3000 --key-size 8 --val-size 256"),
            new Spec("put-10x100", true,
                    "--conns 10 --clients 100 put --total 60000 --key-size 8 --val-size 256 --key-space-size 100000"),
            new Spec("range-l-10x100", true, "--conns 10 --clients 100 range foo --total 60000 --consistency l"),
            new Spec("range-s-10x100", true, "--conns 10 --clients 100 range foo --total 60000 --consistency s"));

    /**
     * Run against every server before anything is measured, results dropped: the JVM servers reach their
     * compiled code (vetcd ~2x faster after ~50k requests) and etcd's allocator its steady state. The
     * one-client puts warm what 100 clients do not: with one request in flight a write takes other
     * branches (a batch of one, an event loop that sleeps between requests), and without them vetcd spent
     * ~2 s of its 3,000-put run compiling (650 µs of CPU per put against 50 µs once compiled), which put
     * the CI's put-1x1 ratio anywhere from 0.72 to 0.99 of the floor's for the same code.
     */
    static final List<Spec> WARM_UP = List.of(
            new Spec("warm-up-put", true,
                    "--conns 10 --clients 100 put --total 50000 --key-size 8 --val-size 256 --key-space-size 100000"),
            new Spec("warm-up-put-1x1", true, "--conns 1 --clients 1 put --total 6000 --key-size 8 --val-size 256"),
            new Spec("warm-up-range", true, "--conns 10 --clients 100 range foo --total 30000 --consistency s"));

    /** The figures the bench issue asks for, at etcd's published sizes. */
    static final List<Spec> FULL = List.of(
            new Spec("put-1x1", true, "--conns 1 --clients 1 put --total 10000 --key-size 8 --val-size 256"),
            new Spec("put-10x100", true,
                    "--conns 10 --clients 100 put --total 200000 --key-size 8 --val-size 256 --key-space-size 100000"),
            new Spec("put-100x1000", true,
                    "--conns 100 --clients 1000 put --total 200000 --key-size 8 --val-size 256 --key-space-size 100000"),
            new Spec("range-l-10x100", true, "--conns 10 --clients 100 range foo --total 200000 --consistency l"),
            new Spec("range-s-10x100", true, "--conns 10 --clients 100 range foo --total 200000 --consistency s"),
            new Spec("txn-put-10x100", false,
                    "--conns 10 --clients 100 txn-put --total 100000 --key-size 8 --val-size 256 --txn-ops 4 --key-space-size 100000"));

    @Option(names = "--vetcd-jar", description = "the server jar (default: ${DEFAULT-VALUE})")
    Path vetcdJar = Path.of("server-vertx/target/vetcd.jar");

    @Option(names = "--etcd", description = "the etcd binary (default: ${DEFAULT-VALUE})")
    Path etcd = Path.of("/usr/bin/etcd");

    @Option(names = "--quick", description = "the short CI set instead of the full one")
    boolean quick;

    @Option(names = "--repeat", description = "runs of each workload per server, interleaved; the report keeps "
            + "each server's median run by req/s (default: ${DEFAULT-VALUE})")
    int repeat = 3;

    @Option(names = "--vetcd-storage", description = "where vetcd keeps its data: MEMORY (--in-memory), TMPFS "
            + "(a data dir on /dev/shm, like etcd's in this run) or DISK (default: ${DEFAULT-VALUE})")
    ServerProcess.Storage vetcdStorage = ServerProcess.Storage.TMPFS;

    @Option(names = "--out", required = true, description = "where to write the report (JSON)")
    Path out;

    @Option(names = "--commit", description = "the commit measured (default: git rev-parse --short HEAD)")
    String commit;

    @Override
    public Integer call() throws Exception {
        Path benchJar = Path.of(SideBySideCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Workload> workloads = new ArrayList<>();
        try (ServerProcess etcdServer = ServerProcess.etcd(etcd);
             ServerProcess vetcdServer = ServerProcess.vetcd(vetcdJar, vetcdStorage);
             ServerProcess floorServer = ServerProcess.floor(benchJar)) {
            for (Spec spec : WARM_UP) {
                for (ServerProcess s : List.of(etcdServer, vetcdServer, floorServer)) {
                    measure(benchJar, s, spec);
                }
            }
            for (Spec spec : quick ? QUICK : FULL) {
                List<ServerProcess> servers = spec.floor()
                        ? List.of(etcdServer, vetcdServer, floorServer) : List.of(etcdServer, vetcdServer);
                Map<String, List<Measurement>> runs = new LinkedHashMap<>();
                for (int r = 0; r < Math.max(1, repeat); r++) {
                    for (ServerProcess s : servers) {
                        runs.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(measure(benchJar, s, spec));
                    }
                }
                Map<String, Measurement> measured = new LinkedHashMap<>();
                runs.forEach((server, list) -> measured.put(server, median(list)));
                Workload w = new Workload(spec.name(), String.join(" ", spec.args()), measured);
                System.err.printf("%-16s vetcd/etcd %.2f  vetcd/floor %.2f%n", w.name(), w.ratioToEtcd(),
                        w.ratioToFloor());
                workloads.add(w);
            }
        }
        PerfReport report = new PerfReport(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                commit != null ? commit : gitCommit(), "vetcd-bench", PerfReport.Machine.current(),
                vetcdStorage.label(), workloads);
        report.write(out);
        System.out.println("wrote " + out);
        return 0;
    }

    /** The run with the median req/s (the lower middle one for an even count), latencies and all. */
    static Measurement median(List<Measurement> runs) {
        List<Measurement> sorted = new ArrayList<>(runs);
        sorted.sort(java.util.Comparator.comparingDouble(Measurement::reqPerSec));
        return sorted.get((sorted.size() - 1) / 2);
    }

    private static Measurement measure(Path benchJar, ServerProcess server, Spec spec)
            throws IOException, InterruptedException {
        Path json = Files.createTempFile("vetcd-bench-", ".json");
        try {
            run(benchJar, server, spec.args(), json);
            return Measurement.fromJson(new JsonObject(Files.readString(json)));
        } finally {
            Files.deleteIfExists(json);
        }
    }

    /** Runs this jar's load tool against {@code server}; {@code json} receives its figures. */
    private static void run(Path benchJar, ServerProcess server, List<String> args, Path json)
            throws IOException, InterruptedException {
        // C1 only and the parallel collector: on 2 cores, C2 compiling would take a core from the servers
        // for the first seconds of every short run (perf-reports/load/README.md measured 3x).
        List<String> command = new ArrayList<>(List.of(ServerProcess.java(), "-XX:TieredStopAtLevel=1",
                "-XX:+UseParallelGC", "-jar", benchJar.toString(), "--endpoints", server.endpoint(), "--no-progress"));
        command.addAll(args);
        command.addAll(List.of("--json", json.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("load tool timed out: " + command);
        }
        if (p.exitValue() != 0) {
            throw new IOException("load tool failed (" + p.exitValue() + "): " + command);
        }
    }

    private static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").start();
            String sha = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 && !sha.isEmpty() ? sha : "unknown";
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }
}
