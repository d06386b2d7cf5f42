package io.vetcd.server.differential;

import static io.vetcd.server.differential.Ops.cmp;
import static io.vetcd.server.differential.Ops.del;
import static io.vetcd.server.differential.Ops.get;
import static io.vetcd.server.differential.Ops.put;
import static io.vetcd.server.differential.Ops.ranged;
import static io.vetcd.server.differential.Ops.txn;
import static io.vetcd.server.differential.Ops.valueCmp;

import io.vetcd.proto.etcdserverpb.Compare;
import io.vetcd.proto.etcdserverpb.Compare.CompareResult;
import io.vetcd.proto.etcdserverpb.Compare.CompareTarget;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.Status;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Txn against etcd: every compare target and result on present and missing keys, range compares,
 * mixed and nested operations, and the request checks (too many ops, duplicate keys, empty keys,
 * ignore_value on a missing key, ranges at a future revision).
 */
class DifferentialTxnTest extends AgainstEtcd {
    private static final String TOO_MANY = "etcdserver: too many operations in txn request";
    private static final String DUPLICATE = "etcdserver: duplicate key given in txn request";
    private static final String EMPTY_KEY = "etcdserver: key is not provided";

    private Outcome raw(String step, TxnRequest.Builder txn) {
        return pair.raw(step, s -> s.txn(txn.build()));
    }

    @Test
    void everyTargetAndResultThroughJetcd() {
        pair.kv("create", kv -> kv.put(bs("t1/k"), bs("m"))).assertOk();
        long created = pair.kv("update", kv -> kv.put(bs("t1/k"), bs("m"))).revision();
        long modified = pair.kv("update again", kv -> kv.put(bs("t1/k"), bs("m"))).revision();
        long version = 3;
        Op then = Op.get(bs("t1/k"), GetOption.DEFAULT);
        Op otherwise = Op.get(bs("t1/"), GetOption.builder().isPrefix(true).withCountOnly(true).build());
        for (String key : new String[] {"t1/k", "t1/missing"}) {
            for (Cmp.Op op : Cmp.Op.values()) {
                for (int delta = -1; delta <= 1; delta++) {
                    long d = delta;
                    var targets = new java.util.LinkedHashMap<String, CmpTarget<?>>();
                    targets.put("version", CmpTarget.version(version + d));
                    targets.put("create", CmpTarget.createRevision(created - 1 + d));
                    targets.put("mod", CmpTarget.modRevision(modified + d));
                    targets.put("value", CmpTarget.value(bs(new String[] {"l", "m", "n"}[delta + 1])));
                    for (var t : targets.entrySet()) {
                        pair.kv(key + " " + t.getKey() + " " + op + " " + d, kv -> kv.txn()
                                .If(new Cmp(bs(key), op, t.getValue()))
                                .Then(then).Else(otherwise).commit()).assertOk();
                    }
                }
            }
        }
        pair.kv("value compare with empty value on a missing key", kv -> kv.txn()
                .If(new Cmp(bs("t1/missing"), Cmp.Op.EQUAL, CmpTarget.value(bs("")))).Then(then).commit()).assertOk();
        pair.kv("version 0 means missing", kv -> kv.txn()
                .If(new Cmp(bs("t1/missing"), Cmp.Op.EQUAL, CmpTarget.version(0))).Then(then).commit()).assertOk();
    }

    @Test
    void leaseTargetAndUnsetOperands() {
        raw("create", txn().addSuccess(put("t2/k", "v"))).assertOk();
        for (String key : new String[] {"t2/k", "t2/missing"}) {
            for (CompareResult r : new CompareResult[] {CompareResult.EQUAL, CompareResult.NOT_EQUAL,
                    CompareResult.GREATER, CompareResult.LESS}) {
                for (long lease : new long[] {0, 1, -1}) {
                    raw(key + " lease " + r + " " + lease, txn().addCompare(cmp(key, CompareTarget.LEASE, r, lease))
                            .addSuccess(get("t2/k")).addFailure(get("t2/missing"))).assertOk();
                }
                // A compare that names a target but sets no operand compares with zero (or the empty value).
                for (CompareTarget target : new CompareTarget[] {CompareTarget.VERSION, CompareTarget.CREATE,
                        CompareTarget.MOD, CompareTarget.VALUE, CompareTarget.LEASE}) {
                    raw(key + " " + target + " " + r + " without operand", txn()
                            .addCompare(Compare.newBuilder().setKey(b(key)).setTarget(target).setResult(r))
                            .addSuccess(get("t2/k"))).assertOk();
                }
            }
        }
    }

