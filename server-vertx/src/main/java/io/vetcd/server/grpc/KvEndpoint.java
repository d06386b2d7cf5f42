package io.vetcd.server.grpc;

import io.vertx.grpc.server.GrpcServer;
import io.vetcd.core.KvStore;
import io.vetcd.proto.etcdserverpb.KVGrpcService;

/** etcd's {@code KV} service: reads answered on the event loop, writes through the store's writer. */
public final class KvEndpoint {
    private KvEndpoint() {}

    public static void bind(GrpcServer server, KvStore store) {
        long max = store.limits().maxGrpcMessageBytes();
        Replies.unary(server, KVGrpcService.Range, max, store::range);
        Replies.async(server, KVGrpcService.Put, max, store::put);
        Replies.async(server, KVGrpcService.DeleteRange, max, store::deleteRange);
        Replies.async(server, KVGrpcService.Txn, max, store::txn);
        Replies.async(server, KVGrpcService.Compact, max, store::compact);
    }
}
