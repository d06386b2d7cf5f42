package io.vetcd.server.grpc;

import io.vertx.grpc.server.GrpcServer;
import io.vetcd.core.KvStore;
import io.vetcd.proto.etcdserverpb.LeaseGrpcService;

/**
 * etcd's {@code Lease} service (etcd's {@code LeaseServer}). Grant and revoke go through the store's
 * writer; time-to-live and the lease list are answered on the event loop; each keep-alive call is a
 * {@link LeaseKeepAliveStream}.
 *
 * <p>As etcd 3.4 answers: a lease it does not hold is {@code NOT_FOUND "etcdserver: requested lease not
 * found"} for a revoke, a time-to-live response with TTL -1 (not an error), and a keep-alive response
 * with the request's ID and TTL 0 (the stream goes on).
 */
public final class LeaseEndpoint {
    private LeaseEndpoint() {}

    public static void bind(GrpcServer server, KvStore store) {
        long max = store.limits().maxGrpcMessageBytes();
        Replies.async(server, LeaseGrpcService.LeaseGrant, max, store::leaseGrant);
        Replies.async(server, LeaseGrpcService.LeaseRevoke, max, store::leaseRevoke);
        Replies.unary(server, LeaseGrpcService.LeaseTimeToLive, max, store::leaseTimeToLive);
        Replies.unary(server, LeaseGrpcService.LeaseLeases, max, request -> store.leaseLeases());
        server.callHandler(LeaseGrpcService.LeaseKeepAlive, call -> new LeaseKeepAliveStream(store, call).start());
    }
}