    @Test
    void unknownTargetsAndResults() {
        raw("create", txn().addSuccess(put("t10/k", "v"))).assertOk();
        for (String key : new String[] {"t10/k", "t10/missing"}) {
            raw(key + ": unknown target", txn().addCompare(Compare.newBuilder().setKey(b(key)).setTargetValue(9)
                    .setResult(CompareResult.EQUAL)).addSuccess(get(key)).addFailure(get("t10/k"))).assertOk();
            raw(key + ": unknown target, NOT_EQUAL", txn().addCompare(Compare.newBuilder().setKey(b(key))
                    .setTargetValue(9).setResult(CompareResult.NOT_EQUAL)).addSuccess(get(key))).assertOk();
            raw(key + ": unknown result", txn().addCompare(Compare.newBuilder().setKey(b(key))
                    .setTarget(CompareTarget.VERSION).setResultValue(9).setVersion(5)).addSuccess(get(key)))
                    .assertOk();
            raw(key + ": value target with a revision operand", txn().addCompare(Compare.newBuilder().setKey(b(key))
                    .setTarget(CompareTarget.VALUE).setResult(CompareResult.GREATER).setModRevision(1))
                    .addSuccess(get(key))).assertOk();
            raw(key + ": version target with a value operand", txn().addCompare(Compare.newBuilder().setKey(b(key))
                    .setTarget(CompareTarget.VERSION).setResult(CompareResult.EQUAL).setValue(b("v")))
                    .addSuccess(get(key))).assertOk();
        }
    }

    @Test
    void rangeCompares() {
        raw("fill", txn().addSuccess(put("t3/a", "x")).addSuccess(put("t3/b", "x")).addSuccess(put("t3/c", "y")))
                .assertOk();
        raw("bump t3/b", txn().addSuccess(put("t3/b", "x"))).assertOk();
        Function<Compare, TxnRequest.Builder> probe = c -> txn().addCompare(c)
                .addSuccess(get("t3/", "t30")).addFailure(get("t3/a"));
        raw("all versions > 0", probe.apply(ranged(cmp("t3/", CompareTarget.VERSION, CompareResult.GREATER, 0), "t30")))
                .assertOk();
        raw("all versions > 1 (one is not)",
                probe.apply(ranged(cmp("t3/", CompareTarget.VERSION, CompareResult.GREATER, 1), "t30"))).assertOk();
        raw("all values x over [a, c)", probe.apply(ranged(valueCmp("t3/a", CompareResult.EQUAL, "x"), "t3/c")))
                .assertOk();
        raw("all values x over [a, d)", probe.apply(ranged(valueCmp("t3/a", CompareResult.EQUAL, "x"), "t3/d")))
                .assertOk();
        raw("values != z over the prefix", probe.apply(ranged(valueCmp("t3/", CompareResult.NOT_EQUAL, "z"), "t30")))
                .assertOk();
        raw("empty interval, version == 0",
                probe.apply(ranged(cmp("t3/x", CompareTarget.VERSION, CompareResult.EQUAL, 0), "t3/y"))).assertOk();
        raw("empty interval, value == ''", probe.apply(ranged(valueCmp("t3/x", CompareResult.EQUAL, ""), "t3/y")))
                .assertOk();
        raw("inverted interval", probe.apply(ranged(cmp("t3/c", CompareTarget.CREATE, CompareResult.EQUAL, 0), "t3/a")))
                .assertOk();
        raw("from key, mod > 0", probe.apply(ranged(cmp("t3/b", CompareTarget.MOD, CompareResult.GREATER, 0), "\0")))
                .assertOk();
        raw("from key, lease == 0", probe.apply(ranged(cmp("t3/b", CompareTarget.LEASE, CompareResult.EQUAL, 0), "\0")))
                .assertOk();
    }

