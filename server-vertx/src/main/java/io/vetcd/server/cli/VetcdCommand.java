package io.vetcd.server.cli;

import io.vetcd.core.Limits;
import io.vetcd.server.ServerConfig;
import io.vetcd.server.VetcdServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar vetcd.jar [flags]}: starts one member with etcd's flag names. Exit code 2 for a bad
 * command line (picocli's usage error code), 1 when the server cannot start.
 */
@Command(name = "vetcd", mixinStandardHelpOptions = true, version = "vetcd (etcd API 3.5)",
        description = "An etcd v3 server: etcd's gRPC API and flags, a single member.",
        sortOptions = false, subcommands = SnapshotCommand.class)
public final class VetcdCommand implements Callable<Integer> {
    @Option(names = "--name", description = "Human-readable name for this member (default: ${DEFAULT-VALUE}).")
    String name = "default";

    @Option(names = "--data-dir", description = "Path to the data directory (default: ./<name>.vetcd).")
    Path dataDir;

    @Option(names = "--in-memory", description = "Keep nothing on disk; the data dir is not used.")
    boolean inMemory;

    @Option(names = "--listen-client-urls", split = ",",
            description = "URLs to serve clients on, comma-separated (default: ${DEFAULT-VALUE}).")
    List<URI> listenClientUrls = new ArrayList<>(List.of(URI.create("http://127.0.0.1:2379")));

    @Option(names = "--advertise-client-urls", split = ",",
            description = "Client URLs to report in member lists (default: the listen URLs).")
    List<URI> advertiseClientUrls = new ArrayList<>();

    @Option(names = "--initial-advertise-peer-urls", split = ",",
            description = "Peer URLs to report in member lists (default: ${DEFAULT-VALUE}).")
    List<URI> peerUrls = new ArrayList<>(List.of(URI.create("http://localhost:2380")));

    @Option(names = "--max-request-bytes", description = "Largest client request in bytes (default: ${DEFAULT-VALUE}).")
    long maxRequestBytes = Limits.DEFAULT_MAX_REQUEST_BYTES;

    @Option(names = "--max-txn-ops", description = "Most operations in one txn (default: ${DEFAULT-VALUE}).")
    int maxTxnOps = Limits.DEFAULT_MAX_TXN_OPS;

    @Option(names = "--quota-backend-bytes", description = "Backend size quota in bytes (default: ${DEFAULT-VALUE}).")
    long quotaBackendBytes = ServerConfig.DEFAULT_QUOTA_BACKEND_BYTES;

    @Option(names = "--snapshot-count",
            description = "Accepted for etcd compatibility; vetcd keeps no raft log to snapshot (default: ${DEFAULT-VALUE}).")
    long snapshotCount = 100_000;

    @Option(names = "--max-concurrent-streams",
            description = "Maximum concurrent streams that each client can open at a time (default: ${DEFAULT-VALUE}).")
    long maxConcurrentStreams = ServerConfig.DEFAULT_MAX_CONCURRENT_STREAMS;

    @Option(names = "--experimental-watch-progress-notify-interval", converter = GoDuration.class,
            paramLabel = "<duration>",
            description = "How often a watch asking for progress notifications hears the revision when it has had"
                    + " no events, in Go's duration syntax, e.g. 10m, 100ms, 1m30s (default: 10m).")
    Duration watchProgressNotifyInterval = ServerConfig.DEFAULT_WATCH_PROGRESS_NOTIFY_INTERVAL;

    @Option(names = "--vetcd-min-lease-ttl", paramLabel = "SECONDS",
            description = "vetcd's own flag: the shortest lease TTL in seconds; a lease asked for with less gets"
                    + " this (etcd's fixed minimum is 2; at least 1; default: ${DEFAULT-VALUE}).")
    long minLeaseTtlSeconds = ServerConfig.DEFAULT_MIN_LEASE_TTL_SECONDS;

    @Option(names = "--log-level", description = "debug, info, warn, error, panic or fatal (default: ${DEFAULT-VALUE}).")
    String logLevel = "info";

    @Override
    public Integer call() {
        configureLogging();
        ServerConfig config = config();
        VetcdServer server;
        try {
            server = VetcdServer.start(config);
        } catch (RuntimeException e) {
            System.err.println("vetcd: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "vetcd-shutdown"));
        System.err.println("vetcd: serving client requests on " + listenClientUrls
                + (inMemory ? " (in memory)" : " with data dir " + config.dataDir().toAbsolutePath()));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** The member's configuration from the flags; a usage error ({@code ParameterException}) if one is out of range. */
    ServerConfig config() {
        if (minLeaseTtlSeconds < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--vetcd-min-lease-ttl: must be at least 1 second, not " + minLeaseTtlSeconds);
        }
        return new ServerConfig(name, dataDir != null ? dataDir : Path.of(name + ".vetcd"), inMemory,
                listenClientUrls, advertiseClientUrls, peerUrls, new Limits(maxRequestBytes, maxTxnOps),
                quotaBackendBytes, maxConcurrentStreams, watchProgressNotifyInterval, minLeaseTtlSeconds);
    }

    private void configureLogging() {
        Level level = switch (logLevel) {
            case "debug" -> Level.FINE;
            case "info" -> Level.INFO;
            case "warn" -> Level.WARNING;
            case "error", "panic", "fatal" -> Level.SEVERE;
            default -> throw new CommandLine.ParameterException(new CommandLine(this),
                    "--log-level: unknown level '" + logLevel + "' (debug, info, warn, error, panic, fatal)");
        };
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        for (var handler : root.getHandlers()) {
            handler.setLevel(level);
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new VetcdCommand()).execute(args));
    }
}
