package io.vetcd.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.vetcd.proto.etcdserverpb.Compare;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.DeleteRangeResponse;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.PutResponse;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RangeResponse;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import io.vetcd.proto.etcdserverpb.TxnResponse;
import io.vetcd.proto.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Builders and assertions shared by the KV tests. Not a test itself. */
public final class KvTestSupport {
    public static final long CLUSTER_ID = 0x1122334455667788L;
    public static final long MEMBER_ID = 0x0102030405060708L;
    public static final long RAFT_TERM = 2;

    /** Only a guard against a hung writer; never a speed assertion. */
    private static final long HANG_GUARD_SECONDS = 30;

    private KvTestSupport() {}

    public static KvStore newStore() {
        return newStore(Limits.defaults());
    }

    public static KvStore newStore(Limits limits) {
        return grantTestLeases(new KvStore(limits, new MemberIdentity(CLUSTER_ID, MEMBER_ID, RAFT_TERM)));
    }

    /** Grants the leases the KV tests name: ids 1 to 99, for an hour; {@link #UNGRANTED_LEASE} and above are unknown. */
    public static KvStore grantTestLeases(KvStore kv) {
        for (long id = 1; id < UNGRANTED_LEASE; id++) {
            await(kv.leaseGrant(io.vetcd.proto.etcdserverpb.LeaseGrantRequest.newBuilder().setID(id).setTTL(3600)
                    .build()));
        }
        return kv;
    }

    /** A lessor for tests that drive {@link io.vetcd.core.apply.KvCommands} directly: ids 1 to 99 granted. */
    public static io.vetcd.core.lease.Lessor testLessor(io.vetcd.core.mvcc.MvccStore store) {
        io.vetcd.core.lease.Lessor lessor = new io.vetcd.core.lease.Lessor(1, due -> {});
        for (long id = 1; id < UNGRANTED_LEASE; id++) {
            lessor.grant(store, id, 3600);
        }
        return lessor;
    }

    public static final long UNGRANTED_LEASE = 100;

