package io.vetcd.core.apply;

import static io.vetcd.core.KvTestSupport.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vetcd.core.EtcdError;
import io.vetcd.core.EtcdException;
import io.vetcd.core.KvStore;
import io.vetcd.core.KvTestSupport;
import io.vetcd.core.mvcc.KeyRange;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.PutResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The single writer: arrival order, one revision per mutation, publish-then-acknowledge, shutdown. */
class ApplierTest extends ApplierTestBase {
    private static <T> T get(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return fail("writer hung");
        }
    }

    @Test
    void anIdleWriterAppliesOnTheSubmittingThreadBeforeSubmitReturns() throws Exception {
        Thread caller = Thread.currentThread();
        CompletableFuture<Thread> appliedOn = applier.submit(s -> Thread.currentThread());
        assertTrue(appliedOn.isDone(), "no hand-off: the caller applied it");
        assertEquals(caller, get(appliedOn));
        assertTrue(put("k", "v").isDone());
        assertEquals(2, store.revision());
    }

    @Test
    void backgroundMutationsRunOnTheBackgroundThreadEvenWhileACallerIsApplying() throws Exception {
        WriterHold writer = holdWriter(); // a caller's thread holds the writer
        CompletableFuture<PutResponse> queued = put("a", "1");
        CompletableFuture<String> background = applier.submitInBackground(s -> Thread.currentThread().getName());
        writer.release();
        assertEquals(2, get(queued).getHeader().getRevision(), "the holder applied the queued put");
        assertEquals("vetcd-background-writer", get(background), "not left to the holder");
        // On an idle writer too: the caller does not apply it.
        assertEquals("vetcd-background-writer", get(applier.submitInBackground(s -> Thread.currentThread().getName())));
        assertEquals(3, get(put("b", "1")).getHeader().getRevision());
    }

    /** A lease expiry goes ahead of the writes queued before it, into the holder's next batch. */
    @Test
    void aMutationSubmittedFirstGoesAheadOfQueuedWrites() throws Exception {
        WriterHold writer = holdWriter();
        List<CompletableFuture<PutResponse>> queued = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            queued.add(put("q", "v" + i));
        }
        CompletableFuture<Long> ahead = applier.submitFirst(s -> s.writerRevision());
        assertTrue(!ahead.isDone(), "the holder applies it");
        writer.release();
        assertEquals(1, get(ahead), "applied before any of the 3000 queued puts");
        assertEquals(2, get(queued.get(0)).getHeader().getRevision());
        assertEquals(3001, get(queued.get(2999)).getHeader().getRevision());
    }

    @Test
    void mutationsApplyInSubmissionOrderEachWithItsOwnRevision() throws Exception {
        WriterHold writer = holdWriter();
        List<CompletableFuture<PutResponse>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            futures.add(put("k", "v" + i));
        }
        assertEquals(1, store.revision(), "nothing applied while the writer is held");
        writer.release();
        for (int i = 0; i < 20; i++) {
            assertEquals(2 + i, get(futures.get(i)).getHeader().getRevision(), "put #" + i);
        }
        var last = store.readView().range(KeyRange.single(bs("k")), 0, 0, false).kvs().get(0);
        assertEquals("v19", last.getValue().toStringUtf8());
        assertEquals(20, last.getVersion());
    }

    @Test
    void aBatchIsPublishedBeforeAnyOfItsWritesIsAcknowledged() throws Exception {
        WriterHold writer = holdWriter();
        List<CompletableFuture<Long>> publishedAtAck = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            // Attached before completion, so it runs as the future completes.
            publishedAtAck.add(put("k" + i, "v").thenApply(r -> store.revision()));
        }
        writer.release();
        // All ten were queued behind the held mutation, so they form one batch of revisions 2..11.
        for (CompletableFuture<Long> f : publishedAtAck) {
            assertEquals(11, get(f), "acknowledged before its batch was published");
        }
    }

    @Test
    void everyAcknowledgedWriteIsVisibleToReaders() throws Exception {
        for (int i = 0; i < 50; i++) {
            PutResponse r = get(put("k" + i, "v"));
            assertTrue(store.revision() >= r.getHeader().getRevision());
            assertEquals(1, store.readView().range(KeyRange.single(bs("k" + i)), 0, 0, true).count());
        }
    }

    @Test
    void writersOnManyThreadsGetDistinctConsecutiveRevisions() throws Exception {
        int threads = 4;
        int perThread = 100;
        List<CompletableFuture<PutResponse>> futures = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            List<CompletableFuture<PutResponse>> mine = new ArrayList<>();
            Thread w = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    mine.add(put("t" + id + "-" + i, "v"));
                }
                synchronized (futures) {
                    futures.addAll(mine);
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join(TimeUnit.SECONDS.toMillis(HANG_GUARD_SECONDS));
        }
        assertEquals(threads * perThread, futures.size(), "a submitting thread hung");
        Set<Long> revisions = new HashSet<>();
        for (CompletableFuture<PutResponse> f : futures) {
            revisions.add(get(f).getHeader().getRevision());
        }
        assertEquals(threads * perThread, revisions.size(), "revisions are unique");
        for (long r = 2; r <= 1 + threads * perThread; r++) {
            assertTrue(revisions.contains(r), "revision " + r + " missing");
        }
        assertEquals(1 + threads * perThread, store.revision());
    }

    @Test
    void aFailingMutationDoesNotDisturbTheOthersInItsBatch() throws Exception {
        WriterHold writer = holdWriter();
        CompletableFuture<PutResponse> a = put("a", "1");
        PutRequest bad = PutRequest.newBuilder().setKey(bs("missing")).setIgnoreValue(true).build();
        CompletableFuture<PutResponse> failing = applier.submit(s -> kv.put(s, bad));
        CompletableFuture<PutResponse> b = put("b", "1");
        writer.release();
        assertEquals(2, get(a).getHeader().getRevision());
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> failing.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS));
        assertEquals(EtcdError.KEY_NOT_FOUND, assertInstanceOf(EtcdException.class, e.getCause()).error());
        assertEquals(3, get(b).getHeader().getRevision(), "the failed put took no revision");
    }

    @Test
    void closeAppliesEverythingQueuedBeforeIt() throws Exception {
        List<CompletableFuture<PutResponse>> futures = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            futures.add(put("k" + i, "v"));
        }
        applier.close();
        for (CompletableFuture<PutResponse> f : futures) {
            assertTrue(f.isDone(), "close() returned before a queued write was applied");
            get(f);
        }
        assertEquals(101, store.revision());
    }

    @Test
    void submitAfterCloseFailsWithServerStopped() throws Exception {
        applier.close();
        CompletableFuture<PutResponse> f = put("a", "1");
        assertTrue(f.isCompletedExceptionally());
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, f::get);
        EtcdException cause = assertInstanceOf(EtcdException.class, e.getCause());
        assertEquals(EtcdError.STOPPED, cause.error());
        assertEquals("etcdserver: server stopped", cause.getMessage());
        assertEquals("UNAVAILABLE", cause.error().grpcCode());
        applier.close(); // idempotent, must not hang
        assertEquals(1, store.revision());
    }

    @Test
    void closedKvStoreRefusesWritesButStillServesReads() {
        KvStore store = KvTestSupport.newStore();
        KvTestSupport.put(store, "a", "1");
        store.close();
        KvTestSupport.assertEtcdError(EtcdError.STOPPED, () -> store.put(KvTestSupport.putReq("b", "1")));
        KvTestSupport.assertEtcdError(EtcdError.STOPPED, () -> store.deleteRange(KvTestSupport.deleteReq("a", "")));
        KvTestSupport.assertEtcdError(EtcdError.STOPPED, () -> store.txn(KvTestSupport.txnReq()
                .addSuccess(KvTestSupport.opPut("b", "1")).build()));
        assertEquals(1, KvTestSupport.get(store, "a").getCount());
        assertEquals(2, store.revision());
    }
}
