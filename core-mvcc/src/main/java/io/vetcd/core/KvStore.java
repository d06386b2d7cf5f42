package io.vetcd.core;

import io.vetcd.core.apply.Applier;
import io.vetcd.core.apply.KvCommands;
import io.vetcd.core.mvcc.MvccStore;
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
import java.util.concurrent.CompletableFuture;

/**
 * The etcd KV API over the MVCC store: what the network layer calls.
 *
 * <p>Reads ({@link #range}, read-only {@link #txn}) run on the caller's thread at the published
 * revision, without locks. Mutations go through the one writer ({@link Applier}: applied one at a time,
 * in order, usually on the caller's thread when no other write is in progress); their futures complete
 * once the write is visible to every reader. Failures surface as {@link EtcdException} carrying etcd's code
 * and message: thrown by {@link #range}, delivered through the future by every other call.
 */
public final class KvStore implements AutoCloseable {
    private final MvccStore store = new MvccStore();
    private final Applier applier = new Applier(store);
    private final KvCommands kv;
    private final Limits limits;

    /**
     * @param leases the lessor's answer to "is this lease granted?": a put naming a lease it does not
     *               grant is refused, as in etcd; read by the writer
     */
    public KvStore(Limits limits, MemberIdentity identity, LeaseLookup leases) {
        this.kv = new KvCommands(limits, identity, leases);
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
            kv.checkPut(r);
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
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
            if (kv.checkTxn(r)) {
                return CompletableFuture.completedFuture(kv.readOnlyTxn(store.readView(), r));
            }
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        }
        return applier.submit(s -> kv.txn(s, r));
    }

    /** Compaction walks every key: it runs on the writer's background thread, never on the caller's. */
    public CompletableFuture<CompactionResponse> compact(CompactionRequest r) {
        return applier.submitInBackground(s -> kv.compact(s, r));
    }

    /** The published revision. */
    public long revision() {
        return store.revision();
    }

    public long compactRevision() {
        return store.compactRevision();
    }

    /** Applies what is queued, then stops the writer; later writes fail with "server stopped". */
    @Override
    public void close() {
        applier.close();
    }
}
