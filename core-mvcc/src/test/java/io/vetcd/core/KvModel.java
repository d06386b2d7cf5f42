package io.vetcd.core;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.vetcd.proto.etcdserverpb.CompactionRequest;
import io.vetcd.proto.etcdserverpb.CompactionResponse;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * A deliberately naive reference implementation of etcd's KV semantics, written from etcd 3.4's Go
 * source (etcdserver/apply.go, etcdserver/api/v3rpc/key.go, mvcc/kvstore_txn.go) and independent of
 * the store under test: every key keeps its full list of versions forever, reads scan every key,
 * compaction only moves the compaction point (a read at or above it must not notice anything else).
 * Request size limits are not modelled (the generator stays far below them).
 */
final class KvModel {
    static final Comparator<ByteString> BYTES = ByteString.unsignedLexicographicalComparator();
    private static final ByteString NUL = ByteString.copyFrom(new byte[] {0});

    /** A request's outcome: exactly one of response and error is set. */
    record Outcome(Message response, EtcdError error) {
        static Outcome ok(Message m) {
            return new Outcome(m, null);
        }

        static Outcome failed(EtcdError e) {
            return new Outcome(null, e);
        }
    }

    private static final class Refused extends RuntimeException {
        final EtcdError error;

        Refused(EtcdError error) {
            super(error.name(), null, false, false);
            this.error = error;
        }
    }

    /** One version; {@code kv == null} is a tombstone. Kept in write order. */
    private record Entry(long revision, KeyValue kv) {}

    private final int maxTxnOps;
    private final TreeMap<ByteString, List<Entry>> history = new TreeMap<>(BYTES);
    long revision = 1;
    long compactRevision = -1;

    KvModel(int maxTxnOps) {
        this.maxTxnOps = maxTxnOps;
    }

    // ---------------------------------------------------------------- reads

    private KeyValue valueAt(ByteString key, long rev) {
        List<Entry> versions = history.get(key);
        KeyValue found = null;
        if (versions != null) {
            for (Entry e : versions) {
                if (e.revision <= rev) {
                    found = e.kv; // later entries of the same revision win
                }
            }
        }
        return found;
    }

    static boolean inRange(ByteString key, ByteString end, ByteString k) {
        if (end.isEmpty()) {
            return k.equals(key);
        }
        if (end.equals(NUL)) {
            return BYTES.compare(k, key) >= 0;
        }
        return BYTES.compare(k, key) >= 0 && BYTES.compare(k, end) < 0;
    }

