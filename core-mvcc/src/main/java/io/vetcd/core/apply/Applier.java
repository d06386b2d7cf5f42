package io.vetcd.core.apply;

import io.vetcd.core.EtcdError;
import io.vetcd.core.mvcc.MvccStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/**
 * The one writer: a thread that takes queued mutations in arrival order and applies them in batches.
 *
 * <p>Per batch: apply every mutation to the {@link MvccStore} (each gets its own main revision, or none
 * if it changed nothing), then publish the last revision, then complete the futures. So a write is
 * acknowledged only once readers can see it, and readers never see part of a batch member.
 * Group commit: whatever queued up while the previous batch ran forms the next batch.
 */
public final class Applier implements AutoCloseable {
    private static final int MAX_BATCH = 1024;

    /** A queued mutation: a function run on the writer thread against the store, and who waits for it. */
    private record Pending<R>(Function<MvccStore, R> apply, CompletableFuture<R> result) {
        void run(MvccStore store, List<Runnable> completions) {
            try {
                R response = apply.apply(store);
                completions.add(() -> result.complete(response));
            } catch (RuntimeException e) {
                completions.add(() -> result.completeExceptionally(e));
            }
        }
    }

    private static final Pending<Void> STOP = new Pending<>(s -> null, new CompletableFuture<>());

    private final MvccStore store;
    private final BlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    /** Guarded by {@code queue}. */
    private boolean stopping;

    public Applier(MvccStore store) {
        this.store = store;
        this.thread = new Thread(this::loop, "vetcd-applier");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues {@code mutation}; its future completes after the batch holding it is published. */
    public <R> CompletableFuture<R> submit(Function<MvccStore, R> mutation) {
        CompletableFuture<R> result = new CompletableFuture<>();
        synchronized (queue) { // nothing is queued behind STOP
            if (stopping) {
                result.completeExceptionally(EtcdError.STOPPED.exception());
            } else {
                queue.add(new Pending<>(mutation, result));
            }
        }
        return result;
    }

    private void loop() {
        List<Pending<?>> batch = new ArrayList<>();
        List<Runnable> completions = new ArrayList<>();
        boolean running = true;
        while (running) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            for (Pending<?> pending : batch) {
                if (pending == STOP) {
                    running = false;
                } else {
                    pending.run(store, completions);
                }
            }
            store.publish();
            completions.forEach(Runnable::run);
            completions.clear();
            batch.clear();
        }
    }

    /** Applies everything queued so far, then stops the writer thread. */
    @Override
    public void close() {
        synchronized (queue) {
            if (stopping) {
                return;
            }
            stopping = true;
            queue.add(STOP);
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
