package io.vetcd.core;

import io.vetcd.core.apply.Applier;
import io.vetcd.core.apply.KvCommands;
import io.vetcd.core.apply.Quota;
import io.vetcd.core.backend.Backend;
import io.vetcd.core.backend.BackendMeta;
import io.vetcd.core.backend.MemoryBackend;
import io.vetcd.core.backend.SnapshotFile;
import io.vetcd.core.mvcc.MvccStore;
import io.vetcd.core.watch.WatchHub;
import io.vetcd.core.watch.WatchSink;
import io.vetcd.core.watch.WatchSpec;
import io.vetcd.core.watch.Watcher;
import io.vetcd.proto.etcdserverpb.CompactionRequest;
import io.vetcd.proto.etcdserverpb.CompactionResponse;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.DeleteRangeResponse;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.PutResponse;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RangeResponse;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import io.vetcd.proto.etcdserverpb.TxnResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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
 * <p>The maintenance calls ({@link #hashKv}, {@link #snapshot}, {@link #defragment}, the NOSPACE alarm)
 * run in the writer too, so each sees one consistent state.
 */
public final class KvStore implements AutoCloseable {
    private final MvccStore store;
    private final Applier applier;
    private final KvCommands kv;
    private final Limits limits;
    private final WatchHub watches;

    /** A store that keeps nothing on disk, with etcd's default quota. */
    public KvStore(Limits limits, MemberIdentity identity, LeaseLookup leases) {
        this(limits, identity, leases, new MemoryBackend(), Quota.DEFAULT_BYTES);
    }

    /**
     * A store over {@code backend}: what it kept is loaded first (the store continues at the next
     * revision), and it is closed with the store.
     *
     * @param leases            the lessor's answer to "is this lease granted?": a put naming a lease it
     *                          does not grant is refused, as in etcd; read by the writer
     * @param quotaBackendBytes etcd's {@code --quota-backend-bytes} (0: 2 GiB, below 0: none)
     */
    public KvStore(Limits limits, MemberIdentity identity, LeaseLookup leases, Backend backend,
                   long quotaBackendBytes) {
        this.store = new MvccStore(backend);
        this.applier = new Applier(store);
        this.watches = new WatchHub(store, mutation -> applier.submitInBackground(s -> {
            mutation.accept(s);
            return null;
        }));
        store.setChangeListener(watches);
        this.kv = new KvCommands(limits, identity, leases, new Quota(quotaBackendBytes));
        this.limits = limits;
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
     * Registers a watch (etcd's {@code WatchCreateRequest}); the future completes once it is registered,
     * after the history from its start revision has been handed to {@code sink} (or
     * {@link WatchSink#compacted} told it that history is gone). Registered by the writer's background
     * thread, so a long history is never read on the caller's event loop.
     */
    public CompletableFuture<Watcher> watch(WatchSpec spec, WatchSink sink) {
        return applier.submitInBackground(s -> watches.register(spec, sink));
    }

    /** Watchers registered and not yet removed. */
    public int watchers() {
        return watches.watchers();
    }

    /** The published revision. */
    public long revision() {
        return store.revision();
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
     * ({@link SnapshotFile}); writes wait while it is taken. The future holds what it records.
     */
    public CompletableFuture<BackendMeta> snapshot(OutputStream out) {
        return applier.submitInBackground(s -> {
            BackendMeta meta = s.meta();
            try {
                SnapshotFile.write(out, meta, s::forEachVersion);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the snapshot: " + e.getMessage(), e);
            }
            return meta;
        });
    }

    /** Applies what is queued, stops the writer (later writes fail with "server stopped"), closes the backend. */
    @Override
    public void close() {
        applier.close();
        store.close();
    }
}
