package io.vetcd.core.apply;

import static io.vetcd.core.KvTestSupport.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.vetcd.core.EtcdError;
import io.vetcd.core.EtcdException;
import io.vetcd.core.KvStore;
import io.vetcd.core.KvTestSupport;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * A txn can pass every up-front check and still fail while it applies: a from-key delete escapes etcd's
 * overlap check (its "\0" end is not translated there), removes the key a later ignore_value put of
 * the same txn needs, and that put fails with KEY_NOT_FOUND. etcd panics there; vetcd must stay atomic:
 * the error reaches the client and the delete is undone.
 */
class FailedTxnChangesNothingTest {
    private final KvStore kv = KvTestSupport.newStore();

    @Test
    void deleteBeforeAFailingPutIsUndone() throws Exception {
        kv.put(PutRequest.newBuilder().setKey(bs("b")).setValue(bs("old")).build()).get(); // rev 2
        kv.put(PutRequest.newBuilder().setKey(bs("c")).setValue(bs("new-key")).build()).get(); // rev 3
        TxnRequest txn = TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
                        .setKey(bs("a")).setValue(bs("created-then-undone"))))
                .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
                        .setKey(bs("b")).setRangeEnd(ByteString.copyFrom(new byte[] {0}))))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
                        .setKey(bs("b")).setIgnoreValue(true)))
                .build();
        ExecutionException e = assertThrows(ExecutionException.class, () -> kv.txn(txn).get());
        assertSame(EtcdError.KEY_NOT_FOUND, ((EtcdException) e.getCause()).error());

        assertEquals(3, kv.revision(), "the failed txn takes no revision");
        var all = kv.range(RangeRequest.newBuilder().setKey(bs("\0")).setRangeEnd(bs("\0")).build());
        assertEquals(2, all.getCount(), "a is not created, b and c are not deleted");
        assertEquals("b", all.getKvs(0).getKey().toStringUtf8());
        assertEquals(2, all.getKvs(0).getModRevision());
        assertEquals("c", all.getKvs(1).getKey().toStringUtf8());

        // The next write takes the next revision and builds on the undone state.
        var put = kv.put(PutRequest.newBuilder().setKey(bs("b")).setValue(bs("next")).build()).get();
        assertEquals(4, put.getHeader().getRevision());
        assertEquals(2, kv.range(RangeRequest.newBuilder().setKey(bs("b")).build()).getKvs(0).getVersion());
    }
}
