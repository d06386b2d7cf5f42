package io.vetcd.server.lock;

import static io.vetcd.server.testing.Jetcd.bs;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.vetcd.server.ServerConfig;
import io.vetcd.server.VetcdServer;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** An in-process vetcd with short leases allowed, and the clients a test opens on it (closed with it). */
final class LockServer implements AutoCloseable {
    final VetcdServer server;
    private final List<AutoCloseable> clients = new ArrayList<>();

    private LockServer(VetcdServer server) {
        this.server = server;
    }

    static LockServer start() {
        return new LockServer(VetcdServer.start(ServerConfig.inMemoryOnFreePort().withMinLeaseTtlSeconds(1)));
    }

    String endpoint() {
        return server.endpoint();
    }

    int port() {
        return URI.create(endpoint()).getPort();
    }

    synchronized Client client() {
        Client c = Client.builder().endpoints(endpoint()).build();
        clients.add(c);
        return c;
    }

    synchronized ManagedChannel channel() {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port()).usePlaintext().build();
        clients.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        return channel;
    }

    /** The keys under {@code prefix}, in creation order. */
    static List<String> keys(Client client, String prefix) throws Exception {
        ByteSequence p = bs(prefix);
        return client.getKVClient().get(p, GetOption.builder().isPrefix(true)
                        .withSortField(GetOption.SortTarget.CREATE).withSortOrder(GetOption.SortOrder.ASCEND).build())
                .get(10, TimeUnit.SECONDS).getKvs().stream().map(kv -> kv.getKey().toString()).toList();
    }


    @Override
    public synchronized void close() {
        for (AutoCloseable c : clients) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
        server.close();
    }
}
