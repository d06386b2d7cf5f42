package io.vetcd.server.differential;

import static io.vetcd.server.differential.Ops.put;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.etcd.jetcd.ByteSequence;
import io.grpc.Status;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The request size limits with etcd's defaults: gRPC refuses a message over max-request-bytes + 512 KiB
 * (2 MiB) before etcd sees it; etcd refuses a write whose raft request exceeds max-request-bytes
 * (1.5 MiB); reads are not limited by the latter.
 */
class DifferentialRequestSizeTest extends AgainstEtcd {
    private static final int KIB = 1024;
    private static final String TOO_LARGE = "etcdserver: request is too large";

    private static ByteSequence value(int size) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) 'x');
        return ByteSequence.from(bytes);
    }

    private static ByteString raw(int size) {
        return ByteString.copyFrom(value(size).getBytes());
    }

    @Test
    void largeButAcceptedValues() {
        pair.kv("1.4 MiB put", kv -> kv.put(bs("s/ok"), value(1434 * KIB))).assertOk();
        pair.raw("read it back (count only)", s -> s.range(RangeRequest.newBuilder().setKey(b("s/ok"))
                .setCountOnly(true).build())).assertOk();
    }

    @Test
    void overTheRequestLimit() {
        pair.kv("1.6 MiB put", kv -> kv.put(bs("s/big"), value(1638 * KIB)))
                .assertError(Status.Code.INVALID_ARGUMENT, TOO_LARGE);
        pair.raw("1.6 MiB txn", s -> s.txn(TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
                        .setKey(b("s/big")).setValue(raw(1638 * KIB)))).build()))
                .assertError(Status.Code.INVALID_ARGUMENT, TOO_LARGE);
        pair.raw("1.6 MiB delete key", s -> s.deleteRange(DeleteRangeRequest.newBuilder()
                .setKey(raw(1638 * KIB)).build())).assertError(Status.Code.INVALID_ARGUMENT, TOO_LARGE);
        pair.raw("1.6 MiB range key: reads are not limited", s -> s.range(RangeRequest.newBuilder()
                .setKey(raw(1638 * KIB)).build())).assertOk();
        pair.raw("1.6 MiB read-only txn: not limited either", s -> s.txn(TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder()
                        .setKey(raw(1638 * KIB)))).build())).assertOk();
        pair.raw("nothing was written", s -> s.range(RangeRequest.newBuilder().setKey(b("s/big")).build()))
                .assertOk();
    }

    @Test
    void overTheGrpcLimit() {
        // grpc-go's words, with the size of the message and the limit (1.5 MiB + 512 KiB).
        PutRequest huge = PutRequest.newBuilder().setKey(b("s/huge")).setValue(raw(2048 * KIB)).build();
        String overMax = "grpc: received message larger than max (" + huge.getSerializedSize() + " vs. 2097152)";
        pair.kv("2 MiB put through jetcd", kv -> kv.put(bs("s/huge"), value(2048 * KIB)))
                .assertError(Status.Code.RESOURCE_EXHAUSTED, overMax);
        pair.raw("2 MiB put", s -> s.put(huge)).assertError(Status.Code.RESOURCE_EXHAUSTED, overMax);
        RangeRequest hugeRange = RangeRequest.newBuilder().setKey(raw(2048 * KIB)).build();
        pair.raw("2 MiB range key", s -> s.range(hugeRange)).assertError(Status.Code.RESOURCE_EXHAUSTED,
                "grpc: received message larger than max (" + hugeRange.getSerializedSize() + " vs. 2097152)");
        PutRequest atMax = putOfSize("s/h", 2048 * KIB);
        pair.raw("exactly at the gRPC limit: etcd's own limit answers",
                s -> s.put(atMax)).assertError(Status.Code.INVALID_ARGUMENT, TOO_LARGE);
        PutRequest overMaxByOne = putOfSize("s/h", 2048 * KIB + 1);
        pair.raw("one byte over the gRPC limit", s -> s.put(overMaxByOne)).assertError(Status.Code.RESOURCE_EXHAUSTED,
                "grpc: received message larger than max (2097153 vs. 2097152)");
        pair.raw("the server still answers", s -> s.range(RangeRequest.newBuilder().setKey(b("s/")).build()))
                .assertOk();
    }

    /**
     * etcd measures a write as the raft entry it proposes: an InternalRaftRequest holding the request
     * (field 4 for a put) and a header with the request id, whose top 16 bits are the member id's low
     * 16 bits and whose next 40 bits are a millisecond timestamp. The id's varint length therefore
     * depends on the member, so each server gets the value size that lands exactly on its own limit.
     */
    static int raftEntrySize(int putSize, long memberId) {
        long id = ((memberId & 0xFFFF) << 48) | ((System.currentTimeMillis() & ((1L << 40) - 1)) << 8);
        int header = 2 + 1 + 1 + varintSize(id);
        return header + 1 + varintSize(putSize) + putSize;
    }

    private static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    /** The serialized size of a put of {@code key} with a value of {@code valueBytes} bytes. */
    private static int putSize(String key, int valueBytes) {
        return CodedOutputStream.computeBytesSize(1, b(key)) + CodedOutputStream.computeTagSize(2)
                + CodedOutputStream.computeUInt32SizeNoTag(valueBytes) + valueBytes;
    }

    /** The put of {@code key} whose serialized size is exactly {@code size}. */
    private static PutRequest putOfSize(String key, int size) {
        int value = size - putSize(key, 0);
        while (putSize(key, value) > size) {
            value--;
        }
        PutRequest p = PutRequest.newBuilder().setKey(b(key)).setValue(raw(value)).build();
        assertEquals(size, p.getSerializedSize(), "no put of exactly this size");
        return p;
    }

    /** The put of {@code key} whose raft entry is {@code 1.5 MiB + over} bytes on the member {@code memberId}. */
    private static PutRequest putOfEntrySize(String key, long memberId, int over) {
        int target = 1536 * KIB + over;
        int value = target - 64;
        while (raftEntrySize(putSize(key, value), memberId) < target) {
            value++;
        }
        PutRequest p = PutRequest.newBuilder().setKey(b(key)).setValue(raw(value)).build();
        assertEquals(target, raftEntrySize(p.getSerializedSize(), memberId), "no put with exactly this entry size");
        return p;
    }

    @Test
    void exactlyAtTheRaftLimit() {
        pair.rawForMember("raft entry exactly 1.5 MiB", (s, member) -> s.put(putOfEntrySize("s/edge", member, 0)))
                .assertOk();
        pair.rawForMember("raft entry one byte over", (s, member) -> s.put(putOfEntrySize("s/edge", member, 1)))
                .assertError(Status.Code.INVALID_ARGUMENT, TOO_LARGE);
        pair.rawForMember("txn one byte over", (s, member) -> {
            PutRequest p = putOfEntrySize("s/edge", member, 1);
            // A txn with one put costs 3 bytes more than the put: the op's and the success list's framing.
            PutRequest shorter = p.toBuilder().setValue(p.getValue().substring(3)).build();
            return s.txn(TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder().setRequestPut(shorter)).build());
        }).assertError(Status.Code.INVALID_ARGUMENT, TOO_LARGE);
    }
}
