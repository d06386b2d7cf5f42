package io.vetcd.server.grpc;

import io.vertx.grpc.server.GrpcServer;
import io.vetcd.core.KvStore;
import io.vetcd.proto.etcdserverpb.KVGrpcService;

/** etcd's {@code KV} service: reads answered on the event loop, writes through the store's writer. */
public final class KvEndpoint {
    private KvEndpoint() {}

    public static void bind(GrpcServer server, KvStore store) {
        Replies.unary(server, KVGrpcService.Range, store::range);
        Replies.async(server, KVGrpcService.Put, store::put);
        Replies.async(server, KVGrpcService.DeleteRange, store::deleteRange);
        Replies.async(server, KVGrpcService.Txn, store::txn);
        Replies.async(server, KVGrpcService.Compact, store::compact);
    }
}
