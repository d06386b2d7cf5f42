package io.vetcd.core.apply;

import com.google.protobuf.Message;
import io.vetcd.core.EtcdError;
import io.vetcd.core.lease.Lessor;
import io.vetcd.core.Limits;
import io.vetcd.core.MemberIdentity;
import io.vetcd.core.backend.BackendFullException;
import io.vetcd.core.mvcc.MvccStore;
import io.vetcd.core.mvcc.ReadView;
import io.vetcd.core.mvcc.ViewOvertakenException;
import io.vetcd.core.mvcc.WriteTxn;
import io.vetcd.proto.etcdserverpb.CompactionRequest;
import io.vetcd.proto.etcdserverpb.CompactionResponse;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.DeleteRangeResponse;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.PutResponse;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RangeResponse;
import io.vetcd.proto.etcdserverpb.ResponseHeader;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import io.vetcd.proto.etcdserverpb.TxnResponse;
import java.util.function.Function;

/**
 * One etcd KV request from the top: etcd's checks, then {@link KvApplier}, then the full response
 * header. The {@code check*} methods run on the caller's thread before a write is queued; the methods
 * taking an {@link MvccStore} run in the writer (the {@link Applier}'s lock held).
 */
public final class KvCommands {
    private final Limits limits;
    private final MemberIdentity identity;
    private final RaftEntrySize entrySize;
    private final Lessor leases;
    private final Quota quota;

    public KvCommands(Limits limits, MemberIdentity identity, Lessor leases, Quota quota) {
        this.limits = limits;
        this.identity = identity;
        this.leases = leases;
        this.quota = quota;
        this.entrySize = new RaftEntrySize(identity.memberId(), System.currentTimeMillis());
    }

    /** A range at {@code view}, or at a newer view if a compaction overtook it ({@link ViewOvertakenException}). */
    public RangeResponse range(ReadView view, RangeRequest r) {
        RequestChecks.checkRange(r);
        while (true) {
            try {
                return KvApplier.range(view, r).setHeader(header(view.revision())).build();
            } catch (ViewOvertakenException e) {
                view = view.latest();
            }
        }
    }

    /**
     * etcd's checks before a put is queued: the quota first (etcd's gRPC layer checks it before the
     * request itself), then the request.
     *
     * @param sizeInUse the backend's {@link MvccStore#backendSizeInUse()}
     * @throws EtcdException NO_SPACE when the put does not fit the quota: the caller raises the alarm
     */
    public void checkPut(PutRequest r, long sizeInUse) {
        checkQuota(sizeInUse, Quota.cost(r));
        RequestChecks.checkPut(r);
        checkSize(RaftEntrySize.PUT, r);
    }

    public PutResponse put(MvccStore store, PutRequest r) {
        if (store.noSpaceAlarm()) {
            throw EtcdError.NO_SPACE.exception(); // etcd's capped applier: no put while NOSPACE is raised
        }
        KvApplier.checkLease(leases, r.getLease());
        return write(store, txn -> {
            PutResponse.Builder resp = KvApplier.put(txn, r);
            return resp.setHeader(header(resp.getHeader().getRevision())).build();
        });
    }

    public void checkDelete(DeleteRangeRequest r) {
        RequestChecks.checkDelete(r);
        checkSize(RaftEntrySize.DELETE_RANGE, r);
    }

    public DeleteRangeResponse deleteRange(MvccStore store, DeleteRangeRequest r) {
        return write(store, txn -> {
            DeleteRangeResponse.Builder resp = KvApplier.deleteRange(txn, r);
            return resp.setHeader(header(resp.getHeader().getRevision())).build();
        });
    }

    /**
     * Checks a txn as etcd does: the quota (for its puts), the request; a txn that may write must also
     * fit the request size limit.
     *
     * @param sizeInUse the backend's {@link MvccStore#backendSizeInUse()}
     * @return whether the txn only reads, and so runs on the caller's thread via {@link #readOnlyTxn}
     * @throws EtcdException NO_SPACE when its puts do not fit the quota: the caller raises the alarm
     */
    public boolean checkTxn(TxnRequest r, long sizeInUse) {
        checkQuota(sizeInUse, Quota.cost(r));
        RequestChecks.checkTxn(r, limits.maxTxnOps());
        boolean readOnly = RequestChecks.isReadOnly(r);
        if (!readOnly) {
            checkSize(RaftEntrySize.TXN, r);
        }
        return readOnly;
    }

    /** Like {@link #range}: a txn overtaken by a compaction is answered again, whole, from a newer view. */
    public TxnResponse readOnlyTxn(ReadView view, TxnRequest r) {
        while (true) {
            try {
                return KvApplier.txn(view, r, leases).setHeader(header(view.revision())).build();
            } catch (ViewOvertakenException e) {
                view = view.latest();
            }
        }
    }

    public TxnResponse txn(MvccStore store, TxnRequest r) {
        if (store.noSpaceAlarm() && Quota.cost(r) > 0) {
            throw EtcdError.NO_SPACE.exception();
        }
        return write(store, txn -> {
            TxnResponse.Builder resp = KvApplier.txn(txn, r, leases);
            return resp.setHeader(header(resp.getHeader().getRevision())).build();
        });
    }

    /** Compaction does not take a revision; the response reports the current one. */
    public CompactionResponse compact(MvccStore store, CompactionRequest r) {
        store.compact(r.getRevision());
        return CompactionResponse.newBuilder().setHeader(header(store.writerRevision())).build();
    }

    private void checkQuota(long sizeInUse, long cost) {
        if (!quota.available(sizeInUse, cost)) {
            throw EtcdError.NO_SPACE.exception();
        }
    }

    /**
     * Runs one request as one write txn: all of its changes at one revision, or none if it fails. A
     * backend with no room left answers like an exceeded quota: NO_SPACE, and the alarm is raised.
     */
    private static <R> R write(MvccStore store, Function<WriteTxn, R> body) {
        WriteTxn txn = store.beginWrite();
        R result;
        try {
            result = body.apply(txn);
        } catch (BackendFullException e) {
            txn.abort();
            store.setNoSpaceAlarm(true);
            throw EtcdError.NO_SPACE.exception();
        } catch (RuntimeException e) {
            txn.abort();
            throw e;
        }
        txn.end();
        return result;
    }

    /** etcd limits what it proposes to raft: the request wrapped as a raft entry ({@link RaftEntrySize}). */
    private void checkSize(int field, Message r) {
        if (entrySize.of(field, r.getSerializedSize()) > limits.maxRequestBytes()) {
            throw EtcdError.REQUEST_TOO_LARGE.exception();
        }
    }

    /** The full response header at {@code revision}. */
    public ResponseHeader header(long revision) {
        return ResponseHeader.newBuilder()
                .setClusterId(identity.clusterId())
                .setMemberId(identity.memberId())
                .setRevision(revision)
                .setRaftTerm(identity.raftTerm())
                .build();
    }
}