    @Test
    void mixedOperationsSeeEachOther() {
        pair.kv("seed", kv -> kv.put(bs("t4/a"), bs("1"))).assertOk();
        pair.kv("jetcd put, get, delete, get", kv -> kv.txn()
                .If(new Cmp(bs("t4/a"), Cmp.Op.EQUAL, CmpTarget.value(bs("1"))))
                .Then(Op.put(bs("t4/b"), bs("2"), PutOption.builder().withPrevKV().build()),
                        Op.get(bs("t4/"), GetOption.builder().isPrefix(true).build()),
                        Op.delete(bs("t4/a"), DeleteOption.builder().withPrevKV(true).build()),
                        Op.get(bs("t4/"), GetOption.builder().isPrefix(true).build()))
                .Else(Op.put(bs("t4/else"), bs("x"), PutOption.DEFAULT))
                .commit()).assertOk();
        pair.kv("jetcd failure branch", kv -> kv.txn()
                .If(new Cmp(bs("t4/a"), Cmp.Op.EQUAL, CmpTarget.value(bs("1"))))
                .Then(Op.put(bs("t4/then"), bs("x"), PutOption.DEFAULT))
                .Else(Op.put(bs("t4/else"), bs("x"), PutOption.DEFAULT),
                        Op.put(bs("t4/b"), bs("3"), PutOption.builder().withPrevKV().build()))
                .commit()).assertOk();
        raw("raw: same order of responses", txn()
                .addSuccess(get("t4/", "t40"))
                .addSuccess(put(PutRequest.newBuilder().setKey(b("t4/c")).setValue(b("c")).setPrevKv(true)))
                .addSuccess(del("t4/b", "t4/c"))
                .addSuccess(get(RangeRequest.newBuilder().setKey(b("t4/")).setRangeEnd(b("t40")).setCountOnly(true)))
                .addSuccess(put(PutRequest.newBuilder().setKey(b("t4/d")).setIgnoreValue(false).setValue(b("d")))))
                .assertOk();
        raw("deletes of nothing only: no new revision", txn().addSuccess(del("t4/none"))
                .addSuccess(del("t4/x", "t4/y")))
                .assertOk();
        raw("empty txn", txn()).assertOk();
        raw("failed compares, empty else", txn().addCompare(valueCmp("t4/c", CompareResult.EQUAL, "nope"))
                .addSuccess(put("t4/z", "z"))).assertOk();
        raw("several compares: all must hold", txn()
                .addCompare(valueCmp("t4/c", CompareResult.EQUAL, "c"))
                .addCompare(cmp("t4/d", CompareTarget.VERSION, CompareResult.EQUAL, 1))
                .addCompare(cmp("t4/missing", CompareTarget.CREATE, CompareResult.EQUAL, 0))
                .addSuccess(get("t4/", "t40"))).assertOk();
        raw("range at the current revision in a write txn", txn()
                .addSuccess(put("t4/e", "e"))
                .addSuccess(get(RangeRequest.newBuilder().setKey(b("t4/")).setRangeEnd(b("t40"))
                        .setSortOrder(RangeRequest.SortOrder.DESCEND).setSortTarget(RangeRequest.SortTarget.MOD))))
                .assertOk();
    }

