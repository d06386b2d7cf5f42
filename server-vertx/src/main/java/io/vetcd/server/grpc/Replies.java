package io.vetcd.server.grpc;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.common.ServiceMethod;
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
 */
final class Replies {
    private static final Logger LOG = Logger.getLogger(Replies.class.getName());

    private Replies() {}

    /** Serves {@code method} with a handler answering on the event loop (reads). */
    static <Req, Resp> void unary(GrpcServer server, ServiceMethod<Req, Resp> method, Function<Req, Resp> handler) {
        server.callHandler(method, call -> call.handler(request -> {
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
    static <Req, Resp> void async(GrpcServer server, ServiceMethod<Req, Resp> method,
                                  Function<Req, CompletableFuture<Resp>> handler) {
        server.callHandler(method, call -> call.handler(request -> {
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
