package io.vetcd.server.grpc;

import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.InvalidMessageException;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vetcd.core.EtcdException;
import io.vetcd.core.KvStore;
import io.vetcd.proto.etcdserverpb.LeaseGrpcService;
import io.vetcd.proto.etcdserverpb.LeaseKeepAliveRequest;
import io.vetcd.proto.etcdserverpb.LeaseKeepAliveResponse;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One LeaseKeepAlive call (etcd's {@code LeaseServer.leaseKeepAlive}): every request renews its lease
 * and is answered at once, so the responses leave in the order of the requests. A lease the store does
 * not hold (unknown, revoked or expired) is answered as etcd 3.4 answers it: its ID with TTL 0, and the
 * stream goes on. The end of the client's requests ends the call with OK, as etcd's receive loop does
 * on EOF.
 *
 * <p>Everything runs on the call's event loop. Messages are decoded here rather than by Vert.x (which
 * resets the stream when one does not decode), so a malformed message gets grpc-go's status instead.
 * While the client does not read (the response's write queue is full) no request is read either.
 */
final class LeaseKeepAliveStream {
    private static final Logger LOG = Logger.getLogger(LeaseKeepAliveStream.class.getName());

    private final KvStore store;
    private final GrpcServerRequest<LeaseKeepAliveRequest, LeaseKeepAliveResponse> call;
    private final GrpcServerResponse<LeaseKeepAliveRequest, LeaseKeepAliveResponse> response;
    private boolean paused;
    private boolean closed;

    LeaseKeepAliveStream(KvStore store, GrpcServerRequest<LeaseKeepAliveRequest, LeaseKeepAliveResponse> call) {
        this.store = store;
        this.call = call;
        this.response = call.response();
    }

    void start() {
        call.invalidMessageHandler(this::invalid);
        call.messageHandler(this::message);
        call.endHandler(v -> {
            if (!closed) {
                closed = true;
                response.end();
            }
        });
        call.errorHandler(error -> closed = true); // the client canceled the call
        call.exceptionHandler(e -> closed = true); // the connection closed
        response.exceptionHandler(e -> closed = true);
        response.drainHandler(v -> {
            if (paused && !closed) {
                paused = false;
                call.resume();
            }
        });
    }

    private void message(GrpcMessage message) {
        if (closed) {
            return;
        }
        LeaseKeepAliveRequest request =
                RequestDecoding.STREAMED.decode(message, LeaseGrpcService.LeaseKeepAlive.decoder(), this::fail);
        if (request == null) {
            return;
        }
        LeaseKeepAliveResponse answer;
        try {
            answer = store.leaseKeepAlive(request.getID());
        } catch (EtcdException e) {
            fail(GrpcStatus.valueOf(e.error().grpcCode()), e.getMessage());
            return;
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "internal error renewing lease " + request.getID(), e);
            fail(GrpcStatus.INTERNAL, String.valueOf(e));
            return;
        }
        if (answer.getID() != request.getID()) {
            answer = answer.toBuilder().setID(request.getID()).build(); // etcd echoes the ID, known or not
        }
        response.write(answer);
        if (response.writeQueueFull() && !paused) {
            paused = true;
            call.pause();
        }
    }

    private void invalid(InvalidMessageException invalid) {
        RequestDecoding.STREAMED.invalid(invalid, store.limits().maxGrpcMessageBytes(), this::fail);
    }

    private void fail(GrpcStatus status, String message) {
        if (closed) {
            return;
        }
        closed = true;
        response.status(status).statusMessage(message).end();
    }
}
