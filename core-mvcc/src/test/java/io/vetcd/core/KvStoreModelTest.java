package io.vetcd.core;

import static io.vetcd.core.KvTestSupport.await;
import static io.vetcd.core.KvTestSupport.bs;
import static io.vetcd.core.KvTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import io.vetcd.proto.etcdserverpb.CompactionRequest;
import io.vetcd.proto.etcdserverpb.Compare;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.DeleteRangeResponse;
import io.vetcd.proto.etcdserverpb.PutResponse;
import io.vetcd.proto.etcdserverpb.RangeResponse;
import io.vetcd.proto.etcdserverpb.ResponseOp;
import io.vetcd.proto.etcdserverpb.TxnResponse;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Randomized differential test: thousands of random requests against {@link KvStore} and against the
 * naive {@link KvModel}; every response (kvs, count, more, headers, succeeded, deleted, prev_kv(s),
 * nested responses) and every error must be identical, and so must the revision and compaction point
 * after each request. Each seed is fixed, so a failure replays exactly; the message names the seed and
 * the index of the failing request.
 */
class KvStoreModelTest {
    private static final int OPS_PER_SEED = 3000;
    /** Small, so that too-many-ops and the nested budget get exercised. */
    private static final int MAX_TXN_OPS = 4;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 7, 42, 1234, 20240601})
    void storeBehavesLikeTheModel(long seed) {
        Random rnd = new Random(seed);
        KvModel model = new KvModel(MAX_TXN_OPS);
        Gen gen = new Gen(rnd, model);
        Map<EtcdError, Integer> errors = new EnumMap<>(EtcdError.class);
        int succeeded = 0;
        Coverage coverage = new Coverage();
        try (KvStore kv = KvTestSupport.newStore(new Limits(Limits.DEFAULT_MAX_REQUEST_BYTES, MAX_TXN_OPS))) {
            for (int i = 0; i < OPS_PER_SEED; i++) {
                Message request = gen.next();
                String where = "seed=" + seed + " op#" + i + " request " + request.getClass().getSimpleName()
                        + " {" + TextFormat.shortDebugString(request) + "}";
                KvModel.Outcome expected;
                try {
                    expected = model.apply(request);
                } catch (KvModel.Undefined u) {
                    fail(where + ": generator produced a request etcd cannot apply: " + u.getMessage());
                    return;
                }
                KvModel.Outcome actual = execute(kv, request, where);
                if (expected.error() != null || actual.error() != null) {
                    assertEquals(expected.error(), actual.error(), where + ": error\n got response: "
                            + (actual.response() == null ? "-" : TextFormat.shortDebugString(actual.response())));
                    errors.merge(expected.error(), 1, Integer::sum);
                } else {
                    if (!expected.response().equals(actual.response())) {
                        assertEquals(TextFormat.printer().printToString(expected.response()),
                                TextFormat.printer().printToString(actual.response()), where + ": response");
                    }
                    succeeded++;
                    coverage.record(expected.response());
                }
                assertEquals(model.revision, kv.revision(), where + ": revision afterwards");
                assertEquals(model.compactRevision, kv.compactRevision(), where + ": compaction point afterwards");
            }
        }
        // The generator must actually reach the interesting cases, or the comparison proves little.
        assertTrue(model.revision > OPS_PER_SEED / 5, "too few writes: " + model.revision);
        assertTrue(succeeded > OPS_PER_SEED / 2, "too few successful requests: " + succeeded);
        coverage.assertReached(seed);
        for (EtcdError e : List.of(EtcdError.COMPACTED, EtcdError.FUTURE_REVISION, EtcdError.DUPLICATE_KEY,
                EtcdError.KEY_NOT_FOUND, EtcdError.TOO_MANY_OPS)) {
            assertTrue(errors.getOrDefault(e, 0) > 0, "seed " + seed + " never produced " + e + ": " + errors);
        }
    }

    /** Counts the response shapes that were compared, so a degenerate generator is noticed. */
    private static final class Coverage {
        int multiKeyRanges;
        int rangesWithMore;
        int writeTxnsThatChanged;
        int failedTxns;
        int nestedTxns;
        int multiKeyDeletes;
        int prevKvs;

        void record(Message m) {
            if (m instanceof RangeResponse r) {
                multiKeyRanges += r.getKvsCount() >= 2 ? 1 : 0;
                rangesWithMore += r.getMore() ? 1 : 0;
            } else if (m instanceof DeleteRangeResponse d) {
                multiKeyDeletes += d.getDeleted() >= 2 ? 1 : 0;
                prevKvs += d.getPrevKvsCount() > 0 ? 1 : 0;
            } else if (m instanceof PutResponse p) {
                prevKvs += p.hasPrevKv() ? 1 : 0;
            } else if (m instanceof TxnResponse t) {
                failedTxns += t.getSucceeded() ? 0 : 1;
                for (ResponseOp op : t.getResponsesList()) {
                    switch (op.getResponseCase()) {
                        case RESPONSE_RANGE -> record(op.getResponseRange());
                        case RESPONSE_PUT -> {
                            writeTxnsThatChanged++;
                            record(op.getResponsePut());
                        }
                        case RESPONSE_DELETE_RANGE -> record(op.getResponseDeleteRange());
                        case RESPONSE_TXN -> {
                            nestedTxns++;
                            record(op.getResponseTxn());
                        }
                        default -> { }
                    }
                }
            }
        }

        void assertReached(long seed) {
            String stats = "seed " + seed + ": " + multiKeyRanges + " multi-key ranges, " + rangesWithMore
                    + " with more, " + writeTxnsThatChanged + " txn puts, " + failedTxns + " failed txns, "
                    + nestedTxns + " nested txns, " + multiKeyDeletes + " multi-key deletes, " + prevKvs + " prev kvs";
            assertTrue(multiKeyRanges > 50 && rangesWithMore > 20 && writeTxnsThatChanged > 50 && failedTxns > 20
                    && nestedTxns > 10 && multiKeyDeletes > 10 && prevKvs > 50, "generator too weak: " + stats);
        }
    }

    private static KvModel.Outcome execute(KvStore kv, Message request, String where) {
        try {
            Message response;
            if (request instanceof RangeRequest r) {
                response = kv.range(r);
            } else if (request instanceof PutRequest p) {
                response = await(kv.put(p));
            } else if (request instanceof DeleteRangeRequest d) {
                response = await(kv.deleteRange(d));
            } else if (request instanceof TxnRequest t) {
                response = await(kv.txn(t));
            } else if (request instanceof CompactionRequest c) {
                response = await(kv.compact(c));
            } else {
                throw new IllegalArgumentException(where);
            }
            return KvModel.Outcome.ok(response);
        } catch (EtcdException e) {
            return KvModel.Outcome.failed(e.error());
        }
    }

    /** Random requests over a small keyspace, so that keys, values and revisions collide often. */
    private static final class Gen {
        private static final ByteString NUL = bytes(0);
        /** At most 12 keys: Go's sort.Sort is then an insertion sort, whose tie order the model copies. */
        private static final List<ByteString> KEYS = List.of(bytes(0x00), bs("a"), bs("ab"), bs("b"), bs("c"),
                bs("d"), bs("e"), bytes(0x7F), bytes(0x80), bytes(0xFF));
        private static final List<ByteString> BOUNDS;
        private static final List<ByteString> VALUES = List.of(ByteString.EMPTY, bs("v0"), bs("v1"), bs("v2"),
                bs("v3"), bytes(0x7F), bytes(0xFF));

        static {
            List<ByteString> b = new ArrayList<>(KEYS);
            b.addAll(List.of(bs("aa"), bs("abc"), bs("bz"), bs("z"), bytes(0x01), bytes(0x80, 0x00), bytes(0xFF, 0xFF)));
            BOUNDS = List.copyOf(b);
        }

        private final Random rnd;
        private final KvModel model;

        Gen(Random rnd, KvModel model) {
            this.rnd = rnd;
            this.model = model;
        }

        private boolean chance(int percent) {
            return rnd.nextInt(100) < percent;
        }

        private <T> T pick(List<T> from) {
            return from.get(rnd.nextInt(from.size()));
        }

        private long between(long lo, long hi) {
            return lo + (long) rnd.nextInt((int) (hi - lo + 1));
        }

        private ByteString key() {
            return chance(1) ? ByteString.EMPTY : pick(KEYS);
        }

        private static ByteString prefixEnd(ByteString key) {
            byte[] b = key.toByteArray();
            for (int i = b.length - 1; i >= 0; i--) {
                if ((b[i] & 0xFF) < 0xFF) {
                    b[i]++;
                    return ByteString.copyFrom(b, 0, i + 1);
                }
            }
            return NUL; // all 0xFF: no prefix end, etcd clients use "\0"
        }

        /** {key, range_end}. */
        private ByteString[] keys(boolean fromKeyAllowed) {
            int p = rnd.nextInt(100);
            ByteString k = pick(KEYS);
            if (p < 35) {
                return new ByteString[] {k, ByteString.EMPTY};
            }
            if (p < 60) {
                return new ByteString[] {pick(BOUNDS), pick(BOUNDS)}; // may be empty or inverted
            }
            if (p < 75) {
                ByteString end = prefixEnd(k);
                if (end.equals(NUL) && !fromKeyAllowed) {
                    return new ByteString[] {k, ByteString.EMPTY};
                }
                return new ByteString[] {k, end};
            }
            if (!fromKeyAllowed) {
                return new ByteString[] {k, pick(BOUNDS)};
            }
            return p < 90 ? new ByteString[] {pick(BOUNDS), NUL} : new ByteString[] {NUL, NUL};
        }

        /** A revision around the interesting region: compacted, retained, current and future. */
        private long revision() {
            long lo = Math.max(-1, model.compactRevision - 2);
            return between(lo, model.revision + 2);
        }

        Message next() {
            int p = rnd.nextInt(100);
            if (p < 27) {
                return put(true, true);
            }
            if (p < 37) {
                return delete(true);
            }
            if (p < 64) {
                return txn(0, chance(40));
            }
            if (p < 96) {
                return range(false);
            }
            long rev = chance(50) ? model.revision : between(Math.max(-1, model.compactRevision - 1), model.revision + 1);
            return CompactionRequest.newBuilder().setRevision(rev).build();
        }

        private PutRequest put(boolean ignoreAllowed, boolean topLevel) {
            PutRequest.Builder b = PutRequest.newBuilder().setKey(key()).setValue(pick(VALUES));
            if (chance(25)) {
                b.setLease(between(1, 3));
            }
            if (chance(30)) {
                b.setPrevKv(true);
            }
            if (ignoreAllowed && chance(12)) {
                b.setIgnoreValue(true);
                if (!chance(15)) {
                    b.clearValue();
                }
            }
            if (ignoreAllowed && chance(12)) {
                b.setIgnoreLease(true);
                if (!chance(15)) {
                    b.clearLease();
                }
            }
            return b.build();
        }

        private DeleteRangeRequest delete(boolean fromKeyAllowed) {
            ByteString[] k = keys(fromKeyAllowed);
            DeleteRangeRequest.Builder b = DeleteRangeRequest.newBuilder().setKey(chance(1) ? ByteString.EMPTY : k[0])
                    .setRangeEnd(k[1]);
            if (chance(40)) {
                b.setPrevKv(true);
            }
            return b.build();
        }

        private RangeRequest range(boolean inTxn) {
            ByteString[] k = keys(true);
            RangeRequest.Builder b = RangeRequest.newBuilder().setKey(chance(1) ? ByteString.EMPTY : k[0])
                    .setRangeEnd(k[1]);
            if (inTxn ? chance(20) : chance(50)) {
                long rev = revision();
                b.setRevision(inTxn && rev == 0 ? 1 : rev);
            }
            if (chance(40)) {
                b.setLimit(chance(10) ? -1 : between(1, 4));
            }
            if (chance(50)) {
                b.setSortOrderValue(rnd.nextInt(3));
            }
            if (chance(40)) {
                b.setSortTargetValue(rnd.nextInt(5));
            }
            if (chance(1)) {
                b.setSortOrderValue(3 + rnd.nextInt(3)); // not an etcd sort order
            }
            b.setKeysOnly(chance(15)).setCountOnly(chance(10));
            if (chance(8)) {
                b.setMinModRevision(between(0, model.revision + 1));
            }
            if (chance(8)) {
                b.setMaxModRevision(between(0, model.revision + 1));
            }
            if (chance(8)) {
                b.setMinCreateRevision(between(0, model.revision + 1));
            }
            if (chance(8)) {
                b.setMaxCreateRevision(between(0, model.revision + 1));
            }
            return b.build();
        }

        private Compare compare() {
            Compare.Builder c = Compare.newBuilder().setKey(chance(1) ? ByteString.EMPTY : pick(KEYS))
                    .setResultValue(rnd.nextInt(4)).setTargetValue(rnd.nextInt(5));
            if (chance(25)) {
                c.setRangeEnd(keys(true)[1]);
            }
            int union = chance(10) ? rnd.nextInt(5) : c.getTargetValue();
            switch (union) {
                case 0 -> c.setVersion(between(0, 4));
                case 1 -> c.setCreateRevision(between(0, model.revision + 1));
                case 2 -> c.setModRevision(between(0, model.revision + 1));
                case 3 -> c.setValue(pick(VALUES));
                default -> c.setLease(between(0, 3));
            }
            return c.build();
        }

        private int size() {
            return chance(4) ? MAX_TXN_OPS + 1 : rnd.nextInt(4);
        }

        /**
         * A txn; with {@code ignoreAllowed}, puts may carry ignore_value/ignore_lease but no delete may use
         * a "\0" range end: a from-key delete escapes the duplicate check, so it could delete the key of
         * a later ignore_* put of the same txn, which makes etcd panic ("unexpected error during txn").
         */
        private TxnRequest txn(int depth, boolean ignoreAllowed) {
            TxnRequest.Builder t = TxnRequest.newBuilder();
            int compares = chance(4) ? MAX_TXN_OPS + 1 : rnd.nextInt(3);
            for (int i = 0; i < compares; i++) {
                t.addCompare(compare());
            }
            int success = size();
            for (int i = 0; i < success; i++) {
                t.addSuccess(op(depth, ignoreAllowed));
            }
            int failure = size();
            for (int i = 0; i < failure; i++) {
                t.addFailure(op(depth, ignoreAllowed));
            }
            return t.build();
        }

        private RequestOp op(int depth, boolean ignoreAllowed) {
            int p = rnd.nextInt(100);
            RequestOp.Builder op = RequestOp.newBuilder();
            if (p < 1) {
                return op.build(); // empty op
            }
            if (p < 36) {
                return op.setRequestRange(range(true)).build();
            }
            if (p < 72) {
                return op.setRequestPut(put(ignoreAllowed, false)).build();
            }
            if (p < 82 || depth >= 2) {
                return op.setRequestDeleteRange(delete(!ignoreAllowed)).build();
            }
            return op.setRequestTxn(txn(depth + 1, ignoreAllowed)).build();
        }
    }
}
