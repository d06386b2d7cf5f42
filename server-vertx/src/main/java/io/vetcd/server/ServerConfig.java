package io.vetcd.server;

import io.vetcd.core.Limits;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How to run one vetcd member; the command line fills it from etcd's flags, tests build it directly.
 *
 * @param name               {@code --name}: the member's name in member lists
 * @param dataDir            {@code --data-dir}: where the member keeps its identity and its data
 * @param inMemory           {@code --in-memory}: keep nothing on disk; the data dir is not touched
 * @param listenClientUrls   {@code --listen-client-urls}: {@code http://host:port} addresses to serve on;
 *                           port 0 picks a free port
 * @param advertiseClientUrls {@code --advertise-client-urls}: what member lists report; empty = the listen URLs
 * @param peerUrls           {@code --initial-advertise-peer-urls}: what member lists report as peer URLs
 * @param limits             {@code --max-request-bytes}, {@code --max-txn-ops}
 * @param quotaBackendBytes  {@code --quota-backend-bytes}
 * @param maxConcurrentStreams {@code --max-concurrent-streams}: HTTP/2 streams one client connection may
 *                           have open at once (SETTINGS_MAX_CONCURRENT_STREAMS); etcd's default is 2^32-1
 * @param watchProgressNotifyInterval {@code --experimental-watch-progress-notify-interval}: how often a
 *                           watch created with {@code progress_notify} hears the revision when it has had
 *                           no events (raised to etcd's minimum of 100 ms; 0 or less: the default)
 * @param minLeaseTtlSeconds {@code --vetcd-min-lease-ttl} (vetcd's own flag): a lease granted with a
 *                           shorter TTL gets this one; etcd's fixed minimum is 2 s, tests want 1 s
 */
public record ServerConfig(String name, Path dataDir, boolean inMemory, List<URI> listenClientUrls,
                           List<URI> advertiseClientUrls, List<URI> peerUrls, Limits limits,
                           long quotaBackendBytes, long maxConcurrentStreams,
                           Duration watchProgressNotifyInterval, long minLeaseTtlSeconds) {
    public static final long DEFAULT_QUOTA_BACKEND_BYTES = 2L * 1024 * 1024 * 1024;
    /** etcd's {@code math.MaxUint32}: a connection is never refused a stream (Vert.x alone would allow 100). */
    public static final long DEFAULT_MAX_CONCURRENT_STREAMS = 0xFFFF_FFFFL;
    /** etcd's default progress notification interval. */
    public static final Duration DEFAULT_WATCH_PROGRESS_NOTIFY_INTERVAL = Duration.ofMinutes(10);
    /** etcd's minimum lease TTL ({@code minTTL}: the election timeout rounded up, 2 s by default). */
    public static final long DEFAULT_MIN_LEASE_TTL_SECONDS = 2;

    public ServerConfig {
        if (minLeaseTtlSeconds < 1) {
            throw new IllegalArgumentException("the minimum lease TTL must be at least 1 s, not " + minLeaseTtlSeconds);
        }
        listenClientUrls = List.copyOf(listenClientUrls);
        advertiseClientUrls = List.copyOf(advertiseClientUrls);
        peerUrls = List.copyOf(peerUrls);
    }

    /** A config with etcd's minimum lease TTL. */
    public ServerConfig(String name, Path dataDir, boolean inMemory, List<URI> listenClientUrls,
                        List<URI> advertiseClientUrls, List<URI> peerUrls, Limits limits,
                        long quotaBackendBytes, long maxConcurrentStreams, Duration watchProgressNotifyInterval) {
        this(name, dataDir, inMemory, listenClientUrls, advertiseClientUrls, peerUrls, limits, quotaBackendBytes,
                maxConcurrentStreams, watchProgressNotifyInterval, DEFAULT_MIN_LEASE_TTL_SECONDS);
    }

    /** A config with etcd's default progress notification interval and minimum lease TTL. */
    public ServerConfig(String name, Path dataDir, boolean inMemory, List<URI> listenClientUrls,
                        List<URI> advertiseClientUrls, List<URI> peerUrls, Limits limits,
                        long quotaBackendBytes, long maxConcurrentStreams) {
        this(name, dataDir, inMemory, listenClientUrls, advertiseClientUrls, peerUrls, limits, quotaBackendBytes,
                maxConcurrentStreams, DEFAULT_WATCH_PROGRESS_NOTIFY_INTERVAL);
    }

    /** An in-memory member on a free loopback port: what JVM tests start. */
    public static ServerConfig inMemoryOnFreePort() {
        return new ServerConfig("default", null, true, List.of(URI.create("http://127.0.0.1:0")), List.of(),
                List.of(URI.create("http://localhost:2380")), Limits.defaults(), DEFAULT_QUOTA_BACKEND_BYTES,
                DEFAULT_MAX_CONCURRENT_STREAMS, DEFAULT_WATCH_PROGRESS_NOTIFY_INTERVAL, DEFAULT_MIN_LEASE_TTL_SECONDS);
    }

    /** A member keeping its data in {@code dataDir}, on a free loopback port: what restart tests start. */
    public static ServerConfig persistentOnFreePort(Path dataDir) {
        return inMemoryOnFreePort().withDataDir(dataDir);
    }

    public ServerConfig withDataDir(Path newDataDir) {
        return new ServerConfig(name, newDataDir, false, listenClientUrls, advertiseClientUrls, peerUrls,
                limits, quotaBackendBytes, maxConcurrentStreams, watchProgressNotifyInterval, minLeaseTtlSeconds);
    }

    public ServerConfig withQuotaBackendBytes(long newQuota) {
        return new ServerConfig(name, dataDir, inMemory, listenClientUrls, advertiseClientUrls, peerUrls,
                limits, newQuota, maxConcurrentStreams, watchProgressNotifyInterval, minLeaseTtlSeconds);
    }

    public ServerConfig withLimits(Limits newLimits) {
        return new ServerConfig(name, dataDir, inMemory, listenClientUrls, advertiseClientUrls, peerUrls,
                newLimits, quotaBackendBytes, maxConcurrentStreams, watchProgressNotifyInterval, minLeaseTtlSeconds);
    }

    public ServerConfig withWatchProgressNotifyInterval(Duration newInterval) {
        return new ServerConfig(name, dataDir, inMemory, listenClientUrls, advertiseClientUrls, peerUrls,
                limits, quotaBackendBytes, maxConcurrentStreams, newInterval, minLeaseTtlSeconds);
    }

    public ServerConfig withMinLeaseTtlSeconds(long newMinLeaseTtlSeconds) {
        return new ServerConfig(name, dataDir, inMemory, listenClientUrls, advertiseClientUrls, peerUrls,
                limits, quotaBackendBytes, maxConcurrentStreams, watchProgressNotifyInterval, newMinLeaseTtlSeconds);
    }
}
