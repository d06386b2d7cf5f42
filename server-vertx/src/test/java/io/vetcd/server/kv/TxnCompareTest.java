package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.single;
import static io.vetcd.server.testing.Jetcd.str;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Txn compares on VERSION, CREATE, MOD, VALUE and LEASE with =, !=, &gt;, &lt; ({@code apply.go
 * applyCompare}/{@code compareKV}): "key X op operand" holds when the key's X compares to the operand
 * that way; a missing key compares as zero revisions, version and lease, while a VALUE compare on a
 * missing key always fails; a compare over a range must hold for every key in it; all compares must hold.
 */
class TxnCompareTest {
    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();
    /** "k" = "m", version 2, created at {@link #created}, last modified at {@link #modified}. */
    private static long created;
    private static long modified;

    @BeforeAll
    static void start() {
        await(server.kv().put(bs("then"), bs("then branch")));
        await(server.kv().put(bs("else"), bs("else branch")));
        created = await(server.kv().put(bs("k"), bs("m"))).getHeader().getRevision();
        await(server.kv().put(bs("filler"), bs("x")));
        modified = await(server.kv().put(bs("k"), bs("m"))).getHeader().getRevision();
        await(server.kv().put(bs("filler"), bs("y")));
        await(server.kv().put(bs("high"), ByteSequence.from(new byte[] {(byte) 0xff})));
        await(server.kv().put(bs("r/1"), bs("1")));
        await(server.kv().put(bs("r/2"), bs("2")));
        await(server.kv().put(bs("r/2"), bs("2")));
    }

    /** Which branch ran: the Then branch reads "then", the Else branch reads "else". */
    private static boolean holds(Cmp... compares) {
        TxnResponse r = await(server.kv().txn().If(compares)
                .Then(Op.get(bs("then"), GetOption.DEFAULT))
                .Else(Op.get(bs("else"), GetOption.DEFAULT))
                .commit());
        String ran = str(single(r.getGetResponses().get(0)).getValue());
        assertEquals(r.isSucceeded() ? "then branch" : "else branch", ran, "succeeded flag and branch disagree");
        return r.isSucceeded();
    }

    private static boolean rawHolds(Compare... compares) {
        return server.rawKv().txn(TxnRequest.newBuilder().addAllCompare(List.of(compares)).build()).getSucceeded();
    }

    enum Operand { BELOW, EQUAL, ABOVE }

    static Stream<Arguments> comparisons() {
        List<Arguments> cases = new ArrayList<>();
        for (String target : List.of("VERSION", "CREATE", "MOD", "VALUE")) {
            for (Cmp.Op op : Cmp.Op.values()) {
                for (Operand operand : Operand.values()) {
                    cases.add(Arguments.of(target, op, operand));
                }
            }
        }
        return cases.stream();
    }

    private static CmpTarget<?> target(String target, Operand operand) {
        int delta = operand.ordinal() - 1; // BELOW -1, EQUAL 0, ABOVE +1
        return switch (target) {
            case "VERSION" -> CmpTarget.version(2 + delta);
            case "CREATE" -> CmpTarget.createRevision(created + delta);
            case "MOD" -> CmpTarget.modRevision(modified + delta);
            case "VALUE" -> CmpTarget.value(bs(String.valueOf((char) ('m' + delta)))); // "l", "m", "n"
            default -> throw new IllegalArgumentException(target);
        };
    }

    @ParameterizedTest(name = "k {0} {1} operand {2} the key's")
    @MethodSource("comparisons")
    void compareOnAnExistingKey(String target, Cmp.Op op, Operand operand) {
        boolean expected = switch (op) {
            case EQUAL -> operand == Operand.EQUAL;
            case NOT_EQUAL -> operand != Operand.EQUAL;
            case GREATER -> operand == Operand.BELOW; // the key's value is greater than the operand
            case LESS -> operand == Operand.ABOVE;
        };
        assertEquals(expected, holds(new Cmp(bs("k"), op, target(target, operand))));
    }