    public static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    public static ByteString bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return ByteString.copyFrom(out);
    }

    public static String str(ByteString b) {
        return b.toStringUtf8();
    }

    /** Waits for a write; a failed write rethrows its {@link EtcdException}. */
    public static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new AssertionError("write failed with a non-runtime exception", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("write not acknowledged within " + HANG_GUARD_SECONDS + " s (writer hung?)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @FunctionalInterface
    public interface Call {
        Object call();
    }

    /**
     * Runs a KV call and returns the etcd error it ends with, whether the call throws it (reads and
     * pre-queue checks) or delivers it through its future (writes). Fails if the call succeeds.
     */
    public static EtcdError errorOf(Call call) {
        try {
            Object result = call.call();
            if (result instanceof CompletableFuture<?> f) {
                Object value = await(f);
                return fail("expected an etcd error, got a response: " + value);
            }
            return fail("expected an etcd error, got a response: " + result);
        } catch (EtcdException e) {
            return e.error();
        }
    }

    /** Asserts the call fails with {@code expected}, and that the exception carries etcd's exact text. */
    public static void assertEtcdError(EtcdError expected, Call call) {
        assertEtcdError(expected, call, "");
    }

    public static void assertEtcdError(EtcdError expected, Call call, String why) {
        String ctx = why.isEmpty() ? "" : " (" + why + ")";
        try {
            Object result = call.call();
            if (result instanceof CompletableFuture<?> f) {
                await(f);
            }
            fail("expected " + expected + " (\"" + expected.message() + "\"), but the call succeeded" + ctx);
        } catch (EtcdException e) {
            assertEquals(expected, e.error(), "etcd error" + ctx);
            assertEquals(expected.message(), e.getMessage(), "exception message" + ctx);
        }
    }

    // ---- requests ----

    public static PutRequest putReq(String key, String value) {
        return PutRequest.newBuilder().setKey(bs(key)).setValue(bs(value)).build();
    }

    public static PutResponse put(KvStore kv, String key, String value) {
        return await(kv.put(putReq(key, value)));
    }

    public static PutResponse put(KvStore kv, PutRequest r) {
        return await(kv.put(r));
    }

    public static RangeRequest.Builder rangeReq(String key) {
        return RangeRequest.newBuilder().setKey(bs(key));
    }

    public static RangeRequest.Builder rangeReq(String key, String end) {
        return RangeRequest.newBuilder().setKey(bs(key)).setRangeEnd(bs(end));
    }

    public static RangeResponse get(KvStore kv, String key) {
        return kv.range(rangeReq(key).build());
    }

    public static RangeResponse range(KvStore kv, String key, String end) {
        return kv.range(rangeReq(key, end).build());
    }

    public static KeyValue getKv(KvStore kv, String key) {
        RangeResponse r = get(kv, key);
        return r.getKvsCount() == 0 ? null : r.getKvs(0);
    }

    public static DeleteRangeRequest deleteReq(String key, String end) {
        return DeleteRangeRequest.newBuilder().setKey(bs(key)).setRangeEnd(bs(end)).build();
    }

    public static DeleteRangeResponse delete(KvStore kv, String key) {
        return await(kv.deleteRange(deleteReq(key, "")));
    }

    public static DeleteRangeResponse delete(KvStore kv, String key, String end) {
        return await(kv.deleteRange(deleteReq(key, end)));
    }

    public static TxnResponse txn(KvStore kv, TxnRequest r) {
        return await(kv.txn(r));
    }

    public static RequestOp opPut(String key, String value) {
        return RequestOp.newBuilder().setRequestPut(putReq(key, value)).build();
    }

    public static RequestOp opPut(PutRequest p) {
        return RequestOp.newBuilder().setRequestPut(p).build();
    }

    public static RequestOp opGet(String key) {
        return RequestOp.newBuilder().setRequestRange(rangeReq(key)).build();
    }

    public static RequestOp opRange(RangeRequest r) {
        return RequestOp.newBuilder().setRequestRange(r).build();
    }

    public static RequestOp opDelete(String key, String end) {
        return RequestOp.newBuilder().setRequestDeleteRange(deleteReq(key, end)).build();
    }

    public static RequestOp opTxn(TxnRequest t) {
        return RequestOp.newBuilder().setRequestTxn(t).build();
    }

    public static TxnRequest.Builder txnReq() {
        return TxnRequest.newBuilder();
    }

    public static Compare cmpVersion(String key, Compare.CompareResult result, long version) {
        return Compare.newBuilder().setKey(bs(key)).setTarget(Compare.CompareTarget.VERSION)
                .setResult(result).setVersion(version).build();
    }

    public static Compare cmpValue(String key, Compare.CompareResult result, String value) {
        return Compare.newBuilder().setKey(bs(key)).setTarget(Compare.CompareTarget.VALUE)
                .setResult(result).setValue(bs(value)).build();
    }

    public static Compare cmpMod(String key, Compare.CompareResult result, long mod) {
        return Compare.newBuilder().setKey(bs(key)).setTarget(Compare.CompareTarget.MOD)
                .setResult(result).setModRevision(mod).build();
    }

    public static Compare cmpCreate(String key, Compare.CompareResult result, long create) {
        return Compare.newBuilder().setKey(bs(key)).setTarget(Compare.CompareTarget.CREATE)
                .setResult(result).setCreateRevision(create).build();
    }

    public static Compare cmpLease(String key, Compare.CompareResult result, long lease) {
        return Compare.newBuilder().setKey(bs(key)).setTarget(Compare.CompareTarget.LEASE)
                .setResult(result).setLease(lease).build();
    }

    public static List<String> keys(RangeResponse r) {
        List<String> out = new ArrayList<>();
        for (KeyValue kv : r.getKvsList()) {
            out.add(str(kv.getKey()));
        }
        return out;
    }

    public static List<String> values(RangeResponse r) {
        List<String> out = new ArrayList<>();
        for (KeyValue kv : r.getKvsList()) {
            out.add(str(kv.getValue()));
        }
        return out;
    }
}
