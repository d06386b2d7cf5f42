package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.rawFailure;
import static io.vetcd.server.testing.Jetcd.single;
import static io.vetcd.server.testing.Jetcd.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.vetcd.server.testing.Jetcd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Put {@code ignore_lease}: write a new value keeping the key's current lease. A missing key fails with
 * INVALID_ARGUMENT "etcdserver: key not found"; a lease together with the flag fails with
 * "etcdserver: lease is provided" ({@code v3rpc/key.go checkPutRequest}, {@code apply.go Put}).
 * That the lease itself is kept is covered in {@link PutLeaseTest} (it needs a granted lease).
 *
 * <p>jetcd 0.8.7's {@code PutOption} has no ignore_lease, so these requests go through jetcd's generated
 * KV stub; the results are read back through jetcd's KV client.
 */
class PutIgnoreLeaseTest {
    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();

    private static PutRequest.Builder ignoreLease(String key, String value) {
        return PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value))
                .setIgnoreLease(true);
    }

    @Test
    void writesTheNewValueAndKeepsNoLease() {
        long created = await(server.kv().put(bs("il"), bs("v1"))).getHeader().getRevision();
        PutResponse r = server.rawKv().put(ignoreLease("il", "v2").build());
        assertEquals(created + 1, r.getHeader().getRevision());
        KeyValue now = single(await(server.kv().get(bs("il"))));
        assertEquals("v2", str(now.getValue()));
        assertEquals(0, now.getLease());
        assertEquals(2, now.getVersion());
    }

    @Test
    void withPrevKv() {
        await(server.kv().put(bs("il-prev"), bs("v1")));
        PutResponse r = server.rawKv().put(ignoreLease("il-prev", "v2").setPrevKv(true).build());
        assertTrue(r.hasPrevKv());
        assertEquals("v1", r.getPrevKv().getValue().toStringUtf8());
    }

    @Test
    void missingKeyFailsWithKeyNotFound() {
        long before = Jetcd.currentRevision(server.kv());
        rawFailure(() -> server.rawKv().put(ignoreLease("il-missing", "v").build()))
                .is(ErrorCode.INVALID_ARGUMENT, "etcdserver: key not found");
        assertEquals(before, Jetcd.currentRevision(server.kv()), "a failed put makes no revision");
        assertEquals(0, await(server.kv().get(bs("il-missing"))).getCount());
    }

    @Test
    void aLeaseWithTheFlagFailsWithLeaseProvided() {
        await(server.kv().put(bs("il-both"), bs("v")));
        rawFailure(() -> server.rawKv().put(ignoreLease("il-both", "w").setLease(42).build()))
                .is(ErrorCode.INVALID_ARGUMENT, "etcdserver: lease is provided");
        assertEquals("v", str(single(await(server.kv().get(bs("il-both")))).getValue()));
    }

    @Test
    void bothIgnoreFlagsTogetherMakeANewRevisionOfTheSameKeyValue() {
        long created = await(server.kv().put(bs("il-iv"), bs("same"))).getHeader().getRevision();
        PutResponse r = server.rawKv().put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("il-iv"))
                .setIgnoreValue(true).setIgnoreLease(true).build());
        assertEquals(created + 1, r.getHeader().getRevision());
        KeyValue now = single(await(server.kv().get(bs("il-iv"))));
        assertEquals("same", str(now.getValue()));
        assertEquals(2, now.getVersion());
    }

    @Test
    void insideATxnOnAMissingKeyFailsTheWholeTxn() {
        TxnRequest txn = TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(ignoreLease("il-txn-missing", "v")))
                .build();
        rawFailure(() -> server.rawKv().txn(txn)).is(ErrorCode.INVALID_ARGUMENT, "etcdserver: key not found");
    }
}
