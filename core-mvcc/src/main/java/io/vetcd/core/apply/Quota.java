package io.vetcd.core.apply;

import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;

/**
 * etcd's backend quota ({@code --quota-backend-bytes}, etcd 3.5's {@code etcdserver/quota.go}): a write
 * that would take the backend to the quota or beyond is refused with NOSPACE and raises the NOSPACE
 * alarm; while the alarm is raised every write that adds data is refused, whatever the size.
 *
 * <p>The cost of a request is etcd's estimate, not its real size: 256 bytes of overhead plus key and
 * value for a put; for a txn, the larger of its two branches' top-level puts (nested txns cost nothing,
 * as in etcd). A request that adds no data (cost 0: deletes, read-only txns, compaction) always passes.
 *
 * <p>Unlike etcd, the size compared is the space the retained history takes, not the file size: a
 * compaction makes room at once (etcd needs a defragmentation as well). Example with a 10 KiB quota
 * holding 9.8 KiB: a put of a 100-byte value costs 256 + key + 100 and is refused; compacting away
 * 5 KiB of old versions and disarming the alarm lets the same put through.
 */
public final class Quota {
    /** etcd's {@code DefaultQuotaBytes}: 2 GiB. */
    public static final long DEFAULT_BYTES = 2L * 1024 * 1024 * 1024;
    private static final int KV_OVERHEAD = 256;

    private final long maxBytes;

    /** @param quotaBackendBytes etcd's flag: 0 means the default, below 0 means no quota */
    public Quota(long quotaBackendBytes) {
        this.maxBytes = quotaBackendBytes == 0 ? DEFAULT_BYTES : quotaBackendBytes;
    }

    /** Whether a request of {@code cost} fits next to {@code sizeInUse} bytes. */
    boolean available(long sizeInUse, long cost) {
        return cost == 0 || maxBytes < 0 || sizeInUse + cost < maxBytes;
    }

    static long cost(PutRequest r) {
        return KV_OVERHEAD + r.getKey().size() + r.getValue().size();
    }

    static long cost(TxnRequest r) {
        return Math.max(branchCost(r.getSuccessList()), branchCost(r.getFailureList()));
    }

    private static long branchCost(Iterable<RequestOp> ops) {
        long cost = 0;
        for (RequestOp op : ops) {
            if (op.hasRequestPut()) {
                cost += cost(op.getRequestPut());
            }
        }
        return cost;
    }
}
