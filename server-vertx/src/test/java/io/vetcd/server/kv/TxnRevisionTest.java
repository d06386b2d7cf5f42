package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.currentRevision;
import static io.vetcd.server.testing.Jetcd.single;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A txn that writes is one revision, whatever it writes; a txn that only reads, or writes nothing,
 * leaves the revision where it was.
 */
class TxnRevisionTest {
    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();

    @Test
    void aWriteTxnIsOneRevisionForAllItsOps() {
        await(server.kv().put(bs("w/doomed"), bs("v")));
        await(server.kv().put(bs("w/a"), bs("v0")));
        long before = currentRevision(server.kv());
        TxnResponse r = await(server.kv().txn().Then(
                Op.put(bs("w/a"), bs("v1"), PutOption.DEFAULT),
                Op.put(bs("w/b"), bs("v1"), PutOption.DEFAULT),
                Op.put(bs("w/c"), bs("v1"), PutOption.DEFAULT),
                Op.delete(bs("w/doomed"), DeleteOption.DEFAULT)).commit());
        assertEquals(before + 1, r.getHeader().getRevision());
        for (var put : r.getPutResponses()) {
            assertEquals(before + 1, put.getHeader().getRevision());
        }
        assertEquals(before + 1, r.getDeleteResponses().get(0).getHeader().getRevision());
        for (String key : new String[] {"w/a", "w/b", "w/c"}) {
            KeyValue kv1 = single(await(server.kv().get(bs(key))));
            assertEquals(before + 1, kv1.getModRevision(), key);
        }
        assertEquals(1, await(server.kv().get(bs("w/doomed"),
                GetOption.builder().withRevision(before).build())).getCount());
        assertEquals(0, await(server.kv().get(bs("w/doomed"))).getCount());
        assertEquals(before + 1, currentRevision(server.kv()));
        assertEquals(before + 2, await(server.kv().put(bs("w/next"), bs("v"))).getHeader().getRevision());
    }

    @Test
    void theElseBranchWritesAtOneRevisionToo() {
        long before = currentRevision(server.kv());
        TxnResponse r = await(server.kv().txn().If(new Cmp(bs("e/absent"), Cmp.Op.GREATER, CmpTarget.version(0)))
                .Else(Op.put(bs("e/x"), bs("1"), PutOption.DEFAULT), Op.put(bs("e/y"), bs("1"), PutOption.DEFAULT))
                .commit());
        assertEquals(before + 1, r.getHeader().getRevision());
        assertEquals(before + 1, single(await(server.kv().get(bs("e/y")))).getModRevision());
    }

    @Test
    void aReadOnlyTxnDoesNotBumpTheRevision() {
        await(server.kv().put(bs("r/a"), bs("v")));
        long before = currentRevision(server.kv());
        TxnResponse r = await(server.kv().txn().If(new Cmp(bs("r/a"), Cmp.Op.EQUAL, CmpTarget.value(bs("v"))))
                .Then(Op.get(bs("r/a"), GetOption.DEFAULT), Op.get(bs("r/"), GetOption.builder().isPrefix(true).build()))
                .Else(Op.get(bs("r/b"), GetOption.DEFAULT))
                .commit());
        assertEquals(before, r.getHeader().getRevision());
        assertEquals(before, r.getGetResponses().get(0).getHeader().getRevision());
        assertEquals(before, currentRevision(server.kv()));
        assertEquals(before + 1, await(server.kv().put(bs("r/next"), bs("v"))).getHeader().getRevision());
    }

    @Test
    void aTxnWhoseChosenBranchIsEmptyDoesNotBumpTheRevision() {
        long before = currentRevision(server.kv());
        TxnResponse r = await(server.kv().txn().If(new Cmp(bs("x/absent"), Cmp.Op.GREATER, CmpTarget.version(0)))
                .Then(Op.put(bs("x/never"), bs("1"), PutOption.DEFAULT))
                .commit());
        assertEquals(before, r.getHeader().getRevision());
        assertEquals(before, currentRevision(server.kv()));
    }

    @Test
    void aWriteTxnThatChangesNothingDoesNotBumpTheRevision() {
        long before = currentRevision(server.kv());
        TxnResponse r = await(server.kv().txn().Then(Op.delete(bs("z/absent"), DeleteOption.DEFAULT)).commit());
        assertEquals(0, r.getDeleteResponses().get(0).getDeleted());
        assertEquals(before, r.getHeader().getRevision());
        assertEquals(before, currentRevision(server.kv()));
    }
}