    @Test
    void nestedTxns() {
        raw("seed", txn().addSuccess(put("t5/a", "1"))).assertOk();
        raw("nested, both levels succeed", txn()
                .addCompare(valueCmp("t5/a", CompareResult.EQUAL, "1"))
                .addSuccess(put("t5/b", "outer"))
                .addSuccess(Ops.txn(txn().addCompare(cmp("t5/b", CompareTarget.VERSION, CompareResult.EQUAL, 0))
                        .addSuccess(put("t5/c", "inner-then")).addSuccess(get("t5/", "t50"))
                        .addFailure(put("t5/c", "inner-else"))))
                .addSuccess(get("t5/", "t50"))).assertOk();
        raw("nested compares see the state before the txn", txn()
                .addSuccess(put("t5/a", "2"))
                .addSuccess(Ops.txn(txn().addCompare(valueCmp("t5/a", CompareResult.EQUAL, "2"))
                        .addSuccess(put("t5/d", "saw-2")).addFailure(put("t5/d", "saw-1")))))
                .assertOk();
        raw("three levels, failure paths", txn()
                .addCompare(valueCmp("t5/a", CompareResult.EQUAL, "nope"))
                .addSuccess(put("t5/x", "x"))
                .addFailure(Ops.txn(txn()
                        .addCompare(cmp("t5/a", CompareTarget.VERSION, CompareResult.GREATER, 1))
                        .addSuccess(Ops.txn(txn()
                                .addCompare(cmp("t5/zz", CompareTarget.MOD, CompareResult.GREATER, 0))
                                .addSuccess(put("t5/e", "deep-then"))
                                .addFailure(put("t5/e", "deep-else")).addFailure(del("t5/c"))))
                        .addSuccess(Ops.txn(txn().addSuccess(get("t5/a"))))
                        .addFailure(put("t5/e", "mid-else"))))
                .addFailure(get("t5/", "t50"))).assertOk();
        raw("read-only nested txn", txn().addSuccess(Ops.txn(txn().addSuccess(get("t5/a"))))).assertOk();
        pair.kv("nested through jetcd", kv -> kv.txn()
                .If(new Cmp(bs("t5/a"), Cmp.Op.EQUAL, CmpTarget.value(bs("2"))))
                .Then(Op.txn(new Cmp[] {new Cmp(bs("t5/e"), Cmp.Op.EQUAL, CmpTarget.value(bs("deep-else")))},
                        new Op[] {Op.put(bs("t5/f"), bs("f"), PutOption.DEFAULT),
                                Op.get(bs("t5/"), GetOption.builder().isPrefix(true).build())},
                        new Op[] {Op.delete(bs("t5/e"), DeleteOption.DEFAULT)}),
                        Op.get(bs("t5/f"), GetOption.DEFAULT))
                .commit()).assertOk();
    }

    @Test
    void tooManyOps() {
        TxnRequest.Builder max = txn();
        for (int i = 0; i < 128; i++) {
            max.addSuccess(put("t6/" + i, "v")).addFailure(get("t6/" + i))
                    .addCompare(valueCmp("t6/0", CompareResult.NOT_EQUAL, "x"));
        }
        raw("128 of each", max).assertOk();
        raw("129 puts", max.clone().addSuccess(put("t6/128", "v"))).assertError(Status.Code.INVALID_ARGUMENT, TOO_MANY);
        raw("129 gets in failure", max.clone().addFailure(get("t6/x")))
                .assertError(Status.Code.INVALID_ARGUMENT, TOO_MANY);
        raw("129 compares", max.clone().addCompare(valueCmp("t6/0", CompareResult.EQUAL, "v")))
                .assertError(Status.Code.INVALID_ARGUMENT, TOO_MANY);
        // A nested txn gets what its parent leaves: 128 minus the parent's largest list.
        TxnRequest.Builder parent = txn();
        for (int i = 0; i < 99; i++) {
            parent.addSuccess(get("t6/" + i));
        }
        TxnRequest.Builder child = txn();
        for (int i = 0; i < 28; i++) {
            child.addSuccess(get("t6/c" + i));
        }
        raw("nested within what is left", parent.clone().addSuccess(Ops.txn(child.clone()))).assertOk();
        raw("nested one too many", parent.clone().addSuccess(Ops.txn(child.clone().addSuccess(get("t6/c28")))))
                .assertError(Status.Code.INVALID_ARGUMENT, TOO_MANY);
        raw("too many ops beats an empty key", max.clone().addSuccess(put("", "v")))
                .assertError(Status.Code.INVALID_ARGUMENT, TOO_MANY);
    }

