package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Put {@code prev_kv}: the key-value as it was before this put, absent when the key did not exist. */
class PutPrevKvTest {
    private static final PutOption PREV_KV = PutOption.builder().withPrevKV().build();

    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();

    @Test
    void newKeyHasNoPrevKv() {
        PutResponse r = await(server.kv().put(bs("fresh"), bs("v"), PREV_KV));
        assertFalse(r.hasPrevKv());
    }

    @Test
    void existingKeyReturnsItsPreviousState() {
        long created = await(server.kv().put(bs("p"), bs("v1"))).getHeader().getRevision();
        long modified = await(server.kv().put(bs("p"), bs("v2"))).getHeader().getRevision();
        PutResponse r = await(server.kv().put(bs("p"), bs("v3"), PREV_KV));
        assertTrue(r.hasPrevKv());
        KeyValue prev = r.getPrevKv();
        assertEquals("p", str(prev.getKey()));
        assertEquals("v2", str(prev.getValue()));
        assertEquals(created, prev.getCreateRevision());
        assertEquals(modified, prev.getModRevision());
        assertEquals(2, prev.getVersion());
        assertEquals(modified + 1, r.getHeader().getRevision());
    }

    @Test
    void withoutTheFlagThereIsNoPrevKv() {
        await(server.kv().put(bs("q"), bs("v1")));
        assertFalse(await(server.kv().put(bs("q"), bs("v2"))).hasPrevKv());
    }

    @Test
    void deletedKeyHasNoPrevKv() {
        await(server.kv().put(bs("gone"), bs("v1")));
        await(server.kv().delete(bs("gone")));
        assertFalse(await(server.kv().put(bs("gone"), bs("v2"), PREV_KV)).hasPrevKv());
    }

    @Test
    void prevKvOfAPutInsideATxn() {
        await(server.kv().put(bs("t"), bs("before")));
        TxnResponse r = await(server.kv().txn().Then(Op.put(bs("t"), bs("after"), PREV_KV)).commit());
        PutResponse put = r.getPutResponses().get(0);
        assertTrue(put.hasPrevKv());
        assertEquals("before", str(put.getPrevKv().getValue()));
    }
}
