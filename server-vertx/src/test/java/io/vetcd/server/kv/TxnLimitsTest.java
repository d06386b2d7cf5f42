package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.currentRevision;
import static io.vetcd.server.testing.Jetcd.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The txn checks of {@code v3rpc/key.go checkTxnRequest}: at most {@code --max-txn-ops} (128) compares,
 * success ops and failure ops each, else INVALID_ARGUMENT "etcdserver: too many operations in txn
 * request"; and no key written twice in one branch (put twice, or put and deleted), else INVALID_ARGUMENT
 * "etcdserver: duplicate key given in txn request". A refused txn applies nothing.
 */
class TxnLimitsTest {
    static final String TOO_MANY_OPS = "etcdserver: too many operations in txn request";
    static final String DUPLICATE_KEY = "etcdserver: duplicate key given in txn request";
    static final int MAX_TXN_OPS = 128;

    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();

    private static Op[] ops(int n, IntFunction<Op> op) {
        Op[] ops = new Op[n];
        for (int i = 0; i < n; i++) {
            ops[i] = op.apply(i);
        }
        return ops;
    }

    private static Op put(String key) {
        return Op.put(bs(key), bs("v"), PutOption.DEFAULT);
    }

    @Test
    void maxTxnOpsPutsAreAccepted() {
        long before = currentRevision(server.kv());
        TxnResponse r = await(server.kv().txn().Then(ops(MAX_TXN_OPS, i -> put("ok/" + i))).commit());
        assertEquals(MAX_TXN_OPS, r.getPutResponses().size());
        assertEquals(before + 1, r.getHeader().getRevision());
        assertEquals(MAX_TXN_OPS, await(server.kv().get(bs("ok/"),
                GetOption.builder().isPrefix(true).withCountOnly(true).build())).getCount());
    }

    @Test
    void oneSuccessOpTooManyIsRefusedAndNothingIsApplied() {
        long before = currentRevision(server.kv());
        failure(server.kv().txn().Then(ops(MAX_TXN_OPS + 1, i -> put("many/" + i))).commit())
                .is(ErrorCode.INVALID_ARGUMENT, TOO_MANY_OPS);
        assertEquals(0, await(server.kv().get(bs("many/"), GetOption.builder().isPrefix(true).build())).getCount());
        assertEquals(before, currentRevision(server.kv()));
    }

    @Test
    void tooManyFailureOpsIsRefused() {
        failure(server.kv().txn().Else(ops(MAX_TXN_OPS + 1, i -> Op.get(bs("g/" + i), GetOption.DEFAULT))).commit())
                .is(ErrorCode.INVALID_ARGUMENT, TOO_MANY_OPS);
    }

    @Test
    void tooManyComparesIsRefused() {
        Cmp[] compares = new Cmp[MAX_TXN_OPS + 1];
        for (int i = 0; i < compares.length; i++) {
            compares[i] = new Cmp(bs("c/" + i), Cmp.Op.EQUAL, CmpTarget.version(0));
        }
        failure(server.kv().txn().If(compares).commit()).is(ErrorCode.INVALID_ARGUMENT, TOO_MANY_OPS);
    }

    @Test
    void theLimitIsPerBranchNotTheirSum() {
        Cmp[] compares = new Cmp[MAX_TXN_OPS];
        for (int i = 0; i < compares.length; i++) {
            compares[i] = new Cmp(bs("both/c" + i), Cmp.Op.EQUAL, CmpTarget.version(0));
        }
        TxnResponse r = await(server.kv().txn().If(compares)
                .Then(ops(MAX_TXN_OPS, i -> put("both/then" + i)))
                .Else(ops(MAX_TXN_OPS, i -> put("both/else" + i)))
                .commit());
        assertTrue(r.isSucceeded());
    }

    @Test
    void puttingTheSameKeyTwiceIsRefused() {
        long before = currentRevision(server.kv());
        failure(server.kv().txn().Then(put("dup/a"), put("dup/b"), put("dup/a")).commit())
                .is(ErrorCode.INVALID_ARGUMENT, DUPLICATE_KEY);
        assertEquals(0, await(server.kv().get(bs("dup/"), GetOption.builder().isPrefix(true).build())).getCount());
        assertEquals(before, currentRevision(server.kv()));
    }

    @Test
    void puttingTheSameKeyTwiceInTheFailureBranchIsRefused() {
        failure(server.kv().txn().Else(put("dupe/a"), put("dupe/a")).commit())
                .is(ErrorCode.INVALID_ARGUMENT, DUPLICATE_KEY);
    }

    @Test
    void puttingAndDeletingTheSameKeyIsRefused() {
        failure(server.kv().txn().Then(Op.delete(bs("pd/a"), DeleteOption.DEFAULT), put("pd/a")).commit())
                .is(ErrorCode.INVALID_ARGUMENT, DUPLICATE_KEY);
        failure(server.kv().txn().Then(put("pd/b"), Op.delete(bs("pd/b"), DeleteOption.DEFAULT)).commit())
                .is(ErrorCode.INVALID_ARGUMENT, DUPLICATE_KEY);
    }

    @Test
    void puttingAKeyInsideADeletedRangeIsRefused() {
        failure(server.kv().txn().Then(Op.delete(bs("pr/"), DeleteOption.builder().isPrefix(true).build()), put("pr/x"))
                .commit())
                .is(ErrorCode.INVALID_ARGUMENT, DUPLICATE_KEY);
    }

    @Test
    void theSameKeyInBothBranchesIsFine() {
        TxnResponse r = await(server.kv().txn().If(new Cmp(bs("sb/a"), Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(put("sb/a")).Else(put("sb/a")).commit());
        assertTrue(r.isSucceeded());
    }

    @Test
    void readingOrDeletingTheSameKeyTwiceIsFine() {
        await(server.kv().put(bs("rd/a"), bs("v")));
        TxnResponse r = await(server.kv().txn().Then(
                Op.get(bs("rd/a"), GetOption.DEFAULT),
                Op.get(bs("rd/a"), GetOption.DEFAULT),
                Op.delete(bs("rd/a"), DeleteOption.DEFAULT),
                Op.delete(bs("rd/a"), DeleteOption.DEFAULT)).commit());
        assertEquals(1, r.getDeleteResponses().get(0).getDeleted());
        assertEquals(0, r.getDeleteResponses().get(1).getDeleted());
    }

    @Test
    void readingAKeyAndPuttingItIsFine() {
        TxnResponse r = await(server.kv().txn().Then(Op.get(bs("rp/a"), GetOption.DEFAULT), put("rp/a")).commit());
        assertTrue(r.isSucceeded());
    }
}