    @Test
    void duplicateKeys() {
        raw("two puts of one key", txn().addSuccess(put("t7/a", "1")).addSuccess(put("t7/a", "2")))
                .assertError(Status.Code.INVALID_ARGUMENT, DUPLICATE);
        raw("put then delete of one key", txn().addSuccess(put("t7/a", "1")).addSuccess(del("t7/a")))
                .assertError(Status.Code.INVALID_ARGUMENT, DUPLICATE);
        raw("delete then put of one key", txn().addSuccess(del("t7/a")).addSuccess(put("t7/a", "1")))
                .assertError(Status.Code.INVALID_ARGUMENT, DUPLICATE);
        raw("put inside a deleted interval", txn().addSuccess(del("t7/a", "t7/c")).addSuccess(put("t7/b", "1")))
                .assertError(Status.Code.INVALID_ARGUMENT, DUPLICATE);
        raw("put at the end of a deleted interval", txn().addSuccess(del("t7/a", "t7/c")).addSuccess(put("t7/c", "1")))
                .assertOk();
        raw("put after a from-key delete (etcd sees no overlap)", txn().addSuccess(del("t7/a", "\0"))
                .addSuccess(put("t7/b", "1"))).assertOk();
        raw("two deletes of one key", txn().addSuccess(del("t7/b")).addSuccess(del("t7/b"))).assertOk();
        raw("same key in then and else", txn().addSuccess(put("t7/d", "then")).addFailure(put("t7/d", "else")))
                .assertOk();
        raw("outer put, nested put", txn().addSuccess(put("t7/e", "1"))
                .addSuccess(Ops.txn(txn().addSuccess(put("t7/e", "2")))))
                .assertError(Status.Code.INVALID_ARGUMENT, DUPLICATE);
        raw("nested then and else may share a key", txn()
                .addSuccess(Ops.txn(txn().addSuccess(put("t7/f", "then")).addFailure(put("t7/f", "else")))))
                .assertOk();
        raw("two nested txns put one key", txn()
                .addSuccess(Ops.txn(txn().addSuccess(put("t7/g", "1"))))
                .addSuccess(Ops.txn(txn().addFailure(put("t7/g", "2")))))
                .assertError(Status.Code.INVALID_ARGUMENT, DUPLICATE);
        raw("nested put inside an outer delete", txn().addSuccess(del("t7/", "t70"))
                .addSuccess(Ops.txn(txn().addSuccess(put("t7/h", "1")))))
                .assertError(Status.Code.INVALID_ARGUMENT, DUPLICATE);
        raw("outer put inside a nested delete", txn().addSuccess(put("t7/i", "1"))
                .addSuccess(Ops.txn(txn().addFailure(del("t7/i")))))
                .assertError(Status.Code.INVALID_ARGUMENT, DUPLICATE);
        raw("duplicates in the branch not taken still count", txn()
                .addCompare(valueCmp("t7/none", CompareResult.EQUAL, "x"))
                .addSuccess(put("t7/j", "1")).addSuccess(put("t7/j", "2")).addFailure(get("t7/j")))
                .assertError(Status.Code.INVALID_ARGUMENT, DUPLICATE);
        raw("gets do not count", txn().addSuccess(get("t7/k")).addSuccess(put("t7/k", "1")).addSuccess(get("t7/k")))
                .assertOk();
        pair.kv("duplicates through jetcd", kv -> kv.txn().Then(Op.put(bs("t7/l"), bs("1"), PutOption.DEFAULT),
                Op.put(bs("t7/l"), bs("2"), PutOption.DEFAULT)).commit())
                .assertError(Status.Code.INVALID_ARGUMENT, DUPLICATE);
        pair.kv("state after all that", kv -> kv.get(bs("t7/"), GetOption.builder().isPrefix(true).build())).assertOk();
    }

    @Test
    void emptyKeysAndEmptyOps() {
        raw("compare on the empty key", txn().addCompare(valueCmp("", CompareResult.EQUAL, "x")))
                .assertError(Status.Code.INVALID_ARGUMENT, EMPTY_KEY);
        raw("put of the empty key", txn().addSuccess(put("", "x")))
                .assertError(Status.Code.INVALID_ARGUMENT, EMPTY_KEY);
        raw("range of the empty key in else", txn().addFailure(get("")))
                .assertError(Status.Code.INVALID_ARGUMENT, EMPTY_KEY);
        raw("delete of the empty key", txn().addSuccess(del(""))).assertError(Status.Code.INVALID_ARGUMENT, EMPTY_KEY);
        raw("nested empty key", txn().addSuccess(Ops.txn(txn().addFailure(put("", "x")))))
                .assertError(Status.Code.INVALID_ARGUMENT, EMPTY_KEY);
        raw("an op with no request", txn().addSuccess(RequestOp.getDefaultInstance()))
                .assertError(Status.Code.INVALID_ARGUMENT, "etcdserver: key not found");
        raw("value provided with ignore_value", txn().addSuccess(put(PutRequest.newBuilder().setKey(b("t8/a"))
                .setValue(b("x")).setIgnoreValue(true)))).assertError(Status.Code.INVALID_ARGUMENT,
                "etcdserver: value is provided");
        raw("empty key beats a duplicate", txn().addSuccess(put("t8/a", "1")).addSuccess(put("t8/a", "2"))
                .addSuccess(put("", "3"))).assertError(Status.Code.INVALID_ARGUMENT, EMPTY_KEY);
        pair.kv("jetcd compare on the empty key", kv -> kv.txn()
                .If(new Cmp(bs(""), Cmp.Op.EQUAL, CmpTarget.version(0))).commit())
                .assertError(Status.Code.INVALID_ARGUMENT, EMPTY_KEY);
    }

