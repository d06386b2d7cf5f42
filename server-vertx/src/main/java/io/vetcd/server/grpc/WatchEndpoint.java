package io.vetcd.server.grpc;

import io.vertx.grpc.server.GrpcServer;
import io.vetcd.core.KvStore;
import io.vetcd.core.MemberIdentity;
import io.vetcd.proto.etcdserverpb.ResponseHeader;
import io.vetcd.proto.etcdserverpb.WatchGrpcService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * etcd's {@code Watch} service (etcd's {@code watchServer}): what every stream shares. Each call is a
 * {@link WatchStream}; each watch on it a {@link StreamWatcher}.
 */
public final class WatchEndpoint {
    private static final Logger LOG = Logger.getLogger(WatchEndpoint.class.getName());
    /** etcd's {@code minWatchProgressInterval}: a shorter interval is raised to it. */
    static final Duration MIN_PROGRESS_INTERVAL = Duration.ofMillis(100);
    /** etcd's default {@code --experimental-watch-progress-notify-interval}, also used for 0 or less. */
    static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofMinutes(10);

    final KvStore store;
    private final MemberIdentity identity;
    private final Duration progressInterval;
    /** etcd's {@code maxRequestBytes} of the watch server: a response this big or bigger is fragmented. */
    final long fragmentBytes;
    /** Writer only: the streams holding deliveries of the round of sink calls under way. */
    private final List<WatchStream> holding = new ArrayList<>();

    private WatchEndpoint(KvStore store, MemberIdentity identity, Duration progressInterval) {
        this.store = store;
        this.identity = identity;
        this.progressInterval = progressInterval;
        this.fragmentBytes = store.limits().maxGrpcMessageBytes();
        store.onWatchRoundEnd(this::endRound);
    }

    /** Writer: {@code stream} holds deliveries of this round. */
    void holding(WatchStream stream) {
        holding.add(stream);
    }

    /** Writer, after a round of sink calls: each stream passes what it held to its context. */
    private void endRound() {
        for (WatchStream stream : holding) {
            stream.passHeld();
        }
        holding.clear();
    }

    /** @param progressInterval {@code --experimental-watch-progress-notify-interval}, adjusted as etcd does */
    public static void bind(GrpcServer server, KvStore store, MemberIdentity identity, Duration progressInterval) {
        Duration interval = progressInterval;
        if (interval.isNegative() || interval.isZero()) {
            interval = DEFAULT_PROGRESS_INTERVAL;
        } else if (interval.compareTo(MIN_PROGRESS_INTERVAL) < 0) {
            LOG.warning("adjusting watch progress notify interval to minimum period "
                    + MIN_PROGRESS_INTERVAL.toMillis() + "ms");
            interval = MIN_PROGRESS_INTERVAL;
        }
        WatchEndpoint endpoint = new WatchEndpoint(store, identity, interval);
        server.callHandler(WatchGrpcService.Watch, call -> new WatchStream(endpoint, call).start());
    }

    ResponseHeader header(long revision) {
        return MemberEndpoints.header(identity).setRevision(revision).build();
    }

    /**
     * A stream's period between progress notifications: the interval plus up to a tenth of it at random,
     * as etcd spreads the notifications of streams created together.
     */
    long progressPeriodMillis() {
        long millis = progressInterval.toMillis();
        return millis + ThreadLocalRandom.current().nextLong(Math.max(1, millis / 10));
    }
}