    @Test
    void missingKeyHasZeroVersionCreateAndModRevision() {
        assertEquals(true, holds(new Cmp(bs("absent"), Cmp.Op.EQUAL, CmpTarget.version(0))));
        assertEquals(true, holds(new Cmp(bs("absent"), Cmp.Op.EQUAL, CmpTarget.createRevision(0))));
        assertEquals(true, holds(new Cmp(bs("absent"), Cmp.Op.EQUAL, CmpTarget.modRevision(0))));
        assertEquals(false, holds(new Cmp(bs("absent"), Cmp.Op.GREATER, CmpTarget.version(0))));
        assertEquals(true, holds(new Cmp(bs("absent"), Cmp.Op.LESS, CmpTarget.createRevision(1))));
        assertEquals(true, holds(new Cmp(bs("absent"), Cmp.Op.NOT_EQUAL, CmpTarget.modRevision(5))));
    }

    @Test
    void valueCompareOnAMissingKeyAlwaysFails() {
        assertEquals(false, holds(new Cmp(bs("absent"), Cmp.Op.EQUAL, CmpTarget.value(ByteSequence.EMPTY))));
        assertEquals(false, holds(new Cmp(bs("absent"), Cmp.Op.NOT_EQUAL, CmpTarget.value(bs("x")))));
        assertEquals(false, holds(new Cmp(bs("absent"), Cmp.Op.LESS, CmpTarget.value(bs("x")))));
        assertEquals(false, holds(new Cmp(bs("absent"), Cmp.Op.GREATER, CmpTarget.value(ByteSequence.EMPTY))));
    }

    @Test
    void deletedKeyComparesLikeAMissingOne() {
        await(server.kv().put(bs("deleted"), bs("v")));
        await(server.kv().delete(bs("deleted")));
        assertEquals(true, holds(new Cmp(bs("deleted"), Cmp.Op.EQUAL, CmpTarget.version(0))));
        assertEquals(true, holds(new Cmp(bs("deleted"), Cmp.Op.EQUAL, CmpTarget.createRevision(0))));
    }

    @Test
    void valuesCompareAsUnsignedBytes() {
        assertEquals(true, holds(new Cmp(bs("k"), Cmp.Op.LESS, CmpTarget.value(bs("ma")))), "a prefix sorts first");
        assertEquals(true, holds(new Cmp(bs("k"), Cmp.Op.GREATER, CmpTarget.value(ByteSequence.EMPTY))));
        assertEquals(true, holds(new Cmp(bs("high"), Cmp.Op.GREATER, CmpTarget.value(bs("a")))),
                "0xff is greater than 'a' as an unsigned byte");
        assertEquals(true, holds(new Cmp(bs("high"), Cmp.Op.EQUAL,
                CmpTarget.value(ByteSequence.from(new byte[] {(byte) 0xff})))));
    }

    @Test
    void everyCompareMustHold() {
        Cmp yes = new Cmp(bs("k"), Cmp.Op.EQUAL, CmpTarget.value(bs("m")));
        Cmp alsoYes = new Cmp(bs("k"), Cmp.Op.EQUAL, CmpTarget.version(2));
        Cmp no = new Cmp(bs("k"), Cmp.Op.EQUAL, CmpTarget.version(3));
        assertEquals(true, holds(yes, alsoYes));
        assertEquals(false, holds(yes, no));
        assertEquals(false, holds(no, yes));
        assertEquals(true, holds(), "no compares: the success branch runs");
    }

    /** A LEASE compare, in etcd's own message definitions (jetcd 0.8.7's lack the LEASE target). */
    private static io.vetcd.proto.etcdserverpb.Compare lease(String key,
            io.vetcd.proto.etcdserverpb.Compare.CompareResult result, long lease) {
        return io.vetcd.proto.etcdserverpb.Compare.newBuilder().setKey(ByteString.copyFromUtf8(key))
                .setTarget(io.vetcd.proto.etcdserverpb.Compare.CompareTarget.LEASE).setResult(result).setLease(lease)
                .build();
    }

