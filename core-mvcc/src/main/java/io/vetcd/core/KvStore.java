package io.vetcd.core;

import io.vetcd.core.apply.Applier;
import io.vetcd.core.apply.KvCommands;
import io.vetcd.core.apply.Quota;
import io.vetcd.core.backend.Backend;
import io.vetcd.core.backend.BackendMeta;
import io.vetcd.core.backend.MemoryBackend;
import io.vetcd.core.backend.SnapshotFile;
import io.vetcd.core.lease.Lease;
import io.vetcd.core.lease.Lessor;
import io.vetcd.core.mvcc.MvccStore;
import io.vetcd.core.watch.WatchHub;
import io.vetcd.core.watch.WatchSink;
import io.vetcd.core.watch.WatchSpec;
import io.vetcd.core.watch.Watcher;
import io.vetcd.proto.etcdserverpb.CompactionRequest;
import io.vetcd.proto.etcdserverpb.CompactionResponse;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.DeleteRangeResponse;
import io.vetcd.proto.etcdserverpb.LeaseGrantRequest;
import io.vetcd.proto.etcdserverpb.LeaseGrantResponse;
import io.vetcd.proto.etcdserverpb.LeaseKeepAliveResponse;
import io.vetcd.proto.etcdserverpb.LeaseLeasesResponse;
import io.vetcd.proto.etcdserverpb.LeaseRevokeRequest;
import io.vetcd.proto.etcdserverpb.LeaseRevokeResponse;
import io.vetcd.proto.etcdserverpb.LeaseStatus;
import io.vetcd.proto.etcdserverpb.LeaseTimeToLiveRequest;
import io.vetcd.proto.etcdserverpb.LeaseTimeToLiveResponse;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.PutResponse;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RangeResponse;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import io.vetcd.proto.etcdserverpb.TxnResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The etcd KV API over the MVCC store: what the network layer calls.
 *
 * <p>Reads ({@link #range}, read-only {@link #txn}) run on the caller's thread at the published
 * revision, without locks. Mutations go through the one writer ({@link Applier}: applied one at a time,
 * in order, usually on the caller's thread when no other write is in progress); their futures complete
 * once the write is visible to every reader. Failures surface as {@link EtcdException} carrying etcd's code
 * and message: thrown by {@link #range}, delivered through the future by every other call.
 *
 * <p>Leases ({@link Lessor}): grant and revoke go through the writer (a revoke deletes the lease's keys in
 * one revision); keepalive, time-to-live and the list are answered on the caller's thread from memory;
 * the lessor's thread queues the revoke of expired leases in the writer.
 *
 * <p>The maintenance calls ({@link #hashKv}, {@link #snapshot}, {@link #defragment}, the NOSPACE alarm)
 * run in the writer too, so each sees one consistent state.
 */
public final class KvStore implements AutoCloseable {
    private final MvccStore store;
    private final Applier applier;
    private final KvCommands kv;
    private final Limits limits;
    private final WatchHub watches;
    private final Lessor lessor;

    /** etcd's minimum lease TTL (seconds): smaller TTLs are raised to it. */
    public static final long DEFAULT_MIN_LEASE_TTL_SECONDS = 2;

    /** A store that keeps nothing on disk, with etcd's default quota and minimum lease TTL. */
    public KvStore(Limits limits, MemberIdentity identity) {
        this(limits, identity, new MemoryBackend(), Quota.DEFAULT_BYTES, DEFAULT_MIN_LEASE_TTL_SECONDS);
    }

    /**
     * A store over {@code backend}: what it kept is loaded first (the store continues at the next
     * revision), and it is closed with the store.
     *
     * @param quotaBackendBytes   etcd's {@code --quota-backend-bytes} (0: 2 GiB, below 0: none)
     * @param minLeaseTtlSeconds smaller lease TTLs are raised to it (at least 1)
     */
    public KvStore(Limits limits, MemberIdentity identity, Backend backend, long quotaBackendBytes,
                   long minLeaseTtlSeconds) {
        this.store = new MvccStore(backend);
        this.applier = new Applier(store);
        // Expired leases go ahead of queued writes (behind at most the batch being applied), so expiry
        // stays on time under write load; the lessor's thread never waits for them.
        this.lessor = new Lessor(minLeaseTtlSeconds, due -> applier.submitFirst(s -> expire(s, due)));
        store.setKeyLeaseListener(lessor);
        lessor.recover(store);
        this.watches = new WatchHub(store, mutation -> applier.submitInBackground(s -> {
            mutation.accept(s);
            return null;
        }));
        store.setChangeListener(watches);
        this.kv = new KvCommands(limits, identity, lessor, new Quota(quotaBackendBytes));
        this.limits = limits;
        lessor.start();
    }

    /** Writer: the expiry of leases the lessor's thread found past their deadline. */
    private Void expire(MvccStore s, List<Lease> due) {
        for (Lease lease : due) {
            lessor.expire(s, lease);
        }
        return null;
    }

    /** The request limits this store enforces; the network layer enforces the gRPC message limit. */
    public Limits limits() {
        return limits;
    }

    public RangeResponse range(RangeRequest r) {
        return kv.range(store.readView(), r);
    }

    public CompletableFuture<PutResponse> put(PutRequest r) {
        try {
            kv.checkPut(r, store.backendSizeInUse());
        } catch (EtcdException e) {
            return refused(e);
        }
        return applier.submit(s -> kv.put(s, r));
    }

    public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest r) {
        try {
            kv.checkDelete(r);
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        }
        return applier.submit(s -> kv.deleteRange(s, r));
    }

    /** A read-only txn is answered on the caller's thread (its future is already complete). */
    public CompletableFuture<TxnResponse> txn(TxnRequest r) {
        try {
            if (kv.checkTxn(r, store.backendSizeInUse())) {
                return CompletableFuture.completedFuture(kv.readOnlyTxn(store.readView(), r));
            }
        } catch (EtcdException e) {
            return refused(e);
        }
        return applier.submit(s -> kv.txn(s, r));
    }

    /** Compaction walks every key: it runs on the writer's background thread, never on the caller's. */
    public CompletableFuture<CompactionResponse> compact(CompactionRequest r) {
        return applier.submitInBackground(s -> kv.compact(s, r));
    }

    /** A request refused before it was queued; one over the quota raises the NOSPACE alarm, as in etcd. */
    private <R> CompletableFuture<R> refused(EtcdException e) {
        if (e.error() == EtcdError.NO_SPACE && !store.noSpaceAlarm()) {
            setNoSpaceAlarm(true);
        }
        return CompletableFuture.failedFuture(e);
    }

    /**
     * etcd's {@code LeaseGrant}, applied by the writer; the KV revision does not change.
     * ID 0 picks a fresh positive id; a TTL below the minimum is raised (the response shows it).
     * Fails with LEASE_TTL_TOO_LARGE (above 9,000,000,000 s), then LEASE_EXIST.
     */
    public CompletableFuture<LeaseGrantResponse> leaseGrant(LeaseGrantRequest r) {
        return applier.submit(s -> {
            Lease lease = lessor.grant(s, r.getID(), r.getTTL());
            return LeaseGrantResponse.newBuilder().setHeader(kv.header(s.writerRevision()))
                    .setID(lease.id()).setTTL(lease.ttlSeconds()).build();
        });
    }

    /**
     * etcd's {@code LeaseRevoke}, applied by the writer: every attached key is deleted in one revision
     * (DELETE events); a lease without keys takes no revision. Fails with LEASE_NOT_FOUND.
     */
    public CompletableFuture<LeaseRevokeResponse> leaseRevoke(LeaseRevokeRequest r) {
        return applier.submit(s -> {
            lessor.revoke(s, r.getID());
            return LeaseRevokeResponse.newBuilder().setHeader(kv.header(s.writerRevision())).build();
        });
    }

    /**
     * etcd's {@code LeaseKeepAlive} for one request: renews the lease to its full granted TTL from now,
     * in memory, on the caller's thread, lock-free. The response's TTL is the granted TTL, or 0 when the
     * lease is unknown, revoked or already past its deadline (etcd's {@code ErrLeaseNotFound}).
     */
    public LeaseKeepAliveResponse leaseKeepAlive(long id) {
        long ttl = lessor.keepAlive(id);
        return LeaseKeepAliveResponse.newBuilder().setHeader(kv.header(store.revision())).setID(id).setTTL(ttl)
                .build();
    }

    /**
     * etcd's {@code LeaseTimeToLive}: the remaining TTL in whole seconds (truncated, as etcd's
     * {@code int64(remaining.Seconds())}), the granted TTL and, if asked, the attached keys (in key
     * order). An unknown lease answers TTL -1 and no error, as etcd's server does.
     */
    public LeaseTimeToLiveResponse leaseTimeToLive(LeaseTimeToLiveRequest r) {
        LeaseTimeToLiveResponse.Builder resp = LeaseTimeToLiveResponse.newBuilder()
                .setHeader(kv.header(store.revision())).setID(r.getID());
        Lease lease = lessor.lookup(r.getID());
        if (lease == null) {
            return resp.setTTL(-1).build();
        }
        resp.setTTL(Lessor.remainingSeconds(lease)).setGrantedTTL(lease.ttlSeconds());
        if (r.getKeys()) {
            List<com.google.protobuf.ByteString> keys = lease.keys();
            keys.sort(com.google.protobuf.ByteString.unsignedLexicographicalComparator());
            resp.addAllKeys(keys);
        }
        return resp.build();
    }

    /** etcd's {@code LeaseLeases}: the ids of every granted lease. */
    public LeaseLeasesResponse leaseLeases() {
        LeaseLeasesResponse.Builder resp = LeaseLeasesResponse.newBuilder().setHeader(kv.header(store.revision()));
        for (long id : lessor.ids()) {
            resp.addLeases(LeaseStatus.newBuilder().setID(id));
        }
        return resp.build();
    }

    /** The lessor (tests and benchmarks: expiry lateness, lease count). */
    public Lessor lessor() {
        return lessor;
    }

    /**
     * Registers a watch (etcd's {@code WatchCreateRequest}); the future completes once it is registered,
     * after the history from its start revision has been handed to {@code sink} (or
     * {@link WatchSink#compacted} told it that history is gone). Registered by the writer's background
     * thread, so a long history is never read on the caller's event loop.
     */
    public CompletableFuture<Watcher> watch(WatchSpec spec, WatchSink sink) {
        return applier.submitInBackground(s -> watches.register(spec, sink));
    }

    /**
     * Runs {@code hook} in the writer after each round of {@link WatchSink} calls: a published batch's
     * deliveries, a registration's or a resumption's catch-up. A sink may hold what it is given and pass
     * it on in the hook, once per round rather than once per call; a watcher caught up in a round reports
     * itself synced only after the hook ran. The hook must not block (it runs while writes wait).
     */
    public void onWatchRoundEnd(Runnable hook) {
        watches.onRoundEnd(hook);
    }

    /** Watchers registered and not yet removed. */
    public int watchers() {
        return watches.watchers();
    }

    /** The published revision. */
    public long revision() {
        return store.revision();
    }

    /**
     * The revision up to which every change has been handed to the watchers' sinks (at most
     * {@link #revision()}): a progress notification at it follows every event it covers.
     */
    public long watchedRevision() {
        return store.notifiedRevision();
    }

    public long compactRevision() {
        return store.compactRevision();
    }

    /** Whether etcd's NOSPACE alarm is raised (writes that add data are refused until it is cleared). */
    public boolean noSpaceAlarm() {
        return store.noSpaceAlarm();
    }

    /**
     * Raises or clears the NOSPACE alarm (etcd's {@code Maintenance.Alarm} ACTIVATE / DEACTIVATE); the
     * future holds whether it was raised before.
     */
    public CompletableFuture<Boolean> setNoSpaceAlarm(boolean raised) {
        return applier.submit(s -> {
            boolean before = s.noSpaceAlarm();
            s.setNoSpaceAlarm(raised);
            return before;
        });
    }

    /** Bytes the retained history takes in the backend (etcd's {@code db_size_in_use}). */
    public long backendSizeInUse() {
        return store.backendSizeInUse();
    }

    /** Bytes the backend's files take (etcd's {@code db_size}). */
    public long backendSize() {
        return store.backendSize();
    }

    /** etcd's {@code HashKV} answer: the hash, the compaction point and the revision it was taken at. */
    public record KvHash(int hash, long compactRevision, long revision) {}

    /**
     * A hash of the history up to {@code revision} (0: the current one), computed by the writer; equal
     * before and after a restart. Fails with COMPACTED / FUTURE_REVISION like a read at that revision.
     */
    public CompletableFuture<KvHash> hashKv(long revision) {
        return applier.submitInBackground(s -> new KvHash(s.hashKv(revision), s.compactRevision(),
                s.writerRevision()));
    }

    /** Shrinks the backend's files to what is retained (etcd's {@code Maintenance.Defragment}). */
    public CompletableFuture<Void> defragment() {
        return applier.submitInBackground(s -> {
            s.defragment();
            return null;
        });
    }

    /**
     * Writes a point-in-time copy of the whole store to {@code out} in vetcd's snapshot format
     * ({@link SnapshotFile}): the meta, every retained version and the granted leases (id and granted
     * TTL), taken together in the writer so that they are one consistent state; writes wait while it is
     * taken. The future holds the meta it records.
     *
     * <p>Like etcd's bbolt snapshot, which carries its lease bucket, a store restored from it has the
     * leases, their keys attached, and each lease its full TTL again from the restored server's start
     * (deadlines are not kept). A format-1 snapshot (older vetcd) has no lease: its keys keep the lease id
     * in their {@code lease} field, attached to nothing, and do not expire (etcd does the same with a key
     * whose lease is missing at start-up).
     */
    public CompletableFuture<BackendMeta> snapshot(OutputStream out) {
        return applier.submitInBackground(s -> {
            BackendMeta meta = s.meta();
            try {
                SnapshotFile.write(out, meta, s::forEachVersion, lessor::forEachGranted);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the snapshot: " + e.getMessage(), e);
            }
            return meta;
        });
    }

    /** Applies what is queued, stops the writer (later writes fail with "server stopped"), closes the backend. */
    @Override
    public void close() {
        lessor.close();
        applier.close();
        store.close();
    }
}
