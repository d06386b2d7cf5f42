package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.keys;
import static io.vetcd.server.testing.Jetcd.single;
import static io.vetcd.server.testing.Jetcd.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.ResponseOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Txn success and failure branches: exactly one runs, its ops run in order and see each other's writes,
 * the responses come back in op order, and nested txns choose their branch on the state before the
 * outer txn (etcd's {@code compareToPath}).
 */
class TxnBranchTest {
    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();

    private static Cmp exists(String key) {
        return new Cmp(bs(key), Cmp.Op.GREATER, CmpTarget.version(0));
    }

    @Test
    void successRunsTheThenOpsOnly() {
        await(server.kv().put(bs("s/flag"), bs("on")));
        var r = await(server.kv().txn().If(exists("s/flag"))
                .Then(Op.put(bs("s/then"), bs("1"), PutOption.DEFAULT))
                .Else(Op.put(bs("s/else"), bs("1"), PutOption.DEFAULT))
                .commit());
        assertTrue(r.isSucceeded());
        assertEquals(1, r.getPutResponses().size());
        assertEquals(1, await(server.kv().get(bs("s/then"))).getCount());
        assertEquals(0, await(server.kv().get(bs("s/else"))).getCount());
    }

    @Test
    void failureRunsTheElseOpsOnly() {
        var r = await(server.kv().txn().If(exists("f/flag"))
                .Then(Op.put(bs("f/then"), bs("1"), PutOption.DEFAULT))
                .Else(Op.put(bs("f/else"), bs("1"), PutOption.DEFAULT), Op.get(bs("f/else"), GetOption.DEFAULT))
                .commit());
        assertFalse(r.isSucceeded());
        assertEquals(0, await(server.kv().get(bs("f/then"))).getCount());
        assertEquals("1", str(single(r.getGetResponses().get(0)).getValue()));
    }

    @Test
    void emptyBranchesAreFine() {
        var ok = await(server.kv().txn().If(exists("e/none"))
                .Then(Op.put(bs("e/x"), bs("1"), PutOption.DEFAULT)).commit());
        assertFalse(ok.isSucceeded());
        assertEquals(0, ok.getPutResponses().size() + ok.getGetResponses().size() + ok.getDeleteResponses().size());
        assertEquals(0, await(server.kv().get(bs("e/x"))).getCount());

        var empty = await(server.kv().txn().commit());
        assertTrue(empty.isSucceeded());
    }

    @Test
    void opsSeeTheWritesOfEarlierOpsInTheSameTxn() {
        await(server.kv().put(bs("o/old"), bs("before")));
        await(server.kv().put(bs("o/doomed"), bs("x")));
        var r = await(server.kv().txn().Then(
                Op.get(bs("o/old"), GetOption.DEFAULT),
                Op.put(bs("o/old"), bs("after"), PutOption.DEFAULT),
                Op.put(bs("o/new"), bs("created"), PutOption.DEFAULT),
                Op.get(bs("o/"), GetOption.builder().isPrefix(true).build()),
                Op.delete(bs("o/doomed"), DeleteOption.DEFAULT),
                Op.get(bs("o/"), GetOption.builder().isPrefix(true).build())).commit());
        long rev = r.getHeader().getRevision();
        assertEquals("before", str(single(r.getGetResponses().get(0)).getValue()));

        var afterPuts = r.getGetResponses().get(1);
        assertEquals(List.of("o/doomed", "o/new", "o/old"), keys(afterPuts));
        var old = afterPuts.getKvs().get(2);
        assertEquals("after", str(old.getValue()));
        assertEquals(rev, old.getModRevision());
        assertEquals(2, old.getVersion());
        assertEquals(rev, afterPuts.getKvs().get(1).getCreateRevision());

        assertEquals(1, r.getDeleteResponses().get(0).getDeleted());
        assertEquals(List.of("o/new", "o/old"), keys(r.getGetResponses().get(2)));
        assertEquals(List.of("o/new", "o/old"),
                keys(await(server.kv().get(bs("o/"), GetOption.builder().isPrefix(true).build()))));
    }

    @Test
    void responsesComeBackInOpOrder() {
        TxnRequest request = TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(bytes("q/a"))))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bytes("q/a"))
                        .setValue(bytes("1"))))
                .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
                        .setKey(bytes("q/b"))))
                .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(bytes("q/a"))))
                .addSuccess(RequestOp.newBuilder().setRequestTxn(TxnRequest.newBuilder()))
                .build();
        TxnResponse r = server.rawKv().txn(request);
        assertTrue(r.getSucceeded());
        assertEquals(List.of(ResponseOp.ResponseCase.RESPONSE_RANGE, ResponseOp.ResponseCase.RESPONSE_PUT,
                        ResponseOp.ResponseCase.RESPONSE_DELETE_RANGE, ResponseOp.ResponseCase.RESPONSE_RANGE,
                        ResponseOp.ResponseCase.RESPONSE_TXN),
                r.getResponsesList().stream().map(ResponseOp::getResponseCase).toList());
        assertEquals(0, r.getResponses(0).getResponseRange().getCount());
        assertEquals(1, r.getResponses(3).getResponseRange().getCount());
        assertEquals(0, r.getResponses(2).getResponseDeleteRange().getDeleted());
        assertTrue(r.getResponses(4).getResponseTxn().getSucceeded());
    }

    @Test
    void nestedTxnRunsTheBranchItsComparesChoose() {
        await(server.kv().put(bs("n/flag"), bs("on")));
        var r = await(server.kv().txn().Then(
                Op.txn(new Cmp[] {new Cmp(bs("n/flag"), Cmp.Op.EQUAL, CmpTarget.value(bs("on")))},
                        new Op[] {Op.put(bs("n/inner-then"), bs("1"), PutOption.DEFAULT)},
                        new Op[] {Op.put(bs("n/inner-else"), bs("1"), PutOption.DEFAULT)}),
                Op.txn(new Cmp[] {new Cmp(bs("n/flag"), Cmp.Op.EQUAL, CmpTarget.value(bs("off")))},
                        new Op[] {Op.put(bs("n/second-then"), bs("1"), PutOption.DEFAULT)},
                        new Op[] {Op.put(bs("n/second-else"), bs("1"), PutOption.DEFAULT)}))
                .commit());
        assertTrue(r.isSucceeded());
        assertTrue(r.getTxnResponses().get(0).isSucceeded());
        assertFalse(r.getTxnResponses().get(1).isSucceeded());
        assertEquals(List.of("n/flag", "n/inner-then", "n/second-else"),
                keys(await(server.kv().get(bs("n/"), GetOption.builder().isPrefix(true).build()))));
    }

    @Test
    void nestedComparesSeeTheStateBeforeTheOuterTxn() {
        // the outer txn creates n2/x first; the nested compare still sees n2/x missing (version 0)
        var r = await(server.kv().txn().Then(
                Op.put(bs("n2/x"), bs("1"), PutOption.DEFAULT),
                Op.txn(new Cmp[] {new Cmp(bs("n2/x"), Cmp.Op.EQUAL, CmpTarget.version(0))},
                        new Op[] {Op.put(bs("n2/saw-missing"), bs("1"), PutOption.DEFAULT)},
                        new Op[] {Op.put(bs("n2/saw-created"), bs("1"), PutOption.DEFAULT)}))
                .commit());
        assertTrue(r.getTxnResponses().get(0).isSucceeded());
        assertEquals(List.of("n2/saw-missing", "n2/x"),
                keys(await(server.kv().get(bs("n2/"), GetOption.builder().isPrefix(true).build()))));
    }

    private static ByteString bytes(String s) {
        return ByteString.copyFromUtf8(s);
    }
}
