package io.vetcd.server.differential;

import static io.vetcd.server.differential.Ops.get;
import static io.vetcd.server.differential.Ops.put;
import static io.vetcd.server.differential.Ops.txn;
import static io.vetcd.server.differential.Ops.valueCmp;

import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.GetOption;
import io.grpc.Status;
import io.vetcd.proto.etcdserverpb.CompactionRequest;
import io.vetcd.proto.etcdserverpb.Compare.CompareResult;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Compaction against etcd, as one story on fresh servers (compaction cannot be undone, so the steps
 * depend on each other): compacting at, below and above the current point, reads below, at and above
 * it, and txns whose ranges read below it.
 */
class DifferentialCompactionTest extends AgainstEtcd {
    private static final String COMPACTED = "etcdserver: mvcc: required revision has been compacted";
    private static final String FUTURE = "etcdserver: mvcc: required revision is a future revision";

    private Outcome compact(String step, long revision) {
        return pair.kv(step, kv -> kv.compact(revision));
    }

    private Outcome getAt(String step, String key, long revision) {
        return pair.kv(step, kv -> kv.get(bs(key), GetOption.builder().isPrefix(true).withRevision(revision).build()));
    }

    @Test
    void compactionStory() {
        compact("compact 0 on a fresh store", 0).assertOk();
        compact("compact 0 again", 0).assertError(Status.Code.OUT_OF_RANGE, COMPACTED);
        compact("compact 1 (the current revision)", 1).assertOk();
        compact("compact 1 again", 1).assertError(Status.Code.OUT_OF_RANGE, COMPACTED);
        compact("compact 2 (the future)", 2).assertError(Status.Code.OUT_OF_RANGE, FUTURE);
        pair.raw("compact -1", s -> s.compact(CompactionRequest.newBuilder().setRevision(-1).build()))
                .assertError(Status.Code.OUT_OF_RANGE, COMPACTED);

        List<Long> revs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int n = i;
            revs.add(pair.kv("put c/a #" + i, kv -> kv.put(bs("c/a"), bs("a" + n))).revision());
            revs.add(pair.kv("put c/b #" + i, kv -> kv.put(bs("c/b"), bs("b" + n))).revision());
        }
        revs.add(pair.kv("put c/gone", kv -> kv.put(bs("c/gone"), bs("soon deleted"))).revision());
        revs.add(pair.kv("delete c/gone", kv -> kv.delete(bs("c/gone"))).revision());
        revs.add(pair.kv("put c/late", kv -> kv.put(bs("c/late"), bs("after"))).revision());
        long current = revs.get(revs.size() - 1);
        long point = revs.get(4);

        compact("compact beyond the current revision", current + 1).assertError(Status.Code.OUT_OF_RANGE, FUTURE);
        compact("compact in the middle", point).assertOk();
        compact("compact below the point", point - 2).assertError(Status.Code.OUT_OF_RANGE, COMPACTED);
        compact("compact at the point again", point).assertError(Status.Code.OUT_OF_RANGE, COMPACTED);

        getAt("read below the point", "c/", point - 1).assertError(Status.Code.OUT_OF_RANGE, COMPACTED);
        getAt("read at revision 1", "c/", 1).assertError(Status.Code.OUT_OF_RANGE, COMPACTED);
        for (long rev = point; rev <= current; rev++) {
            getAt("read at " + rev, "c/", rev).assertOk();
        }
        getAt("read above the current revision", "c/", current + 1).assertError(Status.Code.OUT_OF_RANGE, FUTURE);
        pair.kv("count only below the point", kv -> kv.get(bs("c/a"), GetOption.builder()
                .withRevision(point - 1).withCountOnly(true).build())).assertError(Status.Code.OUT_OF_RANGE, COMPACTED);
        pair.kv("latest read is unaffected", kv -> kv.get(bs("c/"), GetOption.builder().isPrefix(true).build()))
                .assertOk();

        pair.raw("read-only txn reading below the point", s -> s.txn(txn().addSuccess(get(RangeRequest.newBuilder()
                .setKey(b("c/a")).setRevision(point - 1))).build())).assertError(Status.Code.OUT_OF_RANGE, COMPACTED);
        pair.raw("write txn reading below the point", s -> s.txn(txn().addSuccess(put("c/t", "t"))
                .addSuccess(get(RangeRequest.newBuilder().setKey(b("c/a")).setRevision(point - 1))).build()))
                .assertError(Status.Code.OUT_OF_RANGE, COMPACTED);
        pair.raw("txn reading below the point on the branch not taken", s -> s.txn(txn()
                .addCompare(valueCmp("c/a", CompareResult.EQUAL, "a3"))
                .addSuccess(get(RangeRequest.newBuilder().setKey(b("c/a")).setRevision(point)))
                .addFailure(get(RangeRequest.newBuilder().setKey(b("c/a")).setRevision(point - 1))).build()))
                .assertOk();
        pair.raw("txn reading at the point", s -> s.txn(txn().addSuccess(put("c/t", "t2"))
                .addSuccess(get(RangeRequest.newBuilder().setKey(b("c/")).setRangeEnd(b("c0")).setRevision(point)))
                .build())).assertOk();

        // Compact past the delete of c/gone: its history is gone, a new c/gone starts over.
        long later = pair.kv("put c/b once more", kv -> kv.put(bs("c/b"), bs("b-last"))).revision();
        compact("compact with physical", later).assertOk();
        pair.kv("compact physical again", kv -> kv.compact(later, CompactOption.builder().withCompactPhysical(true)
                .build())).assertError(Status.Code.OUT_OF_RANGE, COMPACTED);
        getAt("read at the new point", "c/", later).assertOk();
        getAt("read just below it", "c/", later - 1).assertError(Status.Code.OUT_OF_RANGE, COMPACTED);
        pair.kv("recreate c/gone", kv -> kv.put(bs("c/gone"), bs("again"))).assertOk();
        pair.kv("delete everything", kv -> kv.delete(bs("c/"), io.etcd.jetcd.options.DeleteOption.builder()
                .isPrefix(true).withPrevKV(true).build())).assertOk();
        long end = pair.kv("final put", kv -> kv.put(bs("c/z"), bs("z"))).revision();
        compact("compact at the current revision", end).assertOk();
        getAt("read everything at the current revision", "c/", end).assertOk();
        pair.kv("filters after compaction", kv -> kv.get(bs("c/"), GetOption.builder().isPrefix(true)
                .withMinCreateRevision(1).withMaxModRevision(end).build())).assertOk();
    }
}
