package io.vetcd.bench.load;

import io.vetcd.bench.floor.FloorServer;
import io.vetcd.bench.report.CompareCommand;
import io.vetcd.bench.report.SideBySideCommand;
import io.vetcd.bench.report.SummaryCommand;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code vetcd-bench}: etcd's {@code tools/benchmark} (3.4, plus 3.5's txn-mixed) on the raw Vert.x gRPC
 * client. Same verbs, flag names and defaults, same report text; plus {@code --json FILE} and the
 * {@code floor} subcommand (a canned-answer KV server measuring the transport alone), and
 * {@code --warmup-runs N}.
 *
 * <pre>
 *   java -jar vetcd-bench.jar --endpoints 127.0.0.1:2379 --conns 10 --clients 100 \
 *       put --total 100000 --key-size 8 --val-size 256 --json put.json
 * </pre>
 * Global flags may come before or after the verb.
 */
@Command(name = "vetcd-bench", mixinStandardHelpOptions = true, version = "vetcd-bench 0.1.0",
        description = "A low-level benchmark tool for etcd3 servers (etcd's tools/benchmark, on the Vert.x gRPC client).",
        subcommands = {PutCmd.class, RangeCmd.class, TxnPutCmd.class, TxnMixedCmd.class, WatchCmd.class,
                WatchLatencyCmd.class, LeaseKeepaliveCmd.class, FloorServer.class, SideBySideCommand.class,
                CompareCommand.class, SummaryCommand.class})
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--endpoints", split = ",", defaultValue = "127.0.0.1:2379", scope = ScopeType.INHERIT,
            description = "gRPC endpoints (default [${DEFAULT-VALUE}])")
    List<String> endpoints = new ArrayList<>(List.of("127.0.0.1:2379"));

    @Option(names = "--conns", defaultValue = "1", scope = ScopeType.INHERIT,
            description = "Total number of gRPC connections (default ${DEFAULT-VALUE})")
    int conns = 1;

    @Option(names = "--clients", defaultValue = "1", scope = ScopeType.INHERIT,
            description = "Total number of gRPC clients (default ${DEFAULT-VALUE})")
    int clients = 1;

    @Option(names = "--dial-timeout", defaultValue = "0s", scope = ScopeType.INHERIT,
            description = "dial timeout for client connections (Go duration, e.g. 2s)")
    String dialTimeout = "0s";

    @Option(names = "--precise", scope = ScopeType.INHERIT, description = "use full floating point precision")
    boolean precise;

    @Option(names = "--sample", scope = ScopeType.INHERIT,
            description = "'true' to sample requests for every second (accepted; not implemented)")
    boolean sample;

    @Option(names = "--target-leader", scope = ScopeType.INHERIT,
            description = "connect only to the leader node (accepted; vetcd is a single member)")
    boolean targetLeader;

    @Option(names = "--json", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "also write the results machine-readably to FILE (vetcd-bench only)")
    Path json;

    @Option(names = "--no-progress", scope = ScopeType.INHERIT,
            description = "no progress bar on stderr (vetcd-bench only)")
    boolean noProgress;

    /**
     * etcd's tool is Go, compiled ahead; this one is compiled by the JIT while it runs. Where the tool's own
     * CPU decides the figure (the watch fan-out shares 2 cores with the server), a fresh JVM measures its
     * compiler too. Worked example (2026-12-03, 10k watchers, 20M events a run, C2 on): the tool's CPU per
     * run, run after run in one JVM, 7.9, 4.8, 4.3, 3.5, 3.0, 2.7, 2.7, 2.5, 2.4 s; the first run's events/s
     * were less than half of the ninth's. The warm-up runs are the measured run itself, N times: same
     * flags, same server, nothing printed or written.
     */
    @Option(names = "--warmup-runs", defaultValue = "0", scope = ScopeType.INHERIT, paramLabel = "N",
            description = "first run the benchmark N times in this process, unreported, so that the measured"
                    + " run meets the tool's compiled code rather than its JIT (vetcd-bench only; default 0)")
    int warmupRuns;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public void run() {
        spec.commandLine().usage(out);
    }

    public static void main(String[] args) {
        System.setProperty("vertx.disableDnsResolver", "true");
        System.exit(newCommandLine(new BenchCommand()).execute(args));
    }

    /** Printed on stderr between the warm-up runs and the measured one. */
    static final String WARMED_UP = "vetcd-bench: warm-up runs done, the measured run starts";

    /** The tool's command line: a benchmark verb is run after {@code --warmup-runs} unreported runs of it. */
    static CommandLine newCommandLine(BenchCommand root) {
        CommandLine cl = commandLine(root);
        cl.setExecutionStrategy(parsed -> {
            if (root.warmupRuns != 0 && !helpRequested(parsed)) {
                if (root.warmupRuns < 0) {
                    throw new CommandLine.ParameterException(cl, "--warmup-runs must be >= 0, got " + root.warmupRuns);
                }
                if (!parsed.hasSubcommand() || !(parsed.subcommand().commandSpec().userObject() instanceof Verb)) {
                    throw new CommandLine.ParameterException(cl, "--warmup-runs applies to the benchmark verbs only");
                }
                warmUp(root, parsed.originalArgs());
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        return cl;
    }

    private static CommandLine commandLine(BenchCommand root) {
        CommandLine cl = new CommandLine(root);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    private static boolean helpRequested(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.isUsageHelpRequested() || p.isVersionHelpRequested()) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code args} {@code --warmup-runs} times, each a command of its own: nothing printed, no JSON, no progress bar. */
    private static void warmUp(BenchCommand root, List<String> args) {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        PrintWriter nowhereWriter = new PrintWriter(nowhere);
        for (int i = 1; i <= root.warmupRuns; i++) {
            BenchCommand quiet = new BenchCommand();
            CommandLine cl = commandLine(quiet);
            cl.setOut(nowhereWriter);
            cl.setErr(nowhereWriter);
            cl.setExecutionStrategy(parsed -> {
                quiet.out = nowhere;
                quiet.err = nowhere;
                quiet.json = null;
                quiet.noProgress = true;
                return new CommandLine.RunLast().execute(parsed);
            });
            int code = cl.execute(args.toArray(String[]::new));
            if (code != 0) {
                root.err.println("warm-up run " + i + " of " + root.warmupRuns + " ended with exit code " + code);
            }
        }
        root.err.println(WARMED_UP); // scripts read this line (bench/scripts/lib-side-by-side.sh)
    }

    // ---- shared by the verbs ----

    void validateGlobals() {
        if (conns < 1 || clients < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--conns and --clients must be >= 1");
        }
        if (endpoints.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--endpoints is empty");
        }
    }

    Connections connect(int count) {
        validateGlobals();
        return new Connections(endpoints, count, goDuration(dialTimeout).toMillis());
    }

    Progress progress(long total) {
        return noProgress ? null : new Progress(total, err);
    }

    static void close(Progress p) {
        if (p != null) {
            p.close();
        }
    }

    /** A Go duration ("500ms", "2s", "1m30s", "0") as a Duration. */
    static Duration goDuration(String s) {
        String t = s.trim();
        if (t.isEmpty() || t.equals("0")) {
            return Duration.ZERO;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)").matcher(t);
        double nanos = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                throw new IllegalArgumentException("invalid duration " + s);
            }
            end = m.end();
            double v = Double.parseDouble(m.group(1));
            nanos += v * switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
        }
        if (end != t.length()) {
            throw new IllegalArgumentException("invalid duration " + s);
        }
        return Duration.ofNanos((long) nanos);
    }

    /** The flags as run: every global and verb option with its effective value. */
    Map<String, Object> flags(CommandSpec verb) {
        Map<String, Object> m = new LinkedHashMap<>();
        addOptions(m, spec, false);
        addOptions(m, verb, true);
        if (!verb.positionalParameters().isEmpty()) {
            List<Object> args = new ArrayList<>();
            for (CommandLine.Model.PositionalParamSpec p : verb.positionalParameters()) {
                Object v = p.getValue();
                if (v instanceof List<?> l) {
                    args.addAll(l);
                } else if (v != null) {
                    args.add(v);
                }
            }
            m.put("args", args);
        }
        return m;
    }

    private static void addOptions(Map<String, Object> m, CommandSpec s, boolean skipInherited) {
        for (OptionSpec o : s.options()) {
            if (o.usageHelp() || o.versionHelp() || (skipInherited && o.inherited())) {
                continue;
            }
            String name = o.longestName().replaceFirst("^-+", "");
            if (name.equals("json") || name.equals("no-progress")) {
                continue;
            }
            Object v = o.getValue();
            m.put(name, v instanceof Path p ? p.toString() : v);
        }
    }

    /** Prints nothing; writes the --json record when asked. {@code parts} adds per-part results (txn-mixed, watch). */
    void writeJson(String verb, CommandSpec verbSpec, Stats main, long total, Map<String, Stats> parts) {
        if (json == null) {
            return;
        }
        Map<String, Object> rec = record(verb, verbSpec, main, total);
        if (parts != null && !parts.isEmpty()) {
            Map<String, Object> p = new LinkedHashMap<>();
            for (Map.Entry<String, Stats> e : parts.entrySet()) {
                Map<String, Object> r = new LinkedHashMap<>();
                Stats s = e.getValue();
                r.put("requests", s.count() + s.errorCount());
                r.put("errors", s.errorCount());
                r.put("reqPerSec", s.requestsPerSecond());
                r.put("latencyMs", s.latencyMs());
                p.put(e.getKey(), r);
            }
            rec.put("parts", p);
        }
        try {
            if (json.getParent() != null) {
                Files.createDirectories(json.getParent());
            }
            Files.writeString(json, Json.write(rec), StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("cannot write " + json + ": " + e.getMessage());
        }
    }

    Map<String, Object> record(String verb, CommandSpec verbSpec, Stats s, long total) {
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("tool", "vetcd-bench");
        rec.put("verb", verb);
        rec.put("flags", flags(verbSpec));
        rec.put("endpoints", endpoints);
        rec.put("total", total);
        rec.put("succeeded", s.count());
        rec.put("errors", s.errorCount());
        rec.put("errorDistribution", s.errors());
        rec.put("totalSeconds", s.totalSeconds());
        rec.put("reqPerSec", s.requestsPerSecond());
        rec.put("latencyMs", s.latencyMs());
        return rec;
    }

    static int exitCode(Stats... all) {
        long ok = 0;
        long errors = 0;
        for (Stats s : all) {
            ok += s.count();
            errors += s.errorCount();
        }
        return ok == 0 && errors > 0 ? 2 : 0;
    }

    static String fmt(String f, Object... args) {
        return String.format(Locale.ROOT, f, args);
    }
}