    private List<KeyValue> live(ByteString key, ByteString end, long rev) {
        List<KeyValue> out = new ArrayList<>();
        for (ByteString k : history.keySet()) {
            if (inRange(key, end, k)) {
                KeyValue kv = valueAt(k, rev);
                if (kv != null) {
                    out.add(kv);
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- write context

    /** etcd's storeTxnWrite: all changes go to begin + 1. */
    private final class Write {
        final long begin = revision;
        int changes;

        long current() {
            return changes > 0 ? begin + 1 : begin;
        }

        long put(ByteString key, ByteString value, long lease) {
            long rev = begin + 1;
            KeyValue prev = valueAt(key, rev);
            KeyValue kv = KeyValue.newBuilder().setKey(key).setValue(value)
                    .setCreateRevision(prev == null ? rev : prev.getCreateRevision())
                    .setModRevision(rev).setVersion(prev == null ? 1 : prev.getVersion() + 1).setLease(lease).build();
            history.computeIfAbsent(key, k -> new ArrayList<>()).add(new Entry(rev, kv));
            changes++;
            return rev;
        }

        long delete(ByteString key, ByteString end) {
            List<KeyValue> doomed = live(key, end, begin + 1);
            for (KeyValue kv : doomed) {
                history.get(kv.getKey()).add(new Entry(begin + 1, null));
                changes++;
            }
            return doomed.size();
        }

        void end() {
            revision = current();
        }
    }

    // ---------------------------------------------------------------- headers

    private static ResponseHeader revisionOnly(long rev) {
        return ResponseHeader.newBuilder().setRevision(rev).build();
    }

    private static ResponseHeader full(long rev) {
        return ResponseHeader.newBuilder().setClusterId(KvTestSupport.CLUSTER_ID)
                .setMemberId(KvTestSupport.MEMBER_ID).setRevision(rev).setRaftTerm(KvTestSupport.RAFT_TERM).build();
    }

    // ---------------------------------------------------------------- request checks (v3rpc/key.go)

    private static void checkRange(RangeRequest r) {
        if (r.getKey().isEmpty()) {
            throw new Refused(EtcdError.EMPTY_KEY);
        }
        int order = r.getSortOrderValue();
        int target = r.getSortTargetValue();
        if (order < 0 || order > 2 || target < 0 || target > 4) {
            throw new Refused(EtcdError.INVALID_SORT_OPTION);
        }
    }

    private static void checkPut(PutRequest p) {
        if (p.getKey().isEmpty()) {
            throw new Refused(EtcdError.EMPTY_KEY);
        }
        if (p.getIgnoreValue() && !p.getValue().isEmpty()) {
            throw new Refused(EtcdError.VALUE_PROVIDED);
        }
        if (p.getIgnoreLease() && p.getLease() != 0) {
            throw new Refused(EtcdError.LEASE_PROVIDED);
        }
    }

    private static void checkDelete(DeleteRangeRequest d) {
        if (d.getKey().isEmpty()) {
            throw new Refused(EtcdError.EMPTY_KEY);
        }
    }

    private static void checkTxnRequest(TxnRequest t, int budget) {
        int opc = Math.max(t.getCompareCount(), Math.max(t.getSuccessCount(), t.getFailureCount()));
        if (opc > budget) {
            throw new Refused(EtcdError.TOO_MANY_OPS);
        }
        for (Compare c : t.getCompareList()) {
            if (c.getKey().isEmpty()) {
                throw new Refused(EtcdError.EMPTY_KEY);
            }
        }
        List<RequestOp> all = new ArrayList<>(t.getSuccessList());
        all.addAll(t.getFailureList());
        for (RequestOp op : all) {
            if (op.hasRequestRange()) {
                checkRange(op.getRequestRange());
            } else if (op.hasRequestPut()) {
                checkPut(op.getRequestPut());
            } else if (op.hasRequestDeleteRange()) {
                checkDelete(op.getRequestDeleteRange());
            } else if (op.hasRequestTxn()) {
                checkTxnRequest(op.getRequestTxn(), budget - opc);
            } else {
                throw new Refused(EtcdError.KEY_NOT_FOUND);
            }
        }
    }

    /** An adt interval with StringAffineComparable ends: an empty end is above every key. */
    private record Interval(ByteString begin, ByteString end) {
        static Interval point(ByteString k) {
            return new Interval(k, k.concat(NUL));
        }
    }

    private static int affine(ByteString a, ByteString b) {
        if (a.isEmpty()) {
            return b.isEmpty() ? 0 : 1;
        }
        if (b.isEmpty()) {
            return -1;
        }
        return BYTES.compare(a, b);
    }

    /** adt.Interval.Compare(a, b) == 0, i.e. neither is entirely left or right of the other. */
    private static boolean intersects(Interval a, Interval b) {
        boolean left = affine(a.begin, b.begin) < 0 && affine(a.end, b.begin) <= 0;
        boolean right = affine(a.begin, b.end) >= 0;
        return !left && !right;
    }

    private static boolean coveredBy(List<Interval> dels, ByteString key) {
        Interval p = Interval.point(key);
        for (Interval d : dels) {
            if (intersects(p, d)) {
                return true;
            }
        }
        return false;
    }

    private record PutsAndDels(Set<ByteString> puts, List<Interval> dels) {}

    /** etcd's checkIntervals, statement by statement. */
    private static PutsAndDels checkIntervals(List<RequestOp> reqs) {
        List<Interval> dels = new ArrayList<>();
        for (RequestOp op : reqs) {
            if (op.hasRequestDeleteRange()) {
                DeleteRangeRequest d = op.getRequestDeleteRange();
                dels.add(d.getRangeEnd().isEmpty() ? Interval.point(d.getKey())
                        : new Interval(d.getKey(), d.getRangeEnd()));
            }
        }
        Set<ByteString> puts = new HashSet<>();
        Interval everything = new Interval(NUL, ByteString.EMPTY);
        for (RequestOp op : reqs) {
            if (!op.hasRequestTxn()) {
                continue;
            }
            PutsAndDels then = checkIntervals(op.getRequestTxn().getSuccessList());
            PutsAndDels otherwise = checkIntervals(op.getRequestTxn().getFailureList());
            for (ByteString k : then.puts) {
                if (puts.contains(k) || coveredBy(dels, k)) {
                    throw new Refused(EtcdError.DUPLICATE_KEY);
                }
                puts.add(k);
            }
            for (ByteString k : otherwise.puts) {
                if (puts.contains(k) && !then.puts.contains(k)) {
                    throw new Refused(EtcdError.DUPLICATE_KEY);
                }
                if (coveredBy(dels, k)) {
                    throw new Refused(EtcdError.DUPLICATE_KEY);
                }
                puts.add(k);
            }
            for (Interval d : then.dels) {
                if (intersects(everything, d)) {
                    dels.add(d);
                }
            }
            for (Interval d : otherwise.dels) {
                if (intersects(everything, d)) {
                    dels.add(d);
                }
            }
        }
        for (RequestOp op : reqs) {
            if (op.hasRequestPut()) {
                ByteString k = op.getRequestPut().getKey();
                if (puts.contains(k) || coveredBy(dels, k)) {
                    throw new Refused(EtcdError.DUPLICATE_KEY);
                }
                puts.add(k);
            }
        }
        return new PutsAndDels(puts, dels);
    }

    // ---------------------------------------------------------------- range

    private RangeResponse.Builder range(RangeRequest r, long current) {
        if (r.getRevision() > current) {
            throw new Refused(EtcdError.FUTURE_REVISION);
        }
        long at = r.getRevision() <= 0 ? current : r.getRevision();
        if (at < compactRevision) {
            throw new Refused(EtcdError.COMPACTED);
        }
        List<KeyValue> all = live(r.getKey(), r.getRangeEnd(), at);
        RangeResponse.Builder resp = RangeResponse.newBuilder().setCount(all.size())
                .setHeader(revisionOnly(current));
        if (r.getCountOnly()) {
            return resp;
        }
        boolean filtered = r.getMinModRevision() != 0 || r.getMaxModRevision() != 0
                || r.getMinCreateRevision() != 0 || r.getMaxCreateRevision() != 0;
        List<KeyValue> fetched = all;
        if (r.getSortOrder() == RangeRequest.SortOrder.NONE && !filtered && r.getLimit() > 0
                && all.size() > r.getLimit() + 1) {
            // apply.go fetches limit + 1 keys (in key order) unless the *requested* order or a filter
            // needs them all; the implicit ASCEND for a non-KEY target then sorts only those.
            fetched = all.subList(0, (int) r.getLimit() + 1);
        }
        List<KeyValue> kvs = new ArrayList<>();
        for (KeyValue kv : fetched) {
            if (r.getMaxModRevision() != 0 && kv.getModRevision() > r.getMaxModRevision()) {
                continue;
            }
            if (r.getMinModRevision() != 0 && kv.getModRevision() < r.getMinModRevision()) {
                continue;
            }
            if (r.getMaxCreateRevision() != 0 && kv.getCreateRevision() > r.getMaxCreateRevision()) {
                continue;
            }
            if (r.getMinCreateRevision() != 0 && kv.getCreateRevision() < r.getMinCreateRevision()) {
                continue;
            }
            kvs.add(kv);
        }
        RangeRequest.SortOrder order = r.getSortOrder();
        if (r.getSortTarget() != RangeRequest.SortTarget.KEY && order == RangeRequest.SortOrder.NONE) {
            order = RangeRequest.SortOrder.ASCEND;
        }
        if (order != RangeRequest.SortOrder.NONE) {
            Comparator<KeyValue> by = switch (r.getSortTarget()) {
                case KEY -> (a, b) -> BYTES.compare(a.getKey(), b.getKey());
                case VERSION -> Comparator.comparingLong(KeyValue::getVersion);
                case CREATE -> Comparator.comparingLong(KeyValue::getCreateRevision);
                case MOD -> Comparator.comparingLong(KeyValue::getModRevision);
                case VALUE -> (a, b) -> BYTES.compare(a.getValue(), b.getValue());
                default -> throw new IllegalStateException();
            };
            // Go's sort.Sort on <= 12 items is an insertion sort: stable, also under sort.Reverse.
            kvs.sort(order == RangeRequest.SortOrder.DESCEND ? (a, b) -> by.compare(b, a) : by);
        }
        if (r.getLimit() > 0 && kvs.size() > r.getLimit()) {
            kvs = kvs.subList(0, (int) r.getLimit());
            resp.setMore(true);
        }
        for (KeyValue kv : kvs) {
            resp.addKvs(r.getKeysOnly() ? kv.toBuilder().setValue(ByteString.EMPTY).build() : kv);
        }
        return resp;
    }

    // ---------------------------------------------------------------- put / delete

    private PutResponse.Builder put(Write w, PutRequest p) {
        KeyValue prev = valueAt(p.getKey(), w.current());
        if ((p.getIgnoreValue() || p.getIgnoreLease()) && prev == null) {
            throw new Refused(EtcdError.KEY_NOT_FOUND);
        }
        ByteString value = p.getIgnoreValue() ? prev.getValue() : p.getValue();
        long lease = p.getIgnoreLease() ? prev.getLease() : p.getLease();
        PutResponse.Builder resp = PutResponse.newBuilder();
        if (p.getPrevKv() && prev != null) {
            resp.setPrevKv(prev);
        }
        return resp.setHeader(revisionOnly(w.put(p.getKey(), value, lease)));
    }

    private DeleteRangeResponse.Builder delete(Write w, DeleteRangeRequest d) {
        DeleteRangeResponse.Builder resp = DeleteRangeResponse.newBuilder();
        if (d.getPrevKv()) {
            resp.addAllPrevKvs(live(d.getKey(), d.getRangeEnd(), w.current()));
        }
        long n = w.delete(d.getKey(), d.getRangeEnd());
        return resp.setDeleted(n).setHeader(revisionOnly(n != 0 || w.changes > 0 ? w.begin + 1 : w.begin));
    }

    // ---------------------------------------------------------------- txn

    private boolean compare(Compare c) {
        List<KeyValue> kvs = live(c.getKey(), c.getRangeEnd(), revision);
        if (kvs.isEmpty()) {
            if (c.getTarget() == Compare.CompareTarget.VALUE) {
                return false;
            }
            kvs = List.of(KeyValue.getDefaultInstance());
        }
        for (KeyValue kv : kvs) {
            int cmp = switch (c.getTarget()) {
                case VERSION -> Long.compare(kv.getVersion(),
                        c.getTargetUnionCase() == Compare.TargetUnionCase.VERSION ? c.getVersion() : 0);
                case CREATE -> Long.compare(kv.getCreateRevision(),
                        c.getTargetUnionCase() == Compare.TargetUnionCase.CREATE_REVISION ? c.getCreateRevision() : 0);
                case MOD -> Long.compare(kv.getModRevision(),
                        c.getTargetUnionCase() == Compare.TargetUnionCase.MOD_REVISION ? c.getModRevision() : 0);
                case LEASE -> Long.compare(kv.getLease(),
                        c.getTargetUnionCase() == Compare.TargetUnionCase.LEASE ? c.getLease() : 0);
                case VALUE -> BYTES.compare(kv.getValue(),
                        c.getTargetUnionCase() == Compare.TargetUnionCase.VALUE ? c.getValue() : ByteString.EMPTY);
                default -> 0;
            };
            boolean ok = switch (c.getResult()) {
                case EQUAL -> cmp == 0;
                case NOT_EQUAL -> cmp != 0;
                case GREATER -> cmp > 0;
                case LESS -> cmp < 0;
                default -> true;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The decision for one txn on the chosen path, with the decisions of its chosen nested txns. */
    private record Decision(boolean succeeded, List<Decision> nested) {}

    private Decision decide(TxnRequest t) {
        boolean ok = true;
        for (Compare c : t.getCompareList()) {
            if (!compare(c)) {
                ok = false;
                break;
            }
        }
        List<Decision> nested = new ArrayList<>();
        for (RequestOp op : ok ? t.getSuccessList() : t.getFailureList()) {
            if (op.hasRequestTxn()) {
                nested.add(decide(op.getRequestTxn()));
            }
        }
        return new Decision(ok, nested);
    }

    private static List<RequestOp> chosen(TxnRequest t, Decision d) {
        return d.succeeded ? t.getSuccessList() : t.getFailureList();
    }

    private void checkPutsOnPath(TxnRequest t, Decision d) {
        int n = 0;
        for (RequestOp op : chosen(t, d)) {
            if (op.hasRequestTxn()) {
                checkPutsOnPath(op.getRequestTxn(), d.nested.get(n++));
            } else if (op.hasRequestPut()) {
                PutRequest p = op.getRequestPut();
                if ((p.getIgnoreValue() || p.getIgnoreLease()) && valueAt(p.getKey(), revision) == null) {
                    throw new Refused(EtcdError.KEY_NOT_FOUND);
                }
            }
        }
    }

    private void checkRangesOnPath(TxnRequest t, Decision d) {
        int n = 0;
        for (RequestOp op : chosen(t, d)) {
            if (op.hasRequestTxn()) {
                checkRangesOnPath(op.getRequestTxn(), d.nested.get(n++));
            } else if (op.hasRequestRange()) {
                long rev = op.getRequestRange().getRevision();
                if (rev == 0) {
                    continue;
                }
                if (rev > revision) {
                    throw new Refused(EtcdError.FUTURE_REVISION);
                }
                if (rev < compactRevision) {
                    throw new Refused(EtcdError.COMPACTED);
                }
            }
        }
    }

    /** Thrown when a txn would make etcd panic ("unexpected error during txn"); the generator avoids it. */
    static final class Undefined extends RuntimeException {
        Undefined(String what) {
            super(what);
        }
    }

    private TxnResponse.Builder applyTxn(TxnRequest t, Decision d, Write w, long readRevision) {
        TxnResponse.Builder resp = TxnResponse.newBuilder().setSucceeded(d.succeeded);
        int n = 0;
        for (RequestOp op : chosen(t, d)) {
            ResponseOp.Builder out = ResponseOp.newBuilder();
            try {
                if (op.hasRequestRange()) {
                    out.setResponseRange(range(op.getRequestRange(), w == null ? readRevision : w.current()));
                } else if (op.hasRequestPut()) {
                    out.setResponsePut(put(w, op.getRequestPut()));
                } else if (op.hasRequestDeleteRange()) {
                    out.setResponseDeleteRange(delete(w, op.getRequestDeleteRange()));
                } else {
                    out.setResponseTxn(applyTxn(op.getRequestTxn(), d.nested.get(n++), w, readRevision)
                            .setHeader(ResponseHeader.getDefaultInstance()));
                }
            } catch (Refused e) {
                throw new Undefined("etcd panics on " + e.error + " while applying a txn op: " + op);
            }
            resp.addResponses(out);
        }
        return resp;
    }

    private static boolean readOnly(TxnRequest t) {
        for (RequestOp op : t.getSuccessList()) {
            if (!op.hasRequestRange()) {
                return false;
            }
        }
        for (RequestOp op : t.getFailureList()) {
            if (!op.hasRequestRange()) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- top level

    Outcome apply(Message request) {
        try {
            return Outcome.ok(applyOrRefuse(request));
        } catch (Refused e) {
            return Outcome.failed(e.error);
        }
    }

    private Message applyOrRefuse(Message request) {
        if (request instanceof RangeRequest r) {
            checkRange(r);
            return range(r, revision).setHeader(full(revision)).build();
        }
        if (request instanceof PutRequest p) {
            checkPut(p);
            Write w = new Write();
            PutResponse.Builder resp = put(w, p);
            w.end();
            return resp.setHeader(full(resp.getHeader().getRevision())).build();
        }
        if (request instanceof DeleteRangeRequest d) {
            checkDelete(d);
            Write w = new Write();
            DeleteRangeResponse.Builder resp = delete(w, d);
            w.end();
            return resp.setHeader(full(resp.getHeader().getRevision())).build();
        }
        if (request instanceof TxnRequest t) {
            checkTxnRequest(t, maxTxnOps);
            checkIntervals(t.getSuccessList());
            checkIntervals(t.getFailureList());
            boolean write = !readOnly(t);
            Decision d = decide(t);
            if (write) {
                checkPutsOnPath(t, d);
            }
            checkRangesOnPath(t, d);
            if (!write) {
                return applyTxn(t, d, null, revision).setHeader(full(revision)).build();
            }
            Write w = new Write();
            TxnResponse.Builder resp = applyTxn(t, d, w, revision);
            w.end();
            return resp.setHeader(full(revision)).build();
        }
        if (request instanceof CompactionRequest c) {
            if (c.getRevision() <= compactRevision) {
                throw new Refused(EtcdError.COMPACTED);
            }
            if (c.getRevision() > revision) {
                throw new Refused(EtcdError.FUTURE_REVISION);
            }
            compactRevision = c.getRevision();
            return CompactionResponse.newBuilder().setHeader(full(revision)).build();
        }
        throw new IllegalArgumentException(request.getClass().getName());
    }
}
