package io.vetcd.core.apply;

import static io.vetcd.core.KvTestSupport.bs;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.core.KvTestSupport;
import io.vetcd.core.Limits;
import io.vetcd.core.MemberIdentity;
import io.vetcd.core.mvcc.MvccStore;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.PutResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * For tests of the single writer: each test gets a fresh {@link MvccStore}, its {@link Applier} (closed after
 * the test) and the {@link KvCommands} the writer runs, plus puts through the writer and a way to park the
 * writer (whichever thread is applying) inside a mutation.
 */
abstract class ApplierTestBase {
    /** Only a guard against a hung writer; never a speed assertion. */
    static final long HANG_GUARD_SECONDS = 30;

    final MvccStore store = new MvccStore();
    final Applier applier = new Applier(store);
    final KvCommands kv = new KvCommands(Limits.defaults(), new MemberIdentity(1, 2, 2), KvTestSupport.testLessor(store),
            new Quota(Quota.DEFAULT_BYTES));

    @AfterEach
    void close() {
        applier.close();
    }

    /** Submits {@code put key = value} to the writer. */
    CompletableFuture<PutResponse> put(String key, String value) {
        PutRequest r = PutRequest.newBuilder().setKey(bs(key)).setValue(bs(value)).build();
        return applier.submit(s -> kv.put(s, r));
    }

    /** A mutation that parks the writer thread when it runs, until {@link #release()}. */
    static final class WriterHold {
        private final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);

        /** Waits until the writer thread is parked in this mutation. */
        void awaitEntered() throws InterruptedException {
            assertTrue(entered.await(HANG_GUARD_SECONDS, TimeUnit.SECONDS), "writer never reached the hold");
        }

        /** Lets the writer go on. */
        void release() {
            release.countDown();
        }
    }

    /**
     * Queues, from a thread of its own, a mutation that parks whichever thread applies it; returns once
     * it is queued behind the current writer or is itself being applied (the submitting thread applies
     * it when nobody else is writing, so the test thread must not be the one to submit it).
     */
    WriterHold queueWriterHold() throws InterruptedException {
        WriterHold hold = new WriterHold();
        CountDownLatch submitted = new CountDownLatch(1);
        Thread submitter = new Thread(() -> {
            applier.submit(s -> {
                hold.entered.countDown();
                try {
                    hold.release.await(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            });
            submitted.countDown();
        }, "writer-hold");
        submitter.setDaemon(true);
        submitter.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_GUARD_SECONDS);
        while (submitted.getCount() > 0 && hold.entered.getCount() > 0) {
            assertTrue(System.nanoTime() < deadline, "the hold was never queued");
            Thread.sleep(1);
        }
        return hold;
    }

    /** Parks the writer thread inside a mutation: returns once it is parked there, until released. */
    WriterHold holdWriter() throws InterruptedException {
        WriterHold hold = queueWriterHold();
        hold.awaitEntered();
        return hold;
    }
}
