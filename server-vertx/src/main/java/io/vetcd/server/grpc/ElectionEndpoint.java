package io.vetcd.server.grpc;

import static io.vetcd.server.grpc.ConcurrencyRecipe.createRevisionIs;
import static io.vetcd.server.grpc.ConcurrencyRecipe.deleteOp;
import static io.vetcd.server.grpc.ConcurrencyRecipe.firstCreated;
import static io.vetcd.server.grpc.ConcurrencyRecipe.getOp;
import static io.vetcd.server.grpc.ConcurrencyRecipe.putOp;

import com.google.protobuf.ByteString;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.InvalidMessageException;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vetcd.core.KvStore;
import io.vetcd.core.MemberIdentity;
import io.vetcd.core.watch.WatchSink;
import io.vetcd.core.watch.WatchSpec;
import io.vetcd.core.watch.Watcher;
import io.vetcd.proto.etcdserverpb.RangeResponse;
import io.vetcd.proto.etcdserverpb.ResponseHeader;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import io.vetcd.proto.etcdserverpb.TxnResponse;
import io.vetcd.proto.mvccpb.Event;
import io.vetcd.proto.mvccpb.KeyValue;
import io.vetcd.proto.v3electionpb.CampaignRequest;
import io.vetcd.proto.v3electionpb.CampaignResponse;
import io.vetcd.proto.v3electionpb.ElectionGrpcService;
import io.vetcd.proto.v3electionpb.LeaderKey;
import io.vetcd.proto.v3electionpb.LeaderRequest;
import io.vetcd.proto.v3electionpb.LeaderResponse;
import io.vetcd.proto.v3electionpb.ProclaimRequest;
import io.vetcd.proto.v3electionpb.ProclaimResponse;
import io.vetcd.proto.v3electionpb.ResignRequest;
import io.vetcd.proto.v3electionpb.ResignResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * etcd's {@code v3election.Election} service: etcd 3.4's election server runs
 * {@code clientv3/concurrency.Election} over its own KV API; this runs the same recipe over the store.
 *
 * <ul>
 *   <li>{@code Campaign(name, lease, value)}: key {@code <name>/<lease hex>} created with the value unless
 *       it exists (an existing key with another value gets the new value, as a proclamation); then waits
 *       until every key under {@code <name>/} created before it is deleted. Answers the campaign txn's
 *       header and the leader key (name, key, create revision, lease). Canceled while waiting: resigns.</li>
 *   <li>{@code Proclaim(leader, value)}: puts the value if the key still has the leader's create revision,
 *       else {@code election: not leader}.</li>
 *   <li>{@code Leader(name)}: the first-created key under the prefix, else {@code election: no leader}.</li>
 *   <li>{@code Observe(name)}: the leader now (or the first key put under the prefix when there is none),
 *       then every new value of that key; when it is deleted, the next leader, and so on.</li>
 *   <li>{@code Resign(leader)}: deletes the key if it still has the leader's create revision.</li>
 * </ul>
 * Errors are etcd's (UNKNOWN with the Go error's text; see {@link ConcurrencyRecipe}).
 */
public final class ElectionEndpoint {
    private ElectionEndpoint() {}

    public static void bind(GrpcServer server, KvStore store, MemberIdentity identity) {
        long max = store.limits().maxGrpcMessageBytes();
        ConcurrencyRecipe.serve(server, ElectionGrpcService.Campaign, max, (r, call) -> campaign(store, r, call));
        ConcurrencyRecipe.serve(server, ElectionGrpcService.Proclaim, max, (r, call) -> proclaim(store, r, call));
        ConcurrencyRecipe.serve(server, ElectionGrpcService.Leader, max, (r, call) -> leader(store, r));
        ConcurrencyRecipe.serve(server, ElectionGrpcService.Resign, max, (r, call) -> resign(store, r, call));
        server.callHandler(ElectionGrpcService.Observe, call -> new Observer(store, call, max).start());
    }

    // ---- Campaign

    private static CompletableFuture<CampaignResponse> campaign(KvStore store, CampaignRequest r,
                                                                ConcurrencyRecipe.Call call) {
        ByteString prefix = ConcurrencyRecipe.prefix(r.getName());
        return ConcurrencyRecipe.sessionLease(store, call, r.getLease()).thenCompose(lease -> {
            ByteString key = ConcurrencyRecipe.ownKey(prefix, lease);
            TxnRequest txn = TxnRequest.newBuilder()
                    .addCompare(createRevisionIs(key, 0))
                    .addSuccess(putOp(key, r.getValue(), lease))
                    .addFailure(getOp(key))
                    .build();
            return store.txn(txn).thenComposeAsync(t -> campaigned(store, call, r, prefix, key, lease, t),
                    call.executor);
        });
    }

