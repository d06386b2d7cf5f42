package io.vetcd.server.watch;

import io.vetcd.server.testing.RealEtcd;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.vetcd.server.ServerConfig;
import io.vetcd.server.VetcdServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The server a watch test talks to: an in-process vetcd by default, a real etcd 3.4 with
 * {@code -Dvetcd.jetcd.target=etcd} (how the expectations of these tests were checked). Register it with
 * {@code @RegisterExtension static final WatchServer server = new WatchServer();} or {@link #start} one.
 * It hands out jetcd clients, a plain gRPC channel and raw {@link WatchStream}s, all closed with it.
 */
public final class WatchServer implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    private final Duration progressInterval;
    private volatile VetcdServer vetcd;
    private volatile RealEtcd etcd;
    private volatile String endpoint;
    private Client client;
    private ManagedChannel channel;
    private final List<Client> clients = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<WatchStream> streams = new ArrayList<>();

    public WatchServer() {
        this(null);
    }

    /** With {@code --experimental-watch-progress-notify-interval} (vetcd: its ServerConfig equivalent). */
    public WatchServer(Duration progressInterval) {
        this.progressInterval = progressInterval;
    }

    public static boolean againstEtcd() {
        return "etcd".equals(System.getProperty("vetcd.jetcd.target"));
    }

    public static WatchServer start(Duration progressInterval) {
        WatchServer s = new WatchServer(progressInterval);
        s.open();
        return s;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        open();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private synchronized void open() {
        if (againstEtcd()) {
            etcd = progressInterval == null ? RealEtcd.start() : RealEtcd.start(
                    "--experimental-watch-progress-notify-interval=" + progressInterval.toMillis() + "ms");
            endpoint = etcd.endpoint();
        } else {
            ServerConfig config = ServerConfig.inMemoryOnFreePort();
            if (progressInterval != null) {
                config = config.withWatchProgressNotifyInterval(progressInterval);
            }
            vetcd = VetcdServer.start(config);
            endpoint = vetcd.endpoint();
        }
        client = Client.builder().endpoints(endpoint).build();
    }


    public boolean isRealEtcd() {
        return etcd != null;
    }

    /** The in-process vetcd (null against etcd). */
    public VetcdServer vetcd() {
        return vetcd;
    }

    public String endpoint() {
        if (endpoint == null) {
            throw new IllegalStateException("server not started");
        }
        return endpoint;
    }

    public int port() {
        return URI.create(endpoint()).getPort();
    }

    public Client client() {
        endpoint();
        return client;
    }

    public KV kv() {
        return client().getKVClient();
    }

    /** Another jetcd client on its own connection. */
    public synchronized Client newClient() {
        Client c = Client.builder().endpoints(endpoint()).build();
        clients.add(c);
        return c;
    }

    /** A plain gRPC channel (shared), for raw streams. */
    public synchronized ManagedChannel channel() {
        if (channel == null) {
            channel = newChannel();
        }
        return channel;
    }

    /** A new gRPC channel (its own connection); closed with the server. */
    public synchronized ManagedChannel newChannel() {
        ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", port()).usePlaintext()
                .maxInboundMessageSize(64 * 1024 * 1024).build();
        channels.add(c);
        return c;
    }

    /**
     * A new gRPC channel whose HTTP/2 flow-control window is fixed at {@code window} bytes (no automatic
     * growth): a consumer on it that stops reading pushes back on the server after that many bytes.
     */
    public synchronized ManagedChannel newSmallWindowChannel(int window) {
        ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", port()).usePlaintext()
                .initialFlowControlWindow(window).maxInboundMessageSize(64 * 1024 * 1024).build();
        channels.add(c);
        return c;
    }

    public synchronized WatchStream stream() {
        WatchStream s = WatchStream.open(channel());
        streams.add(s);
        return s;
    }

    @Override
    public synchronized void close() {
        for (WatchStream s : streams) {
            s.close();
        }
        streams.clear();
        for (Client c : clients) {
            c.close();
        }
        clients.clear();
        if (client != null) {
            client.close();
            client = null;
        }
        for (ManagedChannel c : channels) {
            c.shutdownNow();
            try {
                c.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        channels.clear();
        channel = null;
        try {
            if (vetcd != null) {
                vetcd.close();
            }
        } finally {
            vetcd = null;
            if (etcd != null) {
                etcd.close();
                etcd = null;
            }
            endpoint = null;
        }
    }
}
