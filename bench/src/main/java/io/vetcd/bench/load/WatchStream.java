package io.vetcd.bench.load;

import com.google.protobuf.ByteString;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.grpc.common.GrpcStatus;
import io.vetcd.proto.etcdserverpb.WatchCreateRequest;
import io.vetcd.proto.etcdserverpb.WatchGrpcClient;
import io.vetcd.proto.etcdserverpb.WatchRequest;

/**
 * One Watch stream on one connection; all its callbacks run on that connection's context. Watches are
 * created one at a time ({@link #create} answers when the server says {@code created}); every event
 * of every watch goes to the event handler. A stream the server refuses (vetcd: UNIMPLEMENTED) fails
 * the pending and every later creation with grpc-go's error text.
 *
 * <p>Responses are read by a {@link WatchResponseReader} (no protobuf objects): the load tool must decode
 * ~1M events/s on the machine it shares with the server. A response it cannot read fails the stream.
 */
final class WatchStream {
    /** Receives the events of each response, on the stream's connection context. */
    interface Events {
        /**
         * @param putNanos per event, {@link #decodeNanos} of its kv's value (Long.MIN_VALUE when shorter
         *                 than 8 bytes); only {@code [0, count)} is valid, and only during the call
         */
        void onEvents(long[] putNanos, int count);
    }

    private final Connections.Conn conn;
    private final Events onEvents;
    private final WatchResponseReader reader = new WatchResponseReader();
    private GrpcConnection.Call<WatchRequest> call;
    private Promise<Long> pending;
    private Connections.RpcException failure;

    WatchStream(Connections.Conn conn, Events onEvents) {
        this.conn = conn;
        this.onEvents = onEvents;
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
            call = conn.stream(WatchGrpcClient.Watch, reader, new GrpcConnection.Listener<WatchResponseReader>() {
                @Override
                public void onMessage(WatchResponseReader message) {
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

    private void onResponse(WatchResponseReader r) {
        if (r.created) {
            Promise<Long> p = pending;
            pending = null;
            if (p != null) {
                if (r.canceled) {
                    p.tryFail(new Connections.RpcException("watch canceled: " + r.cancelReason, null));
                } else {
                    p.tryComplete(r.watchId);
                }
            }
        }
        if (r.eventCount > 0) {
            onEvents.onEvents(r.putNanos, r.eventCount);
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
