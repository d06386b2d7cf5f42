package io.vetcd.core.apply;

import com.google.protobuf.ByteString;
import io.vetcd.core.EtcdError;
import io.vetcd.proto.etcdserverpb.Compare;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The checks etcd makes on a request before it reaches the store ({@code api/v3rpc/key.go}): empty
 * keys, contradictory flags, the txn size limit and overlapping writes inside one txn.
 */
final class RequestChecks {
    private RequestChecks() {}

    static void checkRange(RangeRequest r) {
        if (r.getKey().isEmpty()) {
            throw EtcdError.EMPTY_KEY.exception();
        }
        if (RangeRequest.SortOrder.forNumber(r.getSortOrderValue()) == null
                || RangeRequest.SortTarget.forNumber(r.getSortTargetValue()) == null) {
            throw EtcdError.INVALID_SORT_OPTION.exception();
        }
    }

    static void checkPut(PutRequest r) {
        if (r.getKey().isEmpty()) {
            throw EtcdError.EMPTY_KEY.exception();
        }
        if (r.getIgnoreValue() && !r.getValue().isEmpty()) {
            throw EtcdError.VALUE_PROVIDED.exception();
        }
        if (r.getIgnoreLease() && r.getLease() != 0) {
            throw EtcdError.LEASE_PROVIDED.exception();
        }
    }

    static void checkDelete(DeleteRangeRequest r) {
        if (r.getKey().isEmpty()) {
            throw EtcdError.EMPTY_KEY.exception();
        }
    }

    /** All of etcd's txn checks, in etcd's order: sizes and keys first, then overlapping writes. */
    static void checkTxn(TxnRequest r, int maxTxnOps) {
        checkTxnOps(r, maxTxnOps);
        checkIntervals(r.getSuccessList());
        checkIntervals(r.getFailureList());
    }

    private static void checkTxnOps(TxnRequest r, int maxTxnOps) {
        int ops = Math.max(r.getCompareCount(), Math.max(r.getSuccessCount(), r.getFailureCount()));
        if (ops > maxTxnOps) {
            throw EtcdError.TOO_MANY_OPS.exception();
        }
        for (Compare c : r.getCompareList()) {
            if (c.getKey().isEmpty()) {
                throw EtcdError.EMPTY_KEY.exception();
            }
        }
        for (RequestOp op : r.getSuccessList()) {
            checkOp(op, maxTxnOps - ops);
        }
        for (RequestOp op : r.getFailureList()) {
            checkOp(op, maxTxnOps - ops);
        }
    }

    private static void checkOp(RequestOp op, int maxTxnOps) {
        switch (op.getRequestCase()) {
            case REQUEST_RANGE -> checkRange(op.getRequestRange());
            case REQUEST_PUT -> checkPut(op.getRequestPut());
            case REQUEST_DELETE_RANGE -> checkDelete(op.getRequestDeleteRange());
            case REQUEST_TXN -> checkTxnOps(op.getRequestTxn(), maxTxnOps);
            default -> throw EtcdError.KEY_NOT_FOUND.exception(); // an empty op, as etcd answers it
        }
    }

    /** The puts and deletes of one branch, for the overlap check of the level above. */
    private record Writes(Set<ByteString> puts, List<Interval> deletes) {}

    /**
     * A deleted interval as etcd's {@code adt.StringAffineInterval} sees it: {@code [begin, end)} with
     * an empty end meaning "no upper bound", and a single key {@code [k, k]}. Note that etcd does not
     * translate a {@code "\0"} range end here, so a from-key delete overlaps nothing in this check.
     */
    private record Interval(ByteString begin, ByteString end, boolean point) {
        boolean contains(ByteString key) {
            int lo = ByteString.unsignedLexicographicalComparator().compare(begin, key);
            if (point) {
                return lo == 0;
            }
            return lo <= 0 && (end.isEmpty()
                    || ByteString.unsignedLexicographicalComparator().compare(key, end) < 0);
        }
    }

    /**
     * etcd's {@code checkIntervals}: within one txn no key may be put twice, and no put may fall inside
     * a delete, across nesting levels. A key put in both branches of one nested txn is fine: only one
     * branch runs.
     */
    private static Writes checkIntervals(List<RequestOp> ops) {
        List<Interval> deletes = new ArrayList<>();
        for (RequestOp op : ops) {
            if (op.hasRequestDeleteRange()) {
                DeleteRangeRequest d = op.getRequestDeleteRange();
                deletes.add(d.getRangeEnd().isEmpty()
                        ? new Interval(d.getKey(), d.getKey(), true)
                        : new Interval(d.getKey(), d.getRangeEnd(), false));
            }
        }
        Set<ByteString> puts = new HashSet<>();
        for (RequestOp op : ops) {
            if (!op.hasRequestTxn()) {
                continue;
            }
            Writes then = checkIntervals(op.getRequestTxn().getSuccessList());
            Writes otherwise = checkIntervals(op.getRequestTxn().getFailureList());
            for (ByteString key : then.puts()) {
                if (puts.contains(key) || deleted(deletes, key)) {
                    throw EtcdError.DUPLICATE_KEY.exception();
                }
                puts.add(key);
            }
            for (ByteString key : otherwise.puts()) {
                if ((puts.contains(key) && !then.puts().contains(key)) || deleted(deletes, key)) {
                    throw EtcdError.DUPLICATE_KEY.exception();
                }
                puts.add(key);
            }
            deletes.addAll(then.deletes());
            deletes.addAll(otherwise.deletes());
        }
        for (RequestOp op : ops) {
            if (op.hasRequestPut()) {
                ByteString key = op.getRequestPut().getKey();
                if (!puts.add(key) || deleted(deletes, key)) {
                    throw EtcdError.DUPLICATE_KEY.exception();
                }
            }
        }
        return new Writes(puts, deletes);
    }

    private static boolean deleted(List<Interval> deletes, ByteString key) {
        for (Interval d : deletes) {
            if (d.contains(key)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the txn only reads (etcd's {@code isTxnReadonly}: a nested txn counts as a write). */
    static boolean isReadOnly(TxnRequest r) {
        for (RequestOp op : r.getSuccessList()) {
            if (!op.hasRequestRange()) {
                return false;
            }
        }
        for (RequestOp op : r.getFailureList()) {
            if (!op.hasRequestRange()) {
                return false;
            }
        }
        return true;
    }
}
