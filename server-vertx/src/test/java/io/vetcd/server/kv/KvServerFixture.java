package io.vetcd.server.kv;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.api.KVGrpc;
import io.grpc.ManagedChannel;
import io.grpc.CallOptions;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.vetcd.server.ServerConfig;
import io.vetcd.server.VetcdServer;
import io.vetcd.server.testing.RealEtcd;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One server for a test class, with jetcd clients on it. Register it as a JUnit 5 extension with
 * {@code @RegisterExtension static final KvServerFixture server = new KvServerFixture();}: the server is
 * started before the class's tests (before its own {@code @BeforeAll} methods, which can already use it)
 * and closed after them. Tests that need a fresh server each time take one from {@link #start()} and close it.
 *
 * <p>By default the server is an in-process vetcd ({@code VetcdServer.start(ServerConfig.inMemoryOnFreePort())}).
 * With {@code -Dvetcd.jetcd.target=etcd} the same tests run against a real etcd (Debian's 3.4 binary,
 * started by {@link RealEtcd}): that is how the expectations of this suite were checked against the
 * reference. Tests that cover vetcd-only details (its HTTP version string) look at {@link #isRealEtcd()}.
 */
final class KvServerFixture implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    // set by open(), on the thread that runs the class's callbacks; volatile for tests run on other threads
    private volatile VetcdServer vetcd;
    private volatile RealEtcd etcd;
    private volatile String endpoint;
    private volatile Client client;
    private final List<Client> extraClients = new ArrayList<>();
    private ManagedChannel channel;

    /** Not started yet: register it with {@code @RegisterExtension}, or use {@link #start()}. */
    KvServerFixture() {}

    /** A started server, for a caller that closes it itself (a fresh server per test). */
    static KvServerFixture start() {
        KvServerFixture fixture = new KvServerFixture();
        fixture.open();
        return fixture;
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
        if (endpoint != null) {
            throw new IllegalStateException("already started");
        }
        if ("etcd".equals(System.getProperty("vetcd.jetcd.target"))) {
            etcd = RealEtcd.start();
            endpoint = etcd.endpoint();
        } else {
            vetcd = VetcdServer.start(ServerConfig.inMemoryOnFreePort());
            endpoint = vetcd.endpoint();
        }
        client = Client.builder().endpoints(endpoint).build();
    }

    private String started() {
        if (endpoint == null) {
            throw new IllegalStateException("server not started: register the fixture with @RegisterExtension "
                    + "on a static field, or use KvServerFixture.start()");
        }
        return endpoint;
    }

    boolean isRealEtcd() {
        return etcd != null;
    }

    /** {@code http://127.0.0.1:<port>}. */
    String endpoint() {
        return started();
    }

    int port() {
        return URI.create(endpoint()).getPort();
    }

    Client client() {
        started();
        return client;
    }

    KV kv() {
        return client.getKVClient();
    }

    /** Another jetcd client with its own connection; closed with the fixture. */
    synchronized Client newClient() {
        Client c = Client.builder().endpoints(endpoint()).build();
        extraClients.add(c);
        return c;
    }

    /**
     * jetcd's own generated KV stub ({@code io.etcd.jetcd.api}) on a plain gRPC channel, for request fields
     * jetcd 0.8.7's high-level API does not expose (ignore_value, ignore_lease, compares over a range).
     */
    synchronized KVGrpc.KVBlockingStub rawKv() {
        return KVGrpc.newBlockingStub(channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /**
     * {@code KV/Txn} with etcd's full message definitions (vetcd's copy of etcd's {@code rpc.proto}), for
     * what jetcd 0.8.7's generated classes lack entirely: the LEASE compare target and its {@code lease}
     * field (Compare field 8, target 4, as in etcd's rpc.proto).
     */
    io.vetcd.proto.etcdserverpb.TxnResponse txnWithEtcdProto(io.vetcd.proto.etcdserverpb.TxnRequest request) {
        return ClientCalls.blockingUnaryCall(channel(), TXN, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                request);
    }

    private static final MethodDescriptor<io.vetcd.proto.etcdserverpb.TxnRequest,
            io.vetcd.proto.etcdserverpb.TxnResponse> TXN = MethodDescriptor.<io.vetcd.proto.etcdserverpb.TxnRequest,
                    io.vetcd.proto.etcdserverpb.TxnResponse>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("etcdserverpb.KV/Txn")
            .setRequestMarshaller(ProtoUtils.marshaller(io.vetcd.proto.etcdserverpb.TxnRequest.getDefaultInstance()))
            .setResponseMarshaller(ProtoUtils.marshaller(io.vetcd.proto.etcdserverpb.TxnResponse.getDefaultInstance()))
            .build();

    private synchronized ManagedChannel channel() {
        if (channel == null) {
            channel = ManagedChannelBuilder.forAddress("127.0.0.1", port()).usePlaintext().build();
        }
        return channel;
    }

    /** Closes the clients and the server; safe to call on a fixture that did not (fully) start. */
    @Override
    public synchronized void close() {
        RuntimeException failure = null;
        if (channel != null) {
            channel.shutdownNow();
            channel = null;
        }
        for (Client c : extraClients) {
            c.close();
        }
        extraClients.clear();
        if (client != null) {
            client.close();
            client = null;
        }
        try {
            if (vetcd != null) {
                vetcd.close();
            }
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            vetcd = null;
        }
        if (etcd != null) {
            etcd.close();
            etcd = null;
        }
        if (failure != null) {
            throw failure;
        }
    }
}
