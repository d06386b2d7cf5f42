package io.vetcd.bench.load;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vetcd.proto.etcdserverpb.LeaseGrantRequest;
import io.vetcd.proto.etcdserverpb.LeaseGrpcClient;
import io.vetcd.proto.etcdserverpb.LeaseKeepAliveRequest;
import io.vetcd.proto.etcdserverpb.LeaseKeepAliveResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * etcd's lease-keepalive: every client grants one lease (TTL 100) and then renews it once per request,
 * each renewal on a LeaseKeepAlive stream of its own (clientv3's KeepAliveOnce). A client whose grant
 * failed (vetcd: no Lease service) counts each of its requests as that error.
 */
@Command(name = "lease-keepalive", description = "Benchmark lease keepalive", mixinStandardHelpOptions = true)
final class LeaseKeepaliveCmd extends Verb {
    @Option(names = "--total", defaultValue = "10000", description = "Total number of lease keepalive requests (default ${DEFAULT-VALUE})")
    long total;

    @Override
    public Integer call() throws Exception {
        Stats stats = new Stats();
        try (Connections conns = root.connect(root.conns)) {
            @SuppressWarnings("unchecked")
            Future<Long>[] leases = new Future[root.clients];
            for (int c = 0; c < root.clients; c++) {
                Connections.Conn conn = conns.get(c);
                Promise<Long> p = Promise.promise();
                conn.context.runOnContext(v -> conn.unary(LeaseGrpcClient.LeaseGrant,
                        LeaseGrantRequest.newBuilder().setTTL(100).build()).map(r -> r.getID()).onComplete(p));
                leases[c] = p.future();
            }
            Progress progress = root.progress(total);
            try {
                new LoadDriver(conns, root.clients, total, 0, progress).run((conn, client, seq) ->
                        leases[client].transform(ar -> ar.succeeded() ? keepAliveOnce(conn, ar.result())
                                : Future.failedFuture(new Connections.RpcException(
                                "lease grant failed: " + ar.cause().getMessage(), null))), seq -> stats, stats);
            } finally {
                BenchCommand.close(progress);
            }
            root.out.print(stats.format(root.precise));
        }
        root.writeJson("lease-keepalive", spec, stats, total, null);
        return BenchCommand.exitCode(stats);
    }

    /** clientv3's KeepAliveOnce: a stream of its own, one request, the first response, then half-close. */
    private static Future<LeaseKeepAliveResponse> keepAliveOnce(Connections.Conn conn, long id) {
        Promise<LeaseKeepAliveResponse> first = Promise.promise();
        GrpcConnection.Call<LeaseKeepAliveRequest>[] call = new GrpcConnection.Call[1];
        call[0] = conn.stream(LeaseGrpcClient.LeaseKeepAlive, new GrpcConnection.Listener<>() {
            @Override
            public void onMessage(LeaseKeepAliveResponse m) {
                if (m.getTTL() <= 0) {
                    first.tryFail(new Connections.RpcException("etcdserver: requested lease not found", null));
                } else {
                    first.tryComplete(m);
                }
                call[0].halfClose();
            }

            @Override
            public void onClose(Connections.RpcException error) {
                first.tryFail(error != null ? error
                        : new Connections.RpcException("keepalive stream ended without a response", null));
            }
        });
        call[0].write(LeaseKeepAliveRequest.newBuilder().setID(id).build(), false);
        return first.future();
    }
}
