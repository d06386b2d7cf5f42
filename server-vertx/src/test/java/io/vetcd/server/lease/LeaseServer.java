package io.vetcd.server.lease;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;

import io.etcd.jetcd.Client;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.vetcd.server.ServerConfig;
import io.vetcd.server.VetcdServer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * An in-process vetcd for the lease tests, by default in memory with the shortest minimum lease TTL
 * ({@code --vetcd-min-lease-ttl=1}, so leases of 1 s expire in a second), with a jetcd client and a raw
 * gRPC channel on it. Closing it stops the server cleanly, so a new one on the same data dir is a restart.
 */
final class LeaseServer implements AutoCloseable {
    final VetcdServer server;
    final Client client;
    private final ManagedChannel channel;
    final RawLease raw;

    private LeaseServer(VetcdServer server) {
        this.server = server;
        this.client = Client.builder().endpoints(server.endpoint()).build();
        this.channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        this.raw = new RawLease(channel);
    }

    static ServerConfig fastLeases() {
        return ServerConfig.inMemoryOnFreePort().withMinLeaseTtlSeconds(1);
    }

    static LeaseServer start() {
        return start(fastLeases());
    }

    static LeaseServer start(ServerConfig config) {
        return new LeaseServer(VetcdServer.start(config));
    }

    String endpoint() {
        return server.endpoint();
    }

    int port() {
        return server.port();
    }



    /** The failure of a call that must fail. */
    static Throwable failure(CompletableFuture<?> future) {
        try {
            Object result = future.get(20, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + result);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("call did not complete in 20 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The gRPC status of a raw call that must fail, as {@code CODE: description}. */
    static String status(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() + ": " + e.getStatus().getDescription();
        }
        throw new AssertionError("expected a gRPC error");
    }

    /** Waits up to {@code millis} for {@code condition}; false if it never held. */
    static boolean eventually(long millis, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        client.close();
        server.close();
    }
}
