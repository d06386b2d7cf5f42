package io.vetcd.server.grpc;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.InvalidMessageException;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vetcd.core.EtcdException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Answers unary gRPC calls: exactly one response, or one status with etcd's code and message, for
 * every call, whatever arrives on the wire.
 *
 * <p>What a call can receive, and the answer (grpc-go's, and so etcd's, for the wire errors):
 * <ul>
 *   <li>a request: the handler's response, or its {@link EtcdException} as etcd's status;</li>
 *   <li>a message over the size limit: RESOURCE_EXHAUSTED
 *       {@code grpc: received message larger than max (<size> vs. <limit>)};</li>
 *   <li>bytes that do not decode (or a compressed frame without an encoding): INTERNAL
 *       {@code grpc: error unmarshalling request: ...};</li>
 *   <li>the end of the stream without a whole message: UNKNOWN {@code unexpected EOF}.</li>
 * </ul>
 * A write usually completes on the call's own event loop (it applied it); one applied by another thread
 * completes there, and the reply is still sent from the call's event loop.
 */
final class Replies {
    private static final Logger LOG = Logger.getLogger(Replies.class.getName());

    private Replies() {}

    /** Serves {@code method} with a handler answering on the event loop (reads). */
    static <Req, Resp> void unary(GrpcServer server, ServiceMethod<Req, Resp> method, long maxMessageBytes,
                                  Function<Req, Resp> handler) {
        async(server, method, maxMessageBytes, request -> CompletableFuture.completedFuture(handler.apply(request)));
    }

    /**
     * Serves {@code method} with a handler whose answer may complete later, on any thread (writes).
     *
     * @param maxMessageBytes the server's gRPC message limit, for the refusal's message
     */
    static <Req, Resp> void async(GrpcServer server, ServiceMethod<Req, Resp> method, long maxMessageBytes,
                                  Function<Req, CompletableFuture<Resp>> handler) {
        server.callHandler(method, call -> new UnaryCall<>(method, call, maxMessageBytes, handler).start());
    }

    /** One call's state; every handler runs on the call's event loop. */
    private static final class UnaryCall<Req, Resp> {
        private final ServiceMethod<Req, Resp> method;
        private final GrpcServerRequest<Req, Resp> call;
        private final long maxMessageBytes;
        private final Function<Req, CompletableFuture<Resp>> handler;
        private boolean received;
        private boolean answered;

        UnaryCall(ServiceMethod<Req, Resp> method, GrpcServerRequest<Req, Resp> call, long maxMessageBytes,
                  Function<Req, CompletableFuture<Resp>> handler) {
            this.method = method;
            this.call = call;
            this.maxMessageBytes = maxMessageBytes;
            this.handler = handler;
        }

        void start() {
            call.invalidMessageHandler(this::invalid);
            // Decoded here rather than by Vert.x, which resets the stream when a message does not decode.
            call.messageHandler(this::message);
            call.endHandler(v -> {
                if (!received) {
                    status(GrpcStatus.UNKNOWN, "unexpected EOF");
                }
            });
            call.exceptionHandler(e -> answered = true); // the stream is gone (reset, connection closed)
        }

        private void message(GrpcMessage message) {
            if (received || answered) {
                return; // a unary call takes one message; grpc-go ignores what follows too
            }
            received = true;
            Req request = RequestDecoding.SINGLE.decode(message, method.decoder(), this::status);
            if (request != null) {
                request(request);
            }
        }

        private void request(Req request) {
            CompletableFuture<Resp> future;
            try {
                future = handler.apply(request);
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
            if (future.isDone()) {
                future.whenComplete(this::reply); // runs now, on this event loop
            } else {
                Context context = Vertx.currentContext();
                future.whenComplete((response, error) -> context.runOnContext(v -> reply(response, error)));
            }
        }

        private void reply(Resp response, Throwable error) {
            if (error != null) {
                fail(error);
            } else if (!answered) {
                answered = true;
                call.response().end(response);
            }
        }

        private void invalid(InvalidMessageException invalid) {
            received = true;
            RequestDecoding.SINGLE.invalid(invalid, maxMessageBytes, this::status);
        }

        private void fail(Throwable error) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof EtcdException etcd) {
                status(GrpcStatus.valueOf(etcd.error().grpcCode()), etcd.getMessage());
            } else {
                LOG.log(Level.SEVERE, "internal error answering " + call.fullMethodName(), cause);
                status(GrpcStatus.INTERNAL, String.valueOf(cause));
            }
        }

        private void status(GrpcStatus status, String message) {
            if (!answered) {
                answered = true;
                call.response().status(status).statusMessage(message).end();
            }
        }
    }
}
