package io.vetcd.core.apply;

import com.google.protobuf.ByteString;
import io.vetcd.core.EtcdError;
import io.vetcd.core.lease.Lessor;
import io.vetcd.core.mvcc.KeyRange;
import io.vetcd.core.mvcc.RangeResult;
import io.vetcd.core.mvcc.ReadView;
import io.vetcd.core.mvcc.WriteTxn;
import io.vetcd.proto.etcdserverpb.Compare;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.DeleteRangeResponse;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.PutResponse;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RangeResponse;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.ResponseHeader;
import io.vetcd.proto.etcdserverpb.ResponseOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import io.vetcd.proto.etcdserverpb.TxnResponse;
import io.vetcd.proto.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * etcd's KV semantics over a {@link ReadView} or {@link WriteTxn} (etcd's {@code applierV3backend}).
 *
 * <p>Responses of nested operations carry only a revision in their header (a nested txn's header is
 * empty), exactly as etcd sends them; the caller gives top-level responses their full header.
 */
final class KvApplier {
    private static final Comparator<ByteString> BYTES = ByteString.unsignedLexicographicalComparator();

    private KvApplier() {}

    static RangeResponse.Builder range(ReadView view, RangeRequest r) {
        boolean filtered = r.getMinModRevision() != 0 || r.getMaxModRevision() != 0
                || r.getMinCreateRevision() != 0 || r.getMaxCreateRevision() != 0;
        // Sorting and filtering need every value; otherwise fetch one extra to learn 'more'.
        long limit = r.getSortOrder() != RangeRequest.SortOrder.NONE || filtered ? 0
                : r.getLimit() > 0 ? r.getLimit() + 1 : 0;
        RangeResult rr = view.range(KeyRange.of(r.getKey(), r.getRangeEnd()), r.getRevision(), limit,
                r.getCountOnly());
        List<KeyValue> kvs = rr.kvs();
        if (filtered) {
            kvs = new ArrayList<>(kvs);
            kvs.removeIf(kv -> (r.getMaxModRevision() != 0 && kv.getModRevision() > r.getMaxModRevision())
                    || (r.getMinModRevision() != 0 && kv.getModRevision() < r.getMinModRevision())
                    || (r.getMaxCreateRevision() != 0 && kv.getCreateRevision() > r.getMaxCreateRevision())
                    || (r.getMinCreateRevision() != 0 && kv.getCreateRevision() < r.getMinCreateRevision()));
        }
        kvs = sorted(kvs, r);
        RangeResponse.Builder resp = RangeResponse.newBuilder().setCount(rr.count());
        if (r.getLimit() > 0 && kvs.size() > r.getLimit()) {
            kvs = kvs.subList(0, (int) r.getLimit());
            resp.setMore(true);
        }
        if (r.getKeysOnly()) {
            for (KeyValue kv : kvs) {
                resp.addKvs(kv.toBuilder().clearValue());
            }
        } else {
            resp.addAllKvs(kvs);
        }
        return resp.setHeader(revisionHeader(rr.revision()));
    }

    /** etcd sorts ascending by default when a target other than KEY is named. */
    private static List<KeyValue> sorted(List<KeyValue> kvs, RangeRequest r) {
        RangeRequest.SortOrder order = r.getSortOrder();
        if (r.getSortTarget() != RangeRequest.SortTarget.KEY && order == RangeRequest.SortOrder.NONE) {
            order = RangeRequest.SortOrder.ASCEND;
        }
        if (order == RangeRequest.SortOrder.NONE || kvs.size() < 2) {
            return kvs;
        }
        Comparator<KeyValue> by = switch (r.getSortTarget()) {
            case VERSION -> Comparator.comparingLong(KeyValue::getVersion);
            case CREATE -> Comparator.comparingLong(KeyValue::getCreateRevision);
            case MOD -> Comparator.comparingLong(KeyValue::getModRevision);
            case VALUE -> (a, b) -> BYTES.compare(a.getValue(), b.getValue());
            default -> (a, b) -> BYTES.compare(a.getKey(), b.getKey());
        };
        List<KeyValue> copy = new ArrayList<>(kvs);
        copy.sort(order == RangeRequest.SortOrder.DESCEND ? by.reversed() : by);
        return copy;
    }

    static PutResponse.Builder put(WriteTxn txn, PutRequest p) {
        PutResponse.Builder resp = PutResponse.newBuilder();
        ByteString value = p.getValue();
        long lease = p.getLease();
        if (p.getIgnoreValue() || p.getIgnoreLease() || p.getPrevKv()) {
            List<KeyValue> previous = txn.range(KeyRange.single(p.getKey()), 0, 0, false).kvs();
            if ((p.getIgnoreValue() || p.getIgnoreLease()) && previous.isEmpty()) {
                throw EtcdError.KEY_NOT_FOUND.exception();
            }
            if (!previous.isEmpty()) {
                KeyValue prev = previous.get(0);
                if (p.getIgnoreValue()) {
                    value = prev.getValue();
                }
                if (p.getIgnoreLease()) {
                    lease = prev.getLease();
                }
                if (p.getPrevKv()) {
                    resp.setPrevKv(prev);
                }
            }
        }
        long revision = txn.put(p.getKey(), value, lease);
        return resp.setHeader(revisionHeader(revision));
    }

    /**
     * etcd refuses a put naming a lease its lessor does not hold. A plain put is checked when applied,
     * after the request checks and before ignore_value/ignore_lease look at the key; a put in a txn
     * right after that look ({@link #checkPuts}).
     */
    static void checkLease(Lessor leases, long lease) {
        if (lease != 0 && !leases.isGranted(lease)) {
            throw EtcdError.LEASE_NOT_FOUND.exception();
        }
    }

