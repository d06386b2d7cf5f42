package io.vetcd.bench.load;

import com.google.protobuf.ByteString;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcStatus;
import io.vetcd.proto.etcdserverpb.WatchCreateRequest;
import io.vetcd.proto.etcdserverpb.WatchGrpcClient;
import io.vetcd.proto.etcdserverpb.WatchRequest;
import io.vetcd.proto.etcdserverpb.WatchResponse;
import io.vetcd.proto.mvccpb.Event;
import java.util.function.Consumer;

/**
 * One Watch stream on one connection; all its callbacks run on that connection's context. Watches are
 * created one at a time ({@link #create} answers when the server says {@code created}); every event
 * of every watch goes to the event handler. A stream the server refuses (vetcd: UNIMPLEMENTED) fails
 * the pending and every later creation with grpc-go's error text.
 */
final class WatchStream {
    private final Connections.Conn conn;
    private final Consumer<Event> onEvent;
    private GrpcClientRequest<WatchRequest, WatchResponse> request;
    private Promise<Long> pending;
    private Connections.RpcException failure;

    WatchStream(Connections.Conn conn, Consumer<Event> onEvent) {
        this.conn = conn;
        this.onEvent = onEvent;
    }

    Connections.Conn conn() {
        return conn;
    }

    /** Creates a watch on {@code key}; the future carries its watch id. Call on the connection's context. */
    Future<Long> create(ByteString key) {
        if (failure != null) {
            return Future.failedFuture(failure);
        }
        Promise<Long> p = Promise.promise();
        pending = p;
        WatchRequest msg = WatchRequest.newBuilder()
                .setCreateRequest(WatchCreateRequest.newBuilder().setKey(key)).build();
        if (request == null) {
            conn.stream(WatchGrpcClient.Watch).onComplete(ar -> {
                if (ar.failed()) {
                    fail(Connections.RpcException.of(null, ar.cause()));
                    return;
                }
                request = ar.result();
                request.exceptionHandler(e -> fail(Connections.RpcException.of(null, e)));
                request.write(msg);
                request.response().onComplete(rr -> {
                    if (rr.failed()) {
                        fail(Connections.RpcException.of(null, rr.cause()));
                        return;
                    }
                    var resp = rr.result();
                    if (resp.status() != null && resp.status() != GrpcStatus.OK) {
                        fail(Connections.RpcException.status(resp.status(), resp.statusMessage(), null));
                        return;
                    }
                    resp.handler(this::onResponse);
                    resp.exceptionHandler(e -> fail(Connections.RpcException.of(resp, e)));
                    resp.endHandler(v -> fail(resp.status() != null && resp.status() != GrpcStatus.OK
                            ? Connections.RpcException.status(resp.status(), resp.statusMessage(), null)
                            : Connections.RpcException.status(GrpcStatus.UNAVAILABLE, "watch stream ended", null)));
                });
            });
        } else {
            request.write(msg);
        }
        return p.future();
    }

    private void onResponse(WatchResponse r) {
        if (r.getCreated()) {
            Promise<Long> p = pending;
            pending = null;
            if (p != null) {
                if (r.getCanceled()) {
                    p.tryFail(new Connections.RpcException("watch canceled: " + r.getCancelReason(), null));
                } else {
                    p.tryComplete(r.getWatchId());
                }
            }
        }
        for (Event e : r.getEventsList()) {
            onEvent.accept(e);
        }
    }

    private void fail(Connections.RpcException e) {
        if (failure == null) {
            failure = e;
        }
        Promise<Long> p = pending;
        pending = null;
        if (p != null) {
            p.tryFail(e);
        }
    }

    /** Half-closes the stream (the server then ends it). */
    void close() {
        if (request != null) {
            GrpcClientRequest<WatchRequest, WatchResponse> r = request;
            conn.context.runOnContext(v -> r.end());
        }
    }

    static long decodeNanos(ByteString v) {
        if (v.size() < 8) {
            return Long.MIN_VALUE;
        }
        long n = 0;
        for (int i = 0; i < 8; i++) {
            n = (n << 8) | (v.byteAt(i) & 0xff);
        }
        return n;
    }

    static ByteString encodeNanos(long n, int size) {
        byte[] b = new byte[Math.max(8, size)];
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) n;
            n >>>= 8;
        }
        return ByteString.copyFrom(b);
    }
}
