package io.vetcd.bench.load;

import io.netty.channel.ChannelFuture;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code --conns} HTTP/2 connections ({@link GrpcConnection}), each owned by its own event-loop context
 * (a verticle deployment): everything that goes over connection {@code i} is issued and completed on
 * {@code context(i)}. Connections are spread round-robin over the endpoints.
 */
public final class Connections implements AutoCloseable {
    private final Vertx vertx;
    private final boolean ownVertx;
    private final List<Conn> conns = new ArrayList<>();

    /** One HTTP/2 connection: its context, and the endpoint it talks to. */
    public static final class Conn {
        public final int index;
        public final Context context;
        public final SocketAddress address;
        private final GrpcConnection connection;

        Conn(int index, Context context, GrpcConnection connection, SocketAddress address) {
            this.index = index;
            this.context = context;
            this.connection = connection;
            this.address = address;
        }

        /**
         * One unary call, from any thread (it is issued on the connection's event loop); a non-OK status
         * fails the future with an etcd-benchmark-like {@link RpcException}.
         */
        public <Req, Resp> Future<Resp> unary(ServiceMethod<Resp, Req> method, Req request) {
            Promise<Resp> promise = Promise.promise();
            GrpcConnection.Listener<Resp> listener = new GrpcConnection.Listener<>() {
                private Resp response;

                @Override
                public void onMessage(Resp message) {
                    response = message;
                }

                @Override
                public void onClose(RpcException error) {
                    if (error != null) {
                        promise.fail(error);
                    } else if (response == null) {
                        promise.fail(RpcException.status(GrpcStatus.INTERNAL, "no response message", null));
                    } else {
                        promise.complete(response);
                    }
                }
            };
            if (context.isEventLoopContext() && ((ContextInternal) context).nettyEventLoop().inEventLoop()) {
                connection.unary(method, request, listener);
            } else {
                context.runOnContext(v -> connection.unary(method, request, listener));
            }
            return promise.future();
        }

        /** Opens a bidirectional stream; call on {@link #context}, where the listener is called too. */
        public <Req, Resp> GrpcConnection.Call<Req> stream(ServiceMethod<Resp, Req> method,
                                                            GrpcConnection.Listener<Resp> listener) {
            return connection.open(method, listener);
        }

        /** {@link #stream(ServiceMethod, GrpcConnection.Listener)} with responses read by {@code decoder}. */
        public <Req, Resp> GrpcConnection.Call<Req> stream(ServiceMethod<?, Req> method,
                                                            GrpcConnection.RawDecoder<Resp> decoder,
                                                            GrpcConnection.Listener<Resp> listener) {
            return connection.open(method, decoder, listener);
        }
    }

    /** A gRPC failure, with grpc-go's text: {@code rpc error: code = Unimplemented desc = ...}. */
    public static final class RpcException extends RuntimeException {
        RpcException(String message, Throwable cause) {
            super(message, cause, false, false);
        }

        static RpcException of(Throwable err) {
            if (err instanceof RpcException r) {
                return r;
            }
            String msg = err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage();
            return new RpcException("rpc error: code = Unavailable desc = " + msg, err);
        }

        static RpcException status(GrpcStatus status, String message, Throwable cause) {
            return new RpcException("rpc error: code = " + goName(status) + " desc = "
                    + (message == null ? "" : message), cause);
        }

        /** grpc-go's name of a code: DEADLINE_EXCEEDED is DeadlineExceeded. */
        static String goName(GrpcStatus status) {
            StringBuilder b = new StringBuilder();
            for (String part : status.name().split("_")) {
                b.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
            }
            return b.toString();
        }
    }

    /** A verticle whose only use is to own an event-loop context. */
    private static final class Holder extends AbstractVerticle {
        private final Promise<Context> ready;

        Holder(Promise<Context> ready) {
            this.ready = ready;
        }

        @Override
        public void start() {
            ready.complete(context);
        }
    }

    public Connections(List<String> endpoints, int count, long dialTimeoutMs) {
        this(null, endpoints, count, dialTimeoutMs);
    }

    /** @param vertx a Vert.x to use (closed by the caller), or null to create one here */
    public Connections(Vertx vertx, List<String> endpoints, int count, long dialTimeoutMs) {
        this.ownVertx = vertx == null;
        this.vertx = vertx != null ? vertx : Vertx.vertx(new VertxOptions()
                .setEventLoopPoolSize(Math.max(1, Math.min(count, Runtime.getRuntime().availableProcessors()))));
        try {
            for (int i = 0; i < count; i++) {
                SocketAddress address = parseEndpoint(endpoints.get(i % endpoints.size()));
                Promise<Context> ready = Promise.promise();
                await(this.vertx.deployVerticle(new Holder(ready), new DeploymentOptions()));
                Context ctx = await(ready.future());
                GrpcConnection[] connection = new GrpcConnection[1];
                ChannelFuture connected = GrpcConnection.connect(((VertxInternal) this.vertx).transport(),
                        ((ContextInternal) ctx).nettyEventLoop(), address, (int) dialTimeoutMs, connection);
                conns.add(new Conn(i, ctx, connection[0], address));
                if (!connected.awaitUninterruptibly().isSuccess()) {
                    throw RpcException.of(connected.cause());
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    static SocketAddress parseEndpoint(String endpoint) {
        String e = endpoint.trim();
        int scheme = e.indexOf("://");
        if (scheme >= 0) {
            e = e.substring(scheme + 3);
        }
        if (e.endsWith("/")) {
            e = e.substring(0, e.length() - 1);
        }
        int colon = e.lastIndexOf(':');
        if (colon < 0) {
            return SocketAddress.inetSocketAddress(2379, e);
        }
        return SocketAddress.inetSocketAddress(Integer.parseInt(e.substring(colon + 1)), e.substring(0, colon));
    }

    public Vertx vertx() {
        return vertx;
    }

    public int size() {
        return conns.size();
    }

    public Conn get(int i) {
        return conns.get(i % conns.size());
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException r ? r : new IllegalStateException(c);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (Conn c : conns) {
            c.connection.close();
        }
        conns.clear();
        if (ownVertx) {
            try {
                await(vertx.close());
            } catch (RuntimeException ignored) {
                // closing anyway
            }
        }
    }
}
