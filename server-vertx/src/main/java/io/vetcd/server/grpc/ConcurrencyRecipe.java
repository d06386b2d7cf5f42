package io.vetcd.server.grpc;

import com.google.protobuf.ByteString;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.InvalidMessageException;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vetcd.core.EtcdError;
import io.vetcd.core.EtcdException;
import io.vetcd.core.KvStore;
import io.vetcd.core.watch.WatchSink;
import io.vetcd.core.watch.WatchSpec;
import io.vetcd.core.watch.Watcher;
import io.vetcd.proto.etcdserverpb.Compare;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.LeaseGrantRequest;
import io.vetcd.proto.etcdserverpb.LeaseGrantResponse;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RangeResponse;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.ResponseHeader;
import io.vetcd.proto.mvccpb.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the Lock and Election services share: etcd's {@code clientv3/concurrency} recipes over the KV API
 * (the key layout {@code <name>/<lease id in hex>}, "the first-created key under the prefix holds it",
 * "wait until every key created before mine is deleted"), and the plumbing of a unary call that can wait
 * for a long time and must learn that its client went away.
 *
 * <p>Threads: a call's state lives on its Vert.x context. Store futures may complete on the writer's
 * thread and watch sinks are called by the writer: both only hand work to the context
 * ({@link Call#executor}), never run it there.
 *
 * <p>Errors: etcd 3.4 runs these services as a client of its own KV API, and returns that client's errors
 * (and the recipes' own, such as {@code election: not leader}) as plain Go errors, which gRPC sends as
 * UNKNOWN with the error's text (checked against etcd 3.4.23: a lock with an unknown lease fails with
 * UNKNOWN {@code etcdserver: requested lease not found}).
 */
final class ConcurrencyRecipe {
    private static final Logger LOG = Logger.getLogger(ConcurrencyRecipe.class.getName());
    private static final ByteString SLASH = ByteString.copyFromUtf8("/");
    /** The TTL of the lease etcd's session grants when a request names no lease (concurrency's default). */
    static final long DEFAULT_SESSION_TTL_SECONDS = 60;

    private ConcurrencyRecipe() {}

    /** A recipe's own error (etcd's Go error text), sent as UNKNOWN like every error of these services. */
    static final class RecipeException extends RuntimeException {
        RecipeException(String message) {
            super(message, null, false, false);
        }
    }

    static final String NOT_LEADER = "election: not leader";
    static final String NO_LEADER = "election: no leader";
    static final String MISSING_LEADER_KEY = "\"leader\" field must be provided";

    // ---- keys and requests

    /** {@code <name>/}: the prefix under which the waiters' keys live. */
    static ByteString prefix(ByteString name) {
        return name.concat(SLASH);
    }

    /** {@code <name>/<lease in lowercase hex>}, as Go's {@code fmt.Sprintf("%s%x", pfx, leaseID)}. */
    static ByteString ownKey(ByteString prefix, long lease) {
        String hex = lease < 0 ? "-" + Long.toHexString(-lease) : Long.toHexString(lease);
        return prefix.concat(ByteString.copyFromUtf8(hex));
    }

    /** clientv3's {@code GetPrefixRangeEnd}: the end of the range of keys starting with {@code prefix}. */
    static ByteString prefixEnd(ByteString prefix) {
        byte[] end = prefix.toByteArray();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return ByteString.copyFrom(end, 0, i + 1);
            }
        }
        return ByteString.copyFrom(new byte[] {0}); // every key from the prefix on
    }

    /** clientv3's {@code WithFirstCreate()} over the prefix: the key created first, alone. */
    static RangeRequest firstCreated(ByteString prefix) {
        return RangeRequest.newBuilder().setKey(prefix).setRangeEnd(prefixEnd(prefix))
                .setSortTarget(RangeRequest.SortTarget.CREATE).setSortOrder(RangeRequest.SortOrder.ASCEND)
                .setLimit(1).build();
    }

    /** {@code WithLastCreate()} and {@code WithMaxCreateRev(max)}: the last key created at or before {@code max}. */
    static RangeRequest lastCreatedUpTo(ByteString prefix, long maxCreateRevision) {
        return RangeRequest.newBuilder().setKey(prefix).setRangeEnd(prefixEnd(prefix))
                .setSortTarget(RangeRequest.SortTarget.CREATE).setSortOrder(RangeRequest.SortOrder.DESCEND)
                .setMaxCreateRevision(maxCreateRevision).setLimit(1).build();
    }

    static Compare createRevisionIs(ByteString key, long revision) {
        return Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.CREATE)
                .setResult(Compare.CompareResult.EQUAL).setCreateRevision(revision).build();
    }

    static RequestOp putOp(ByteString key, ByteString value, long lease) {
        return RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key).setValue(value)
                .setLease(lease)).build();
    }

    static RequestOp rangeOp(RangeRequest range) {
        return RequestOp.newBuilder().setRequestRange(range).build();
    }

    static RequestOp getOp(ByteString key) {
        return rangeOp(RangeRequest.newBuilder().setKey(key).build());
    }

    static RequestOp deleteOp(ByteString key) {
        return RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(key)).build();
    }

    /**
     * The lease a request's session uses: the one it names, or (lease 0) a fresh one of
     * {@value #DEFAULT_SESSION_TTL_SECONDS} s that nobody keeps alive, as etcd's {@code NewSession} grants
     * (checked against etcd 3.4: a lock with lease 0 succeeds, its key attached to a new lease). Completes on
     * the call's context.
     */
    static CompletableFuture<Long> sessionLease(KvStore store, Call call, long lease) {
        if (lease != 0) {
            return CompletableFuture.completedFuture(lease);
        }
        return store.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(DEFAULT_SESSION_TTL_SECONDS).build())
                .thenApplyAsync(LeaseGrantResponse::getID, call.executor);
    }

    // ---- waiting for deletes

    /**
     * etcd's {@code waitDeletes}: until no key under {@code prefix} created at or before
     * {@code maxCreateRevision} is left, watch the last-created of them for its deletion. Completes (on the
     * call's context) with the header of the range that found none; fails if the call is canceled.
     */
    static CompletableFuture<ResponseHeader> waitDeletes(KvStore store, Call call, ByteString prefix,
                                                         long maxCreateRevision) {
        if (call.canceled()) {
            return CompletableFuture.failedFuture(new CancellationException("canceled"));
        }
        RangeResponse last;
        try {
            last = store.range(lastCreatedUpTo(prefix, maxCreateRevision));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (last.getKvsCount() == 0) {
            return CompletableFuture.completedFuture(last.getHeader());
        }
        return waitDelete(store, call, last.getKvs(0).getKey(), last.getHeader().getRevision())
                .thenCompose(deleted -> waitDeletes(store, call, prefix, maxCreateRevision));
    }

    /**
     * etcd's {@code waitDelete}: watches {@code key} from {@code revision} (the revision of the read that
     * saw it, so a delete after that read is not missed) until a DELETE event. Completes on the context.
     */
    static CompletableFuture<Void> waitDelete(KvStore store, Call call, ByteString key, long revision) {
        CompletableFuture<Void> deleted = new CompletableFuture<>(); // completed on the context only
        AtomicBoolean fired = new AtomicBoolean();
        WatchSink sink = new WatchSink() {
            @Override
            public boolean events(List<Event> events, long atRevision) { // writer thread
                for (Event event : events) {
                    if (event.getType() == Event.EventType.DELETE) {
                        if (fired.compareAndSet(false, true)) {
                            // the store publishes a revision before its events: reads now see the delete
                            call.context.runOnContext(v -> deleted.complete(null));
                        }
                        break;
                    }
                }
                return true;
            }

            @Override
            public void compacted(long compactRevision, long atRevision) { // writer thread
                if (fired.compareAndSet(false, true)) {
                    call.context.runOnContext(v -> deleted.completeExceptionally(EtcdError.COMPACTED.exception()));
                }
            }
        };
        Watcher[] handle = new Watcher[1];
        call.onCancel(() -> deleted.completeExceptionally(new CancellationException("canceled")));
        deleted.whenComplete((v, e) -> {
            if (handle[0] != null) {
                handle[0].cancel();
            }
        });
        store.watch(new WatchSpec(key, ByteString.EMPTY, revision, true, false, false), sink)
                .whenComplete((watcher, error) -> call.context.runOnContext(v -> {
                    if (error != null) {
                        deleted.completeExceptionally(error);
                    } else if (deleted.isDone()) {
                        watcher.cancel();
                    } else {
                        handle[0] = watcher;
                    }
                }));
        return deleted;
    }

    // ---- unary calls that wait

    /**
     * One call's cancellation state, on its context: the handler registers what to undo should the client
     * go away before the answer (etcd's handlers see their context canceled).
     */
    static final class Call {
        final Context context;
        final Executor executor;
        private final List<Runnable> onCancel = new ArrayList<>();
        private boolean canceled;
        private boolean finished;

        Call(Context context) {
            this.context = context;
            this.executor = task -> context.runOnContext(v -> task.run());
        }

        boolean canceled() {
            return canceled;
        }

        /** Runs {@code action} when the call is canceled (now, if it already is); never after it is answered. */
        void onCancel(Runnable action) {
            if (canceled) {
                action.run();
            } else if (!finished) {
                onCancel.add(action);
            }
        }

        void cancel() {
            if (canceled || finished) {
                return;
            }
            canceled = true;
            List<Runnable> actions = new ArrayList<>(onCancel);
            onCancel.clear();
            for (Runnable action : actions) {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "canceling a call", e);
                }
            }
        }

        void finish() {
            finished = true;
            onCancel.clear();
        }
    }

    /**
     * Serves a unary {@code method} whose handler may take long (a lock that waits): the handler's future
     * is answered on the call's context; a client that cancels the call or closes its connection before the
     * answer cancels the {@link Call}. Wire errors are answered as in {@link Replies}.
     */
    static <Req, Resp> void serve(GrpcServer server, ServiceMethod<Req, Resp> method, long maxMessageBytes,
                                  BiFunction<Req, Call, CompletableFuture<Resp>> handler) {
        server.callHandler(method, request -> new UnaryCall<>(method, request, maxMessageBytes, handler).start());
    }

    private static final class UnaryCall<Req, Resp> {
        private final ServiceMethod<Req, Resp> method;
        private final GrpcServerRequest<Req, Resp> request;
        private final long maxMessageBytes;
        private final BiFunction<Req, Call, CompletableFuture<Resp>> handler;
        private final Call call;
        private boolean received;
        private boolean answered;

        UnaryCall(ServiceMethod<Req, Resp> method, GrpcServerRequest<Req, Resp> request, long maxMessageBytes,
                  BiFunction<Req, Call, CompletableFuture<Resp>> handler) {
            this.method = method;
            this.request = request;
            this.maxMessageBytes = maxMessageBytes;
            this.handler = handler;
            this.call = new Call(Vertx.currentContext());
        }

        void start() {
            request.invalidMessageHandler(this::invalid);
            request.messageHandler(this::message);
            request.endHandler(v -> {
                if (!received) {
                    status(GrpcStatus.UNKNOWN, "unexpected EOF");
                }
            });
            request.errorHandler(e -> gone()); // the client canceled the call (or its deadline passed)
            request.exceptionHandler(e -> gone()); // the stream was reset or the connection closed
            request.response().exceptionHandler(e -> gone());
        }

        private void gone() {
            answered = true;
            call.cancel();
        }

        private void message(GrpcMessage message) {
            if (received || answered) {
                return;
            }
            received = true;
            Req decoded = RequestDecoding.SINGLE.decode(message, method.decoder(), this::status);
            if (decoded == null) {
                return;
            }
            CompletableFuture<Resp> future;
            try {
                future = handler.apply(decoded, call);
            } catch (RuntimeException e) {
                reply(null, e);
                return;
            }
            future.whenComplete((response, error) -> {
                if (Vertx.currentContext() == call.context) {
                    reply(response, error);
                } else {
                    call.context.runOnContext(v -> reply(response, error));
                }
            });
        }

        private void reply(Resp response, Throwable error) {
            call.finish();
            if (answered) {
                return;
            }
            if (error == null) {
                answered = true;
                request.response().end(response);
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof EtcdException || cause instanceof RecipeException) {
                status(GrpcStatus.UNKNOWN, cause.getMessage());
            } else if (cause instanceof CancellationException) {
                status(GrpcStatus.CANCELLED, "context canceled");
            } else {
                LOG.log(Level.SEVERE, "internal error answering " + request.fullMethodName(), cause);
                status(GrpcStatus.UNKNOWN, String.valueOf(cause));
            }
        }

        private void invalid(InvalidMessageException invalid) {
            received = true;
            RequestDecoding.SINGLE.invalid(invalid, maxMessageBytes, this::status);
        }

        private void status(GrpcStatus status, String message) {
            if (!answered) {
                answered = true;
                request.response().status(status).statusMessage(message).end();
            }
        }
    }
}
