package io.vetcd.server.differential;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.vetcd.proto.etcdserverpb.CompactionRequest;
import io.vetcd.proto.etcdserverpb.Compare;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import java.util.List;
import java.util.Random;

/**
 * Random etcd KV requests over a keyspace of ten keys, so that puts, deletes and compares collide
 * all the time. No range holds more than ten keys, which keeps every sort tie-stable in Go too.
 *
 * <p>The caller reports the current and compacted revisions back ({@link #observe}) so revisions in
 * requests land near the interesting spots: just compacted, current, just in the future.
 */
final class RandomOps {
    private static final List<String> KEYS = List.of("a", "ab", "b", "ba", "bb", "c", "c\u0000", "d", "e", "f\u00ff");
    private static final List<String> VALUES = List.of("", "0", "1", "2", "x", "xy");

    private final Random random;
    private final String prefix;
    private long current = 1;
    private long compacted = 0;

    RandomOps(long seed, String prefix) {
        this.random = new Random(seed);
        this.prefix = prefix;
    }

    /** Tells the generator etcd's revision after a step, and the compaction point if it moved. */
    void observe(long revision, long compactedAt) {
        current = Math.max(current, revision);
        compacted = Math.max(compacted, compactedAt);
    }

    /** One random request: a RangeRequest, PutRequest, DeleteRangeRequest, TxnRequest or CompactionRequest. */
    Message next() {
        int dice = random.nextInt(100);
        if (dice < 30) {
            return put();
        }
        if (dice < 55) {
            return range();
        }
        if (dice < 67) {
            return delete();
        }
        if (dice < 97) {
            return txn(0);
        }
        return CompactionRequest.newBuilder().setRevision(revisionNear()).build();
    }

    private ByteString key() {
        return ByteString.copyFromUtf8(prefix + KEYS.get(random.nextInt(KEYS.size())));
    }

    private ByteString value() {
        return ByteString.copyFromUtf8(VALUES.get(random.nextInt(VALUES.size())));
    }

    private boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    /** Around the interesting revisions: below/at the compaction point, current, the future. */
    private long revisionNear() {
        return switch (random.nextInt(6)) {
            case 0 -> compacted - 1 + random.nextInt(3);
            case 1 -> current + random.nextInt(3);
            case 2 -> 0;
            default -> 1 + (long) random.nextInt((int) Math.max(1, current));
        };
    }

    /** key and range_end for one of: single key, prefix, interval (possibly inverted), from-key, everything. */
    private ByteString[] keys() {
        ByteString key = key();
        return switch (random.nextInt(10)) {
            case 0, 1, 2, 3 -> new ByteString[] {key, ByteString.EMPTY};
            case 4, 5 -> {
                ByteString p = ByteString.copyFromUtf8(prefix + KEYS.get(random.nextInt(KEYS.size())).substring(0, 1));
                yield new ByteString[] {p, prefixEnd(p)};
            }
            case 6, 7 -> new ByteString[] {key, key()};
            case 8 -> new ByteString[] {key, ByteString.copyFrom(new byte[] {0})};
            default -> {
                ByteString p = ByteString.copyFromUtf8(prefix);
                yield new ByteString[] {p, prefixEnd(p)};
            }
        };
    }

    private static ByteString prefixEnd(ByteString p) {
        byte[] end = p.toByteArray();
        end[end.length - 1]++;
        return ByteString.copyFrom(end);
    }

    PutRequest put() {
        PutRequest.Builder p = PutRequest.newBuilder().setKey(key()).setPrevKv(chance(30));
        if (chance(10)) {
            p.setIgnoreValue(true);
            if (chance(10)) {
                p.setValue(value());
            }
        } else {
            p.setValue(value());
        }
        if (chance(10)) {
            p.setIgnoreLease(true);
        }
        if (chance(2)) {
            p.setLease(1 + random.nextInt(100));
        }
        return p.build();
    }

    RangeRequest range() {
        ByteString[] k = keys();
        RangeRequest.Builder r = RangeRequest.newBuilder().setKey(k[0]).setRangeEnd(k[1]);
        if (chance(40)) {
            r.setLimit(random.nextInt(5));
        }
        if (chance(35)) {
            r.setSortOrderValue(random.nextInt(3)).setSortTargetValue(random.nextInt(5));
        }
        if (chance(30)) {
            r.setRevision(revisionNear());
        }
        r.setKeysOnly(chance(15)).setCountOnly(chance(10));
        if (chance(12)) {
            r.setMinModRevision(random.nextInt((int) current + 1));
        }
        if (chance(12)) {
            r.setMaxModRevision(random.nextInt((int) current + 1));
        }
        if (chance(12)) {
            r.setMinCreateRevision(random.nextInt((int) current + 1));
        }
        if (chance(12)) {
            r.setMaxCreateRevision(random.nextInt((int) current + 1));
        }
        return r.build();
    }

    DeleteRangeRequest delete() {
        ByteString[] k = keys();
        return DeleteRangeRequest.newBuilder().setKey(k[0]).setRangeEnd(k[1]).setPrevKv(chance(50)).build();
    }

    private Compare compare() {
        ByteString[] k = chance(70) ? new ByteString[] {key(), ByteString.EMPTY} : keys();
        Compare.Builder c = Compare.newBuilder().setKey(k[0]).setRangeEnd(k[1])
                .setResultValue(random.nextInt(4));
        switch (random.nextInt(5)) {
            case 0 -> c.setTarget(Compare.CompareTarget.VALUE).setValue(value());
            case 1 -> c.setTarget(Compare.CompareTarget.VERSION).setVersion(random.nextInt(4));
            case 2 -> c.setTarget(Compare.CompareTarget.CREATE).setCreateRevision(revisionNear());
            case 3 -> c.setTarget(Compare.CompareTarget.MOD).setModRevision(revisionNear());
            default -> c.setTarget(Compare.CompareTarget.LEASE).setLease(random.nextInt(2));
        }
        return c.build();
    }

    private RequestOp op(int depth) {
        int dice = random.nextInt(100);
        if (dice < 35) {
            return RequestOp.newBuilder().setRequestPut(put()).build();
        }
        if (dice < 70) {
            return RequestOp.newBuilder().setRequestRange(range()).build();
        }
        if (dice < 90 || depth >= 2) {
            return RequestOp.newBuilder().setRequestDeleteRange(delete()).build();
        }
        return RequestOp.newBuilder().setRequestTxn(txn(depth + 1)).build();
    }

    TxnRequest txn(int depth) {
        TxnRequest.Builder t = TxnRequest.newBuilder();
        for (int i = random.nextInt(4); i > 0; i--) {
            t.addCompare(compare());
        }
        for (int i = random.nextInt(depth == 0 ? 5 : 3); i > 0; i--) {
            t.addSuccess(op(depth));
        }
        for (int i = random.nextInt(depth == 0 ? 5 : 3); i > 0; i--) {
            t.addFailure(op(depth));
        }
        return t.build();
    }
}
