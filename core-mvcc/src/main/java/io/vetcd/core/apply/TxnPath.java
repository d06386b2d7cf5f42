package io.vetcd.core.apply;

import io.vetcd.core.mvcc.ReadView;
import io.vetcd.proto.etcdserverpb.Compare;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import java.util.Arrays;

/**
 * Which branch each txn on the chosen path takes (etcd's {@code compareToPath}), decided once on the
 * view before the txn changes anything.
 *
 * <p>The outcomes are listed in pre-order over the chosen branches. Example: a txn T whose success
 * branch holds nested txns N1 (which itself nests N1a) and N2 gives {@code [T, N1, N1a, N2]} when T
 * succeeds; if T fails, only the nested txns of its failure branch are listed. Each pass that walks
 * the chosen path in the same order (checks, then apply) takes a fresh {@link Cursor}.
 */
final class TxnPath {
    private boolean[] outcomes = new boolean[4];
    private int size;

    private TxnPath() {}

    static TxnPath of(ReadView view, TxnRequest r) {
        TxnPath path = new TxnPath();
        path.decide(view, r);
        return path;
    }

    private void decide(ReadView view, TxnRequest r) {
        boolean succeeded = true;
        for (Compare c : r.getCompareList()) {
            if (!KvApplier.compare(view, c)) {
                succeeded = false;
                break;
            }
        }
        if (size == outcomes.length) {
            outcomes = Arrays.copyOf(outcomes, size * 2);
        }
        outcomes[size++] = succeeded;
        for (RequestOp op : succeeded ? r.getSuccessList() : r.getFailureList()) {
            if (op.hasRequestTxn()) {
                decide(view, op.getRequestTxn());
            }
        }
    }

    Cursor cursor() {
        return new Cursor();
    }

    /** Reads the outcomes in order. */
    final class Cursor {
        private int next;

        boolean next() {
            return outcomes[next++];
        }
    }
}
