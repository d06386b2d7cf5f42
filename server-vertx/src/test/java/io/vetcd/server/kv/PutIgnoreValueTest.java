package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.rawFailure;
import static io.vetcd.server.testing.Jetcd.single;
import static io.vetcd.server.testing.Jetcd.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * Put {@code ignore_value}: write a new revision of an existing key keeping its value. A missing key
 * fails with INVALID_ARGUMENT "etcdserver: key not found"; a value together with the flag fails with
 * "etcdserver: value is provided" ({@code v3rpc/key.go checkPutRequest}, {@code apply.go Put}).
 *
 * <p>jetcd 0.8.7's {@code PutOption} has no ignore_value, so these requests go through jetcd's generated
 * KV stub; the results are read back through jetcd's KV client.
 */
class PutIgnoreValueTest {
    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();

    private static PutRequest.Builder ignoreValue(String key) {
        return PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setIgnoreValue(true);
    }

    @Test
    void keepsTheValueAndMakesANewRevision() {
        long created = await(server.kv().put(bs("iv"), bs("kept"))).getHeader().getRevision();
        PutResponse r = server.rawKv().put(ignoreValue("iv").build());
        assertEquals(created + 1, r.getHeader().getRevision());
        KeyValue now = single(await(server.kv().get(bs("iv"))));
        assertEquals("kept", str(now.getValue()));
        assertEquals(2, now.getVersion());
        assertEquals(created, now.getCreateRevision());
        assertEquals(created + 1, now.getModRevision());
    }

    @Test
    void withPrevKv() {
        await(server.kv().put(bs("iv-prev"), bs("v")));
        PutResponse r = server.rawKv().put(ignoreValue("iv-prev").setPrevKv(true).build());
        assertTrue(r.hasPrevKv());
        assertEquals("v", r.getPrevKv().getValue().toStringUtf8());
        assertEquals(1, r.getPrevKv().getVersion());
    }

    @Test
    void missingKeyFailsWithKeyNotFound() {
        long before = Jetcd.currentRevision(server.kv());
        rawFailure(() -> server.rawKv().put(ignoreValue("iv-missing").build()))
                .is(ErrorCode.INVALID_ARGUMENT, "etcdserver: key not found");
        assertEquals(before, Jetcd.currentRevision(server.kv()), "a failed put makes no revision");
        assertEquals(0, await(server.kv().get(bs("iv-missing"))).getCount());
    }

    @Test
    void deletedKeyFailsWithKeyNotFound() {
        await(server.kv().put(bs("iv-deleted"), bs("v")));
        await(server.kv().delete(bs("iv-deleted")));
        rawFailure(() -> server.rawKv().put(ignoreValue("iv-deleted").build()))
                .is(ErrorCode.INVALID_ARGUMENT, "etcdserver: key not found");
    }

    @Test
    void aValueWithTheFlagFailsWithValueProvided() {
        await(server.kv().put(bs("iv-both"), bs("v")));
        rawFailure(() -> server.rawKv().put(ignoreValue("iv-both").setValue(ByteString.copyFromUtf8("new")).build()))
                .is(ErrorCode.INVALID_ARGUMENT, "etcdserver: value is provided");
        assertEquals("v", str(single(await(server.kv().get(bs("iv-both")))).getValue()));
    }

    @Test
    void insideATxnOnAMissingKeyFailsTheWholeTxn() {
        long before = Jetcd.currentRevision(server.kv());
        TxnRequest txn = TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8("iv-txn-other")).setValue(ByteString.copyFromUtf8("x"))))
                .addSuccess(RequestOp.newBuilder().setRequestPut(ignoreValue("iv-txn-missing")))
                .build();
        rawFailure(() -> server.rawKv().txn(txn)).is(ErrorCode.INVALID_ARGUMENT, "etcdserver: key not found");
        assertEquals(before, Jetcd.currentRevision(server.kv()));
        assertFalse(await(server.kv().get(bs("iv-txn-other"))).getCount() > 0, "no op of a failed txn is applied");
    }

    @Test
    void insideATxnOnAnExistingKey() {
        await(server.kv().put(bs("iv-txn"), bs("kept")));
        TxnRequest txn = TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(ignoreValue("iv-txn")))
                .build();
        assertTrue(server.rawKv().txn(txn).getSucceeded());
        KeyValue now = single(await(server.kv().get(bs("iv-txn"))));
        assertEquals("kept", str(now.getValue()));
        assertEquals(2, now.getVersion());
    }
}
