package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.currentRevision;
import static io.vetcd.server.testing.Jetcd.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An empty key is refused everywhere with INVALID_ARGUMENT "etcdserver: key is not provided"
 * ({@code v3rpc/key.go}: checkRangeRequest, checkPutRequest, checkDeleteRequest, checkTxnRequest for
 * compares and every op), and the refused request changes nothing.
 */
class EmptyKeyTest {
    static final String EMPTY_KEY = "etcdserver: key is not provided";
    private static final ByteSequence EMPTY = ByteSequence.EMPTY;

    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();
    private long before;

    @BeforeAll
    static void start() {
        await(server.kv().put(bs("a"), bs("v")));
    }

    @BeforeEach
    void revisionBefore() {
        before = currentRevision(server.kv());
    }

    @AfterEach
    void nothingChanged() {
        assertEquals(before, currentRevision(server.kv()), "a refused request makes no revision");
        assertEquals(1, await(server.kv().get(bs("\0"), GetOption.builder().withRange(bs("\0")).build())).getCount());
    }

    private static void refused(CompletableFuture<?> call) {
        failure(call).is(ErrorCode.INVALID_ARGUMENT, EMPTY_KEY);
    }

    @Test
    void range() {
        refused(server.kv().get(EMPTY));
        refused(server.kv().get(EMPTY, GetOption.builder().withRange(bs("z")).build()));
        refused(server.kv().get(EMPTY, GetOption.builder().withCountOnly(true).build()));
    }

    @Test
    void put() {
        refused(server.kv().put(EMPTY, bs("v")));
    }

    @Test
    void deleteRange() {
        refused(server.kv().delete(EMPTY));
        refused(server.kv().delete(EMPTY, DeleteOption.builder().withRange(bs("z")).build()));
    }

    @Test
    void txnCompare() {
        refused(server.kv().txn().If(new Cmp(EMPTY, Cmp.Op.EQUAL, CmpTarget.version(0))).commit());
    }

    @Test
    void txnOpsInEitherBranch() {
        refused(server.kv().txn()
                .Then(Op.put(bs("ok"), bs("v"), PutOption.DEFAULT), Op.put(EMPTY, bs("v"), PutOption.DEFAULT))
                .commit());
        refused(server.kv().txn().Then(Op.get(EMPTY, GetOption.DEFAULT)).commit());
        refused(server.kv().txn().Then(Op.delete(EMPTY, DeleteOption.DEFAULT)).commit());
        // checked before the compares run: an empty key in the branch that would not run is refused too
        refused(server.kv().txn().If(new Cmp(bs("a"), Cmp.Op.EQUAL, CmpTarget.version(1)))
                .Else(Op.put(EMPTY, bs("v"), PutOption.DEFAULT)).commit());
    }
}
