package io.vetcd.server.maintenance;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Maintenance;
import io.vetcd.server.ServerConfig;
import io.vetcd.server.VetcdServer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An in-process vetcd keeping its data in a data dir, with a jetcd client on it; closing it stops the
 * server cleanly (as SIGTERM does), so a new one on the same dir is a restart.
 */
final class PersistentServer implements AutoCloseable {
    final VetcdServer server;
    final Client client;

    private PersistentServer(VetcdServer server) {
        this.server = server;
        this.client = Client.builder().endpoints(server.endpoint()).build();
    }

    static PersistentServer start(ServerConfig config) {
        return new PersistentServer(VetcdServer.start(config));
    }

    KV kv() {
        return client.getKVClient();
    }

    Maintenance maintenance() {
        return client.getMaintenanceClient();
    }

    String endpoint() {
        return server.endpoint();
    }



    /** What a read returned, comparable: jetcd's KeyValue has no equals. */
    static java.util.List<String> describe(java.util.List<io.etcd.jetcd.KeyValue> kvs) {
        return kvs.stream().map(kv -> kv.getKey() + "=" + kv.getValue() + " create " + kv.getCreateRevision()
                + " mod " + kv.getModRevision() + " version " + kv.getVersion() + " lease " + kv.getLease()).toList();
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

    @Override
    public void close() {
        client.close();
        server.close();
    }
}