    @Test
    void checksOnTheChosenPath() {
        raw("seed", txn().addSuccess(put("t9/a", "1"))).assertOk();
        Compare holds = valueCmp("t9/a", CompareResult.EQUAL, "1");
        PutRequest.Builder ignoreValueMissing = PutRequest.newBuilder().setKey(b("t9/missing")).setIgnoreValue(true);
        raw("ignore_value on a missing key, taken", txn().addCompare(holds).addSuccess(put(ignoreValueMissing)))
                .assertError(Status.Code.INVALID_ARGUMENT, "etcdserver: key not found");
        raw("ignore_value on a missing key, not taken", txn().addCompare(holds)
                .addSuccess(put("t9/b", "b")).addFailure(put(ignoreValueMissing))).assertOk();
        raw("ignore_lease on a missing key, nested and taken", txn().addSuccess(Ops.txn(txn()
                .addSuccess(put(PutRequest.newBuilder().setKey(b("t9/missing")).setValue(b("v"))
                        .setIgnoreLease(true))))))
                .assertError(Status.Code.INVALID_ARGUMENT, "etcdserver: key not found");
        raw("ignore_value on an existing key", txn().addSuccess(put(PutRequest.newBuilder().setKey(b("t9/a"))
                .setIgnoreValue(true).setPrevKv(true)))).assertOk();
        raw("ignore_value on a key the txn itself creates first", txn().addSuccess(put("t9/new", "n"))
                .addSuccess(Ops.txn(txn().addSuccess(put(PutRequest.newBuilder().setKey(b("t9/new2"))
                        .setIgnoreValue(true))))))
                .assertError(Status.Code.INVALID_ARGUMENT, "etcdserver: key not found");
        raw("a lease nobody granted", txn().addSuccess(put(PutRequest.newBuilder().setKey(b("t9/l")).setLease(99))))
                .assertError(Status.Code.NOT_FOUND, "etcdserver: requested lease not found");
        raw("ignore_value on a missing key is checked before the lease", txn().addSuccess(put(PutRequest.newBuilder()
                .setKey(b("t9/missing")).setIgnoreValue(true).setLease(99))))
                .assertError(Status.Code.INVALID_ARGUMENT, "etcdserver: key not found");
        long rev = raw("current", txn().addSuccess(get("t9/a"))).revision();
        String future = "etcdserver: mvcc: required revision is a future revision";
        raw("range at a future revision, read-only", txn().addSuccess(get(RangeRequest.newBuilder()
                .setKey(b("t9/a")).setRevision(rev + 1)))).assertError(Status.Code.OUT_OF_RANGE, future);
        raw("range at a future revision, in a write txn", txn().addSuccess(put("t9/c", "c"))
                .addSuccess(get(RangeRequest.newBuilder().setKey(b("t9/a")).setRevision(rev + 1))))
                .assertError(Status.Code.OUT_OF_RANGE, future);
        raw("range at a future revision, not taken", txn().addCompare(holds).addSuccess(get("t9/a"))
                .addFailure(get(RangeRequest.newBuilder().setKey(b("t9/a")).setRevision(rev + 5)))).assertOk();
        raw("range at past revisions", txn().addSuccess(get(RangeRequest.newBuilder().setKey(b("t9/a"))
                .setRevision(rev - 1))).addSuccess(get(RangeRequest.newBuilder().setKey(b("t9/"))
                .setRangeEnd(b("t90")).setRevision(1)))).assertOk();
        raw("put with lease 0 and ignore_lease", txn().addSuccess(put(PutRequest.newBuilder().setKey(b("t9/a"))
                .setValue(b("2")).setIgnoreLease(true)))).assertOk();
    }
}