    static DeleteRangeResponse.Builder deleteRange(WriteTxn txn, DeleteRangeRequest d) {
        DeleteRangeResponse.Builder resp = DeleteRangeResponse.newBuilder();
        KeyRange range = KeyRange.of(d.getKey(), d.getRangeEnd());
        if (d.getPrevKv()) {
            resp.addAllPrevKvs(txn.range(range, 0, 0, false).kvs());
        }
        long deleted = txn.deleteRange(range);
        return resp.setDeleted(deleted).setHeader(revisionHeader(txn.revision()));
    }

    /**
     * Runs a txn: compares (and those of every nested txn on the chosen path) are evaluated on the view
     * as it was before the txn, then the chosen operations run in order.
     *
     * @param view a {@link WriteTxn} unless {@link RequestChecks#isReadOnly} holds for {@code r}
     */
    static TxnResponse.Builder txn(ReadView view, TxnRequest r, Lessor leases) {
        TxnPath path = TxnPath.of(view, r);
        boolean write = !RequestChecks.isReadOnly(r);
        if (write) {
            checkPuts(view, r, path.cursor(), leases);
        }
        checkRanges(view, r, path.cursor());
        TxnResponse.Builder resp = applyTxn(view, r, path.cursor());
        return resp.setHeader(revisionHeader(view.revision()));
    }

    private static TxnResponse.Builder applyTxn(ReadView view, TxnRequest r, TxnPath.Cursor path) {
        boolean succeeded = path.next();
        TxnResponse.Builder resp = TxnResponse.newBuilder().setSucceeded(succeeded);
        for (RequestOp op : succeeded ? r.getSuccessList() : r.getFailureList()) {
            ResponseOp.Builder out = resp.addResponsesBuilder();
            switch (op.getRequestCase()) {
                case REQUEST_RANGE -> out.setResponseRange(range(view, op.getRequestRange()));
                case REQUEST_PUT -> out.setResponsePut(put((WriteTxn) view, op.getRequestPut()));
                case REQUEST_DELETE_RANGE ->
                        out.setResponseDeleteRange(deleteRange((WriteTxn) view, op.getRequestDeleteRange()));
                case REQUEST_TXN -> out.setResponseTxn(applyTxn(view, op.getRequestTxn(), path)
                        .setHeader(ResponseHeader.getDefaultInstance()));
                default -> { } // empty ops are refused by RequestChecks before they get here
            }
        }
        return resp;
    }

    /** etcd's {@code checkPut} over the chosen path: ignore_value/ignore_lease need an existing key. */
    private static void checkPuts(ReadView view, TxnRequest r, TxnPath.Cursor path, Lessor leases) {
        boolean succeeded = path.next();
        for (RequestOp op : succeeded ? r.getSuccessList() : r.getFailureList()) {
            if (op.hasRequestTxn()) {
                checkPuts(view, op.getRequestTxn(), path, leases);
            } else if (op.hasRequestPut()) {
                PutRequest p = op.getRequestPut();
                if ((p.getIgnoreValue() || p.getIgnoreLease())
                        && view.range(KeyRange.single(p.getKey()), 0, 0, true).count() == 0) {
                    throw EtcdError.KEY_NOT_FOUND.exception();
                }
                checkLease(leases, p.getLease());
            }
        }
    }

    /** etcd's {@code checkRange} over the chosen path: no range at a future or compacted revision. */
    private static void checkRanges(ReadView view, TxnRequest r, TxnPath.Cursor path) {
        boolean succeeded = path.next();
        for (RequestOp op : succeeded ? r.getSuccessList() : r.getFailureList()) {
            if (op.hasRequestTxn()) {
                checkRanges(view, op.getRequestTxn(), path);
            } else if (op.hasRequestRange()) {
                long revision = op.getRequestRange().getRevision();
                if (revision == 0) {
                    continue; // the latest revision
                }
                if (revision > view.revision()) {
                    throw EtcdError.FUTURE_REVISION.exception();
                }
                if (revision < view.compactRevision()) {
                    throw EtcdError.COMPACTED.exception();
                }
            }
        }
    }

    static boolean compare(ReadView view, Compare c) {
        List<KeyValue> kvs = view.range(KeyRange.of(c.getKey(), c.getRangeEnd()), 0, 0, false).kvs();
        if (kvs.isEmpty()) {
            // A missing key has no value to compare (nil equals empty on the wire): VALUE always fails.
            return c.getTarget() != Compare.CompareTarget.VALUE && compareKv(c, KeyValue.getDefaultInstance());
        }
        for (KeyValue kv : kvs) {
            if (!compareKv(c, kv)) {
                return false;
            }
        }
        return true;
    }

    private static boolean compareKv(Compare c, KeyValue kv) {
        int result = switch (c.getTarget()) {
            case VALUE -> BYTES.compare(kv.getValue(), c.getValue());
            case CREATE -> Long.compare(kv.getCreateRevision(), c.getCreateRevision());
            case MOD -> Long.compare(kv.getModRevision(), c.getModRevision());
            case VERSION -> Long.compare(kv.getVersion(), c.getVersion());
            case LEASE -> Long.compare(kv.getLease(), c.getLease());
            default -> 0;
        };
        return switch (c.getResult()) {
            case EQUAL -> result == 0;
            case NOT_EQUAL -> result != 0;
            case GREATER -> result > 0;
            case LESS -> result < 0;
            default -> true;
        };
    }

    private static ResponseHeader revisionHeader(long revision) {
        return ResponseHeader.newBuilder().setRevision(revision).build();
    }
}