    private static boolean leaseHolds(io.vetcd.proto.etcdserverpb.Compare compare) {
        return server.txnWithEtcdProto(io.vetcd.proto.etcdserverpb.TxnRequest.newBuilder().addCompare(compare).build())
                .getSucceeded();
    }

    @Test
    void leaseOfAKeyWithoutLeaseIsZero() {
        assertEquals(true, leaseHolds(lease("k", io.vetcd.proto.etcdserverpb.Compare.CompareResult.EQUAL, 0)));
        assertEquals(false, leaseHolds(lease("k", io.vetcd.proto.etcdserverpb.Compare.CompareResult.NOT_EQUAL, 0)));
        assertEquals(true, leaseHolds(lease("k", io.vetcd.proto.etcdserverpb.Compare.CompareResult.NOT_EQUAL, 7)));
        assertEquals(false, leaseHolds(lease("k", io.vetcd.proto.etcdserverpb.Compare.CompareResult.GREATER, 0)));
        assertEquals(true, leaseHolds(lease("k", io.vetcd.proto.etcdserverpb.Compare.CompareResult.LESS, 1)));
        assertEquals(false, leaseHolds(lease("k", io.vetcd.proto.etcdserverpb.Compare.CompareResult.EQUAL, 7)));
        assertEquals(false, leaseHolds(lease("k", io.vetcd.proto.etcdserverpb.Compare.CompareResult.LESS, 0)));
    }

    @Test
    void leaseOfAMissingKeyIsZero() {
        assertEquals(true, leaseHolds(lease("absent", io.vetcd.proto.etcdserverpb.Compare.CompareResult.EQUAL, 0)));
        assertEquals(false, leaseHolds(lease("absent", io.vetcd.proto.etcdserverpb.Compare.CompareResult.GREATER, 0)));
    }

    @Test
    void compareOverARangeMustHoldForEveryKeyInIt() {
        // r/1 is at version 1, r/2 at version 2
        Compare.Builder range = Compare.newBuilder().setKey(ByteString.copyFromUtf8("r/"))
                .setRangeEnd(ByteString.copyFromUtf8("r0")).setTarget(Compare.CompareTarget.VERSION);
        assertEquals(true, rawHolds(range.clone().setResult(Compare.CompareResult.GREATER).setVersion(0).build()));
        assertEquals(false, rawHolds(range.clone().setResult(Compare.CompareResult.EQUAL).setVersion(1).build()));
        assertEquals(false, rawHolds(range.clone().setResult(Compare.CompareResult.EQUAL).setVersion(2).build()));
        assertEquals(true, rawHolds(range.clone().setResult(Compare.CompareResult.LESS).setVersion(3).build()));
    }

    @Test
    void compareOverAFromKeyRange() {
        // keys from "k" on: "k"="m", "r/1"="1", "r/2"="2", "then"="then branch", all below "u";
        // from "high" on, "high" = 0xff is not
        Compare.Builder fromKey = Compare.newBuilder().setRangeEnd(ByteString.copyFrom(new byte[] {0}))
                .setTarget(Compare.CompareTarget.VALUE).setResult(Compare.CompareResult.LESS)
                .setValue(ByteString.copyFromUtf8("u"));
        assertEquals(true, rawHolds(fromKey.clone().setKey(ByteString.copyFromUtf8("k")).build()));
        assertEquals(false, rawHolds(fromKey.clone().setKey(ByteString.copyFromUtf8("high")).build()));
    }

    @Test
    void compareOverAnEmptyRangeComparesZeroes() {
        Compare.Builder empty = Compare.newBuilder().setKey(ByteString.copyFromUtf8("x/"))
                .setRangeEnd(ByteString.copyFromUtf8("x0"));
        assertEquals(true, rawHolds(empty.clone().setTarget(Compare.CompareTarget.VERSION)
                .setResult(Compare.CompareResult.EQUAL).setVersion(0).build()));
        assertEquals(false, rawHolds(empty.clone().setTarget(Compare.CompareTarget.VALUE)
                .setResult(Compare.CompareResult.EQUAL).setValue(ByteString.EMPTY).build()));
    }
}
