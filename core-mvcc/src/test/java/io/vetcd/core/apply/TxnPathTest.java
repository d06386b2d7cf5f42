package io.vetcd.core.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.vetcd.core.mvcc.MvccStore;
import io.vetcd.core.mvcc.ReadView;
import io.vetcd.core.mvcc.WriteTxn;
import io.vetcd.proto.etcdserverpb.Compare;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chosen path of a nested txn, in etcd's compareToPath order (pre-order over chosen branches). */
class TxnPathTest {
    private static final Compare TRUE = cmp(1);
    private static final Compare FALSE = cmp(2);

    /** "a" has version 1: VERSION == v holds for v == 1 only. */
    private static Compare cmp(long version) {
        return Compare.newBuilder().setKey(ByteString.copyFromUtf8("a")).setTarget(Compare.CompareTarget.VERSION)
                .setResult(Compare.CompareResult.EQUAL).setVersion(version).build();
    }

    private static ReadView view() {
        MvccStore store = new MvccStore();
        WriteTxn w = store.beginWrite();
        w.put(ByteString.copyFromUtf8("a"), ByteString.copyFromUtf8("1"), 0);
        w.end();
        store.publish();
        return store.readView();
    }

    private static RequestOp nested(TxnRequest t) {
        return RequestOp.newBuilder().setRequestTxn(t).build();
    }

    private static List<Boolean> outcomes(TxnRequest t, int n) {
        TxnPath.Cursor c = TxnPath.of(view(), t).cursor();
        List<Boolean> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(c.next());
        }
        return out;
    }

    @Test
    void preOrderOverTheChosenBranches() {
        TxnRequest n1a = TxnRequest.newBuilder().addCompare(FALSE).build();
        TxnRequest n1 = TxnRequest.newBuilder().addCompare(TRUE).addSuccess(nested(n1a)).build();
        TxnRequest n2 = TxnRequest.newBuilder().addCompare(FALSE).build();
        TxnRequest t = TxnRequest.newBuilder().addCompare(TRUE).addSuccess(nested(n1)).addSuccess(nested(n2))
                .addFailure(nested(TxnRequest.newBuilder().addCompare(TRUE).build())).build();
        assertEquals(List.of(true, true, false, false), outcomes(t, 4), "[T, N1, N1a, N2]");
    }

    @Test
    void onlyTheChosenBranchIsListed() {
        TxnRequest n1 = TxnRequest.newBuilder().addCompare(TRUE).build();
        TxnRequest f1 = TxnRequest.newBuilder().addCompare(FALSE)
                .addFailure(nested(TxnRequest.newBuilder().addCompare(TRUE).build())).build();
        TxnRequest t = TxnRequest.newBuilder().addCompare(FALSE).addSuccess(nested(n1)).addFailure(nested(f1)).build();
        assertEquals(List.of(false, false, true), outcomes(t, 3), "[T, F1, F1's nested]");
    }

    @Test
    void eachCursorStartsFromTheBeginning() {
        TxnRequest t = TxnRequest.newBuilder().addCompare(FALSE).build();
        TxnPath path = TxnPath.of(view(), t);
        assertEquals(false, path.cursor().next());
        assertEquals(false, path.cursor().next());
    }

    @Test
    void manyNestedTxnsAreAllRecorded() {
        TxnRequest.Builder t = TxnRequest.newBuilder().addCompare(TRUE);
        for (int i = 0; i < 20; i++) {
            t.addSuccess(nested(TxnRequest.newBuilder().addCompare(i % 3 == 0 ? TRUE : FALSE).build()));
        }
        List<Boolean> out = outcomes(t.build(), 21);
        for (int i = 0; i < 20; i++) {
            assertEquals(i % 3 == 0, out.get(i + 1), "nested #" + i);
        }
    }
}
