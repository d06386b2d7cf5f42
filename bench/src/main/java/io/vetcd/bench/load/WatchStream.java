package io.vetcd.bench.load;

import com.google.protobuf.ByteString;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
    private GrpcConnection.Call<WatchRequest> call;
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
        if (call == null) {
            call = conn.stream(WatchGrpcClient.Watch, new GrpcConnection.Listener<>() {
                @Override
                public void onMessage(WatchResponse message) {
                    onResponse(message);
                }

                @Override
                public void onClose(Connections.RpcException error) {
                    fail(error != null ? error
                            : Connections.RpcException.status(GrpcStatus.UNAVAILABLE, "watch stream ended", null));
                }
            });
        }
        call.write(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(key)).build(),
                false);
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
        if (call != null) {
            GrpcConnection.Call<WatchRequest> c = call;
            conn.context.runOnContext(v -> c.halfClose());
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