    /** After the campaign txn: proclaim a changed value of an existing key, then wait for the keys before it. */
    private static CompletableFuture<CampaignResponse> campaigned(KvStore store, ConcurrencyRecipe.Call call,
                                                                  CampaignRequest r, ByteString prefix,
                                                                  ByteString key, long lease, TxnResponse t) {
        long revision = t.getHeader().getRevision();
        CompletableFuture<Void> ready = CompletableFuture.completedFuture(null);
        if (!t.getSucceeded()) {
            KeyValue existing = t.getResponses(0).getResponseRange().getKvs(0);
            revision = existing.getCreateRevision();
            if (!existing.getValue().equals(r.getValue())) {
                long rev = revision;
                ready = store.txn(proclamation(key, rev, lease, r.getValue())).thenApplyAsync(p -> {
                    if (!p.getSucceeded()) {
                        throw new ConcurrencyRecipe.RecipeException(ConcurrencyRecipe.NOT_LEADER);
                    }
                    return null;
                }, call.executor);
            }
        }
        long leaderRevision = revision;
        CompletableFuture<CampaignResponse> elected = ready
                .thenCompose(v -> ConcurrencyRecipe.waitDeletes(store, call, prefix, leaderRevision - 1))
                .thenApply(h -> CampaignResponse.newBuilder().setHeader(t.getHeader())
                        .setLeader(LeaderKey.newBuilder().setName(r.getName()).setKey(key)
                                .setRev(leaderRevision).setLease(lease))
                        .build());
        return elected.handle((response, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(response);
            }
            // etcd resigns when the proclamation failed or the call was canceled; so does a canceled call
            // whose txn was still in flight here, so no key is left behind.
            store.txn(resignation(key, leaderRevision));
            return CompletableFuture.<CampaignResponse>failedFuture(error);
        }).thenCompose(f -> f);
    }

    private static TxnRequest proclamation(ByteString key, long revision, long lease, ByteString value) {
        return TxnRequest.newBuilder().addCompare(createRevisionIs(key, revision))
                .addSuccess(putOp(key, value, lease)).build();
    }

    private static TxnRequest resignation(ByteString key, long revision) {
        return TxnRequest.newBuilder().addCompare(createRevisionIs(key, revision)).addSuccess(deleteOp(key)).build();
    }

    // ---- Proclaim, Leader, Resign

    private static CompletableFuture<ProclaimResponse> proclaim(KvStore store, ProclaimRequest r,
                                                                ConcurrencyRecipe.Call call) {
        if (!r.hasLeader()) {
            return CompletableFuture.failedFuture(
                    new ConcurrencyRecipe.RecipeException(ConcurrencyRecipe.MISSING_LEADER_KEY));
        }
        LeaderKey leader = r.getLeader();
        return ConcurrencyRecipe.sessionLease(store, call, leader.getLease())
                .thenCompose(lease -> store.txn(proclamation(leader.getKey(), leader.getRev(), lease, r.getValue())))
                .thenApply(t -> {
                    if (!t.getSucceeded()) {
                        throw new ConcurrencyRecipe.RecipeException(ConcurrencyRecipe.NOT_LEADER);
                    }
                    return ProclaimResponse.newBuilder().setHeader(t.getHeader()).build();
                });
    }

    private static CompletableFuture<LeaderResponse> leader(KvStore store, LeaderRequest r) {
        RangeResponse range = store.range(firstCreated(ConcurrencyRecipe.prefix(r.getName())));
        if (range.getKvsCount() == 0) {
            return CompletableFuture.failedFuture(new ConcurrencyRecipe.RecipeException(ConcurrencyRecipe.NO_LEADER));
        }
        return CompletableFuture.completedFuture(
                LeaderResponse.newBuilder().setHeader(range.getHeader()).setKv(range.getKvs(0)).build());
    }

    private static CompletableFuture<ResignResponse> resign(KvStore store, ResignRequest r,
                                                            ConcurrencyRecipe.Call call) {
        if (!r.hasLeader()) {
            return CompletableFuture.failedFuture(
                    new ConcurrencyRecipe.RecipeException(ConcurrencyRecipe.MISSING_LEADER_KEY));
        }
        LeaderKey leader = r.getLeader();
        // etcd opens a session with the leader's lease first (granting one if it is 0): same here.
        return ConcurrencyRecipe.sessionLease(store, call, leader.getLease())
                .thenCompose(lease -> store.txn(resignation(leader.getKey(), leader.getRev())))
                .thenApply(t -> ResignResponse.newBuilder().setHeader(t.getHeader()).build());
    }

    // ---- Observe

    /**
     * One {@code Observe} stream, on its context: etcd's {@code Election.observe} loop. A watch that
     * ends (compacted) ends the stream with OK, as etcd's observe channel closes.
     */
    private static final class Observer {
        private final KvStore store;
        private final GrpcServerRequest<LeaderRequest, LeaderResponse> call;
        private final long maxMessageBytes;
        private final Context context;
        private ByteString prefix;
        private boolean received;
        private boolean closed;
        /** The current watch, and a flag its sink checks so that nothing of an old watch is handled. */
        private Watcher watcher;
        private AtomicBoolean current = new AtomicBoolean();

        Observer(KvStore store, GrpcServerRequest<LeaderRequest, LeaderResponse> call, long maxMessageBytes) {
            this.store = store;
            this.call = call;
            this.maxMessageBytes = maxMessageBytes;
            this.context = Vertx.currentContext();
        }

        void start() {
            call.invalidMessageHandler(this::invalid);
            call.messageHandler(this::message);
            call.endHandler(v -> {
                if (!received) {
                    fail(GrpcStatus.UNKNOWN, "unexpected EOF");
                }
            });
            call.errorHandler(e -> close());
            call.exceptionHandler(e -> close());
            call.response().exceptionHandler(e -> close());
        }

        private void message(GrpcMessage message) {
            if (received || closed) {
                return;
            }
            received = true;
            LeaderRequest request = RequestDecoding.SINGLE.decode(message, ElectionGrpcService.Observe.decoder(),
                    this::fail);
            if (request == null) {
                return;
            }
            prefix = ConcurrencyRecipe.prefix(request.getName());
            lookup();
        }

        private void invalid(InvalidMessageException invalid) {
            received = true;
            RequestDecoding.SINGLE.invalid(invalid, maxMessageBytes, this::fail);
        }

        /** The head of etcd's loop: the leader now, or else the first key put under the prefix. */
        private void lookup() {
            if (closed) {
                return;
            }
            RangeResponse range;
            try {
                range = store.range(firstCreated(prefix));
            } catch (RuntimeException e) {
                end();
                return;
            }
            ResponseHeader template = range.getHeader();
            if (range.getKvsCount() > 0) {
                leader(range.getHeader(), range.getKvs(0));
                return;
            }
            WatchSpec spec = new WatchSpec(prefix, ConcurrencyRecipe.prefixEnd(prefix),
                    template.getRevision(), false, true, false);
            watch(spec, (events, revision) -> {
                for (Event event : events) {
                    if (event.getType() == Event.EventType.PUT) {
                        // etcd reports it at its own mod revision (a batch may hold several puts)
                        leader(template.toBuilder().setRevision(event.getKv().getModRevision()).build(),
                                event.getKv());
                        return;
                    }
                }
            });
        }

        /** Sends the leader, then follows its key: every new value is sent; its deletion starts over. */
        private void leader(ResponseHeader header, KeyValue kv) {
            send(LeaderResponse.newBuilder().setHeader(header).setKv(kv).build());
            WatchSpec spec = new WatchSpec(kv.getKey(), ByteString.EMPTY, header.getRevision() + 1,
                    false, false, false);
            watch(spec, (events, revision) -> {
                for (Event event : events) {
                    if (event.getType() == Event.EventType.DELETE) {
                        // the next lookup sees the deletion: the store publishes a revision before
                        // handing its events to watchers
                        stopWatch();
                        lookup();
                        return;
                    }
                    send(LeaderResponse.newBuilder().setHeader(header.toBuilder().setRevision(revision))
                            .setKv(event.getKv()).build());
                }
            });
        }

        /**
         * Replaces the current watch with one on {@code spec}; {@code handler} gets its events on the context
         * until it calls {@link #watch} again (or {@link #lookup}, which does).
         */
        private void watch(WatchSpec spec, BiConsumer<List<Event>, Long> handler) {
            stopWatch();
            if (closed) {
                return;
            }
            AtomicBoolean live = new AtomicBoolean(true);
            current = live;
            WatchSink sink = new WatchSink() {
                @Override
                public boolean events(List<Event> events, long revision) { // writer thread
                    if (live.get()) {
                        context.runOnContext(v -> {
                            if (live.get() && !closed) {
                                handler.accept(events, revision);
                            }
                        });
                    }
                    return true;
                }

                @Override
                public void compacted(long compactRevision, long revision) { // writer thread
                    if (live.get()) {
                        context.runOnContext(v -> {
                            if (live.get()) {
                                end();
                            }
                        });
                    }
                }
            };
            store.watch(spec, sink).whenComplete((handle, error) -> context.runOnContext(v -> {
                if (error != null) {
                    if (live.get()) {
                        end();
                    }
                } else if (!live.get() || closed) {
                    handle.cancel();
                } else {
                    watcher = handle;
                }
            }));
        }

        private void stopWatch() {
            current.set(false);
            if (watcher != null) {
                watcher.cancel();
                watcher = null;
            }
        }

        private void send(LeaderResponse response) {
            if (!closed) {
                call.response().write(response);
            }
        }

        /** etcd's observe channel closed: the stream ends with OK. */
        private void end() {
            if (!closed) {
                close();
                call.response().end();
            }
        }

        private void fail(GrpcStatus status, String message) {
            if (!closed) {
                close();
                call.response().status(status).statusMessage(message).end();
            }
        }

        private void close() {
            closed = true;
            stopWatch();
        }
    }
}
