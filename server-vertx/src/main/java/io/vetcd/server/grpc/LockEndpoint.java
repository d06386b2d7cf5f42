package io.vetcd.server.grpc;

import static io.vetcd.server.grpc.ConcurrencyRecipe.createRevisionIs;
import static io.vetcd.server.grpc.ConcurrencyRecipe.firstCreated;
import static io.vetcd.server.grpc.ConcurrencyRecipe.getOp;
import static io.vetcd.server.grpc.ConcurrencyRecipe.putOp;
import static io.vetcd.server.grpc.ConcurrencyRecipe.rangeOp;

import com.google.protobuf.ByteString;
import io.vertx.grpc.server.GrpcServer;
import io.vetcd.core.KvStore;
import io.vetcd.core.MemberIdentity;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.mvccpb.KeyValue;
import io.vetcd.proto.etcdserverpb.ResponseHeader;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import io.vetcd.proto.etcdserverpb.TxnResponse;
import io.vetcd.proto.v3lockpb.LockGrpcService;
import io.vetcd.proto.v3lockpb.LockRequest;
import io.vetcd.proto.v3lockpb.LockResponse;
import io.vetcd.proto.v3lockpb.UnlockRequest;
import io.vetcd.proto.v3lockpb.UnlockResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * etcd's {@code v3lock.Lock} service: etcd 3.4's lock server runs {@code clientv3/concurrency.Mutex}
 * over its own KV API; this runs the same recipe over the store.
 *
 * <p>{@code Lock(name, lease)}: key {@code <name>/<lease hex>}; one txn creates it (empty value, attached to
 * the lease) unless it exists, and reads the first-created key under {@code <name>/}. If that is ours the
 * lock is held; else the call waits until every key under the prefix created before ours is deleted
 * (unlocked, or its lease expired). A call canceled while it waits (or before it answered) deletes its
 * key, as the Mutex does when waiting fails. {@code Unlock(key)} deletes the key.
 */
public final class LockEndpoint {
    private LockEndpoint() {}

    public static void bind(GrpcServer server, KvStore store, MemberIdentity identity) {
        long max = store.limits().maxGrpcMessageBytes();
        ConcurrencyRecipe.serve(server, LockGrpcService.Lock, max, (r, call) -> lock(store, r, call));
        ConcurrencyRecipe.serve(server, LockGrpcService.Unlock, max, (r, call) -> store.deleteRange(
                DeleteRangeRequest.newBuilder().setKey(r.getKey()).build())
                .thenApply(d -> UnlockResponse.newBuilder().setHeader(d.getHeader()).build()));
    }

    private static CompletableFuture<LockResponse> lock(KvStore store, LockRequest r, ConcurrencyRecipe.Call call) {
        ByteString prefix = ConcurrencyRecipe.prefix(r.getName());
        return ConcurrencyRecipe.sessionLease(store, call, r.getLease()).thenCompose(lease -> {
            ByteString key = ConcurrencyRecipe.ownKey(prefix, lease);
            TxnRequest txn = TxnRequest.newBuilder()
                    .addCompare(createRevisionIs(key, 0))
                    .addSuccess(putOp(key, ByteString.EMPTY, lease))
                    .addSuccess(rangeOp(firstCreated(prefix)))
                    .addFailure(getOp(key))
                    .addFailure(rangeOp(firstCreated(prefix)))
                    .build();
            // From here on the key may exist: a failure or a cancellation before the answer deletes it.
            CompletableFuture<ResponseHeader> held = store.txn(txn)
                    .thenComposeAsync(t -> acquire(store, call, prefix, t), call.executor);
            return held.handle((header, error) -> {
                if (error != null) {
                    store.deleteRange(DeleteRangeRequest.newBuilder().setKey(key).build());
                    return CompletableFuture.<LockResponse>failedFuture(error);
                }
                return CompletableFuture.completedFuture(
                        LockResponse.newBuilder().setHeader(header).setKey(key).build());
            }).thenCompose(f -> f);
        });
    }

    /** After the txn: held at once if ours is the first-created key, else wait for the keys before ours. */
    private static CompletableFuture<ResponseHeader> acquire(KvStore store, ConcurrencyRecipe.Call call,
                                                             ByteString prefix, TxnResponse t) {
        if (call.canceled()) {
            return CompletableFuture.failedFuture(new java.util.concurrent.CancellationException("canceled"));
        }
        long myRevision = t.getSucceeded() ? t.getHeader().getRevision()
                : t.getResponses(0).getResponseRange().getKvs(0).getCreateRevision();
        List<KeyValue> owner = t.getResponses(1).getResponseRange().getKvsList();
        if (owner.isEmpty() || owner.get(0).getCreateRevision() == myRevision) {
            return CompletableFuture.completedFuture(t.getHeader());
        }
        return ConcurrencyRecipe.waitDeletes(store, call, prefix, myRevision - 1);
    }
}
