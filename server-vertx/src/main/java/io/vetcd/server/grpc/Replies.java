package io.vetcd.server.grpc;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vetcd.core.EtcdException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Answers unary gRPC calls: a response, or the failure as etcd's status code and message.
 *
 * <p>Writes complete on the writer thread; the reply is always sent from the call's event loop.
 * A request message over the server's size limit is refused the way etcd's gRPC server (grpc-go)
 * refuses it, code and message, before anything decodes it.
 */
final class Replies {
    private static final Logger LOG = Logger.getLogger(Replies.class.getName());

    private Replies() {}

    /**
     * Serves {@code method} with a handler answering on the event loop (reads).
     *
     * @param maxMessageBytes the server's gRPC message limit, for the refusal's message
     */
    static <Req, Resp> void unary(GrpcServer server, ServiceMethod<Req, Resp> method, long maxMessageBytes,
                                  Function<Req, Resp> handler) {
        server.callHandler(method, call -> refuseOversized(call, maxMessageBytes).handler(request -> {
            Resp response;
            try {
                response = handler.apply(request);
            } catch (RuntimeException e) {
                fail(call.response(), e);
                return;
            }
            call.response().end(response);
        }));
    }

    /** Serves {@code method} with a handler whose answer completes later, on any thread (writes). */
    static <Req, Resp> void async(GrpcServer server, ServiceMethod<Req, Resp> method, long maxMessageBytes,
                                  Function<Req, CompletableFuture<Resp>> handler) {
        server.callHandler(method, call -> refuseOversized(call, maxMessageBytes).handler(request -> {
            Context context = Vertx.currentContext();
            CompletableFuture<Resp> future;
            try {
                future = handler.apply(request);
            } catch (RuntimeException e) {
                fail(call.response(), e);
                return;
            }
            future.whenComplete((response, error) -> context.runOnContext(v -> {
                if (error != null) {
                    fail(call.response(), error);
                } else {
                    call.response().end(response);
                }
            }));
        }));
    }

    /**
     * Vert.x refuses an oversized message with RESOURCE_EXHAUSTED and no message; grpc-go, and so etcd,
     * says {@code grpc: received message larger than max (<size> vs. <limit>)}, which clients show.
     * Other invalid messages keep Vert.x's answer (the call is cancelled).
     */
    private static <Req, Resp> GrpcServerRequest<Req, Resp> refuseOversized(GrpcServerRequest<Req, Resp> call,
                                                                            long maxMessageBytes) {
        call.invalidMessageHandler(invalid -> {
            if (invalid instanceof MessageSizeOverflowException overflow) {
                call.response().status(GrpcStatus.RESOURCE_EXHAUSTED)
                        .statusMessage("grpc: received message larger than max (" + overflow.messageSize()
                                + " vs. " + maxMessageBytes + ")")
                        .end();
            } else {
                call.response().cancel();
            }
        });
        return call;
    }

    static void fail(GrpcServerResponse<?, ?> response, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof EtcdException etcd) {
            response.status(GrpcStatus.valueOf(etcd.error().grpcCode())).statusMessage(etcd.getMessage()).end();
        } else {
            LOG.log(Level.SEVERE, "internal error answering a request", cause);
            response.status(GrpcStatus.INTERNAL).statusMessage(String.valueOf(cause)).end();
        }
    }
}
