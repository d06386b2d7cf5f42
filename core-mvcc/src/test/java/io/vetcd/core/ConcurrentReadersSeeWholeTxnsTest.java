package io.vetcd.core;

import static io.vetcd.core.KvTestSupport.await;
import static io.vetcd.core.KvTestSupport.bs;
import static io.vetcd.core.KvTestSupport.newStore;
import static io.vetcd.core.KvTestSupport.opGet;
import static io.vetcd.core.KvTestSupport.opPut;
import static io.vetcd.core.KvTestSupport.txnReq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RangeResponse;
import io.vetcd.proto.etcdserverpb.ResponseOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import io.vetcd.proto.etcdserverpb.TxnResponse;
import io.vetcd.proto.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Writers commit multi-key txns (k1..k5 all set to one value, or all deleted in one request) while
 * readers range over k1..k5 at the current and at past revisions. A reader must never see half a
 * write, and the revisions one reader observes must never go backwards.
 */
class ConcurrentReadersSeeWholeTxnsTest {
    private static final int WRITERS = 3;
    private static final int READERS = 3;
    private static final int WRITES_PER_WRITER = 400;
    private static final long HANG_GUARD_SECONDS = 60;
    private static final List<String> KEYS = List.of("k1", "k2", "k3", "k4", "k5");

    private final Queue<String> violations = new ConcurrentLinkedQueue<>();

    private void violation(String what) {
        if (violations.size() < 20) {
            violations.add(what);
        }
    }

    /** All five keys present with one value and one mod revision, or none present. */
    private void checkWhole(List<KeyValue> kvs, long count, long headerRevision, String where) {
        if (count != kvs.size()) {
            violation(where + ": count " + count + " but " + kvs.size() + " kvs");
        }
        if (kvs.isEmpty()) {
            return;
        }
        if (kvs.size() != KEYS.size()) {
            violation(where + ": saw " + kvs.size() + " of 5 keys at revision " + headerRevision);
            return;
        }
        KeyValue first = kvs.get(0);
        for (KeyValue kv : kvs) {
            if (!kv.getValue().equals(first.getValue()) || kv.getModRevision() != first.getModRevision()) {
                violation(where + ": mixed txns at revision " + headerRevision + ": " + first.getValue().toStringUtf8()
                        + "@" + first.getModRevision() + " vs " + kv.getValue().toStringUtf8() + "@" + kv.getModRevision());
                return;
            }
        }
        if (first.getModRevision() > headerRevision) {
            violation(where + ": value from revision " + first.getModRevision() + " in a read at " + headerRevision);
        }
    }

    @Test
    void readersNeverSeeHalfAWriteAndRevisionsNeverGoBack() throws Exception {
        try (KvStore kv = newStore()) {
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong readsDone = new AtomicLong();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int id = w;
                writers.add(new Thread(() -> write(kv, id), "writer-" + w));
            }
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                long seed = r;
                readers.add(new Thread(() -> read(kv, writing, readsDone, seed), "reader-" + r));
            }
            readers.forEach(Thread::start);
            writers.forEach(Thread::start);
            for (Thread t : writers) {
                t.join(TimeUnit.SECONDS.toMillis(HANG_GUARD_SECONDS));
                assertTrue(!t.isAlive(), t.getName() + " hung");
            }
            writing.set(false);
            for (Thread t : readers) {
                t.join(TimeUnit.SECONDS.toMillis(HANG_GUARD_SECONDS));
                assertTrue(!t.isAlive(), t.getName() + " hung");
            }
            assertEquals(List.of(), new ArrayList<>(violations));
            assertTrue(readsDone.get() >= READERS, "every reader read at least once");
            // Every put txn took exactly one revision; deletes took one each time they deleted something.
            RangeResponse last = kv.range(RangeRequest.newBuilder().setKey(bs("k1")).setRangeEnd(bs("k6")).build());
            checkWhole(last.getKvsList(), last.getCount(), last.getHeader().getRevision(), "final");
            assertEquals(List.of(), new ArrayList<>(violations));
        }
    }

    private void write(KvStore kv, int id) {
        try {
            for (int i = 0; i < WRITES_PER_WRITER; i++) {
                long revision;
                if (i % 10 == 9) {
                    revision = await(kv.deleteRange(DeleteRangeRequest.newBuilder()
                            .setKey(bs("k1")).setRangeEnd(bs("k6")).build())).getHeader().getRevision();
                } else {
                    TxnRequest.Builder t = txnReq();
                    String value = "w" + id + "-" + i;
                    for (String k : KEYS) {
                        t.addSuccess(opPut(k, value));
                    }
                    revision = await(kv.txn(t.build())).getHeader().getRevision();
                }
                // Read-your-writes: an acknowledged write is already visible.
                long seen = kv.range(RangeRequest.newBuilder().setKey(bs("k1")).build()).getHeader().getRevision();
                if (seen < revision) {
                    violation("writer " + id + ": acknowledged revision " + revision + " but a read then saw " + seen);
                }
            }
        } catch (RuntimeException | AssertionError e) {
            violation("writer " + id + " failed: " + e);
        }
    }

    private void read(KvStore kv, AtomicBoolean writing, AtomicLong readsDone, long seed) {
        Random rnd = new Random(seed);
        long lastRevision = 0;
        try {
            do {
                RangeResponse r = kv.range(RangeRequest.newBuilder().setKey(bs("k1")).setRangeEnd(bs("k6")).build());
                long rev = r.getHeader().getRevision();
                if (rev < lastRevision) {
                    violation("revision went back from " + lastRevision + " to " + rev);
                }
                lastRevision = rev;
                checkWhole(r.getKvsList(), r.getCount(), rev, "range");

                // Five single-key reads in one read-only txn see one revision.
                TxnRequest.Builder t = txnReq();
                KEYS.forEach(k -> t.addSuccess(opGet(k)));
                TxnResponse tr = await(kv.txn(t.build()));
                long txnRev = tr.getHeader().getRevision();
                if (txnRev < lastRevision) {
                    violation("txn revision went back from " + lastRevision + " to " + txnRev);
                }
                lastRevision = txnRev;
                List<KeyValue> kvs = new ArrayList<>();
                for (ResponseOp op : tr.getResponsesList()) {
                    kvs.addAll(op.getResponseRange().getKvsList());
                    if (op.getResponseRange().getHeader().getRevision() != txnRev) {
                        violation("nested range at " + op.getResponseRange().getHeader().getRevision()
                                + " inside a txn at " + txnRev);
                    }
                }
                checkWhole(kvs, kvs.size(), txnRev, "txn");

                // Any past revision must be just as consistent.
                long past = 1 + (long) rnd.nextInt((int) Math.max(1, lastRevision));
                RangeResponse p = kv.range(RangeRequest.newBuilder().setKey(bs("k1")).setRangeEnd(bs("k6"))
                        .setRevision(past).build());
                checkWhole(p.getKvsList(), p.getCount(), past, "range at " + past);
                readsDone.incrementAndGet();
            } while (writing.get());
        } catch (RuntimeException | AssertionError e) {
            violation("reader failed: " + e);
        }
    }
}
