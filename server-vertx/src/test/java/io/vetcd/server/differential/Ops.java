package io.vetcd.server.differential;

import com.google.protobuf.ByteString;
import io.vetcd.proto.etcdserverpb.Compare;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;

/** Short builders for raw txn requests (etcd's own protobuf messages, as jetcd ships them). */
final class Ops {
    private Ops() {}

    static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    static RequestOp put(String key, String value) {
        return RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(b(key)).setValue(b(value))).build();
    }

    static RequestOp put(PutRequest.Builder put) {
        return RequestOp.newBuilder().setRequestPut(put).build();
    }

    static RequestOp get(String key) {
        return RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(b(key))).build();
    }

    static RequestOp get(String key, String end) {
        return RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(b(key)).setRangeEnd(b(end)))
                .build();
    }

    static RequestOp get(RangeRequest.Builder range) {
        return RequestOp.newBuilder().setRequestRange(range).build();
    }

    static RequestOp del(String key) {
        return RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(b(key))).build();
    }

    static RequestOp del(String key, String end) {
        return RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
                .setKey(b(key)).setRangeEnd(b(end)).setPrevKv(true)).build();
    }

    static RequestOp txn(TxnRequest.Builder txn) {
        return RequestOp.newBuilder().setRequestTxn(txn).build();
    }

    static TxnRequest.Builder txn() {
        return TxnRequest.newBuilder();
    }

    static Compare cmp(String key, Compare.CompareTarget target, Compare.CompareResult result, long operand) {
        Compare.Builder c = Compare.newBuilder().setKey(b(key)).setTarget(target).setResult(result);
        switch (target) {
            case VERSION -> c.setVersion(operand);
            case CREATE -> c.setCreateRevision(operand);
            case MOD -> c.setModRevision(operand);
            case LEASE -> c.setLease(operand);
            default -> throw new IllegalArgumentException("numeric targets only: " + target);
        }
        return c.build();
    }

    static Compare valueCmp(String key, Compare.CompareResult result, String value) {
        return Compare.newBuilder().setKey(b(key)).setTarget(Compare.CompareTarget.VALUE).setResult(result)
                .setValue(b(value)).build();
    }

    /** A compare over {@code [key, end)}: every key there must satisfy it. */
    static Compare ranged(Compare c, String end) {
        return c.toBuilder().setRangeEnd(b(end)).build();
    }
}
