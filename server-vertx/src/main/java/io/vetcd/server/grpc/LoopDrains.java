package io.vetcd.server.grpc;

import io.vertx.core.Context;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The drains of every watch stream of one Vert.x context, run in one task of its event loop.
 *
 * <p>A put watched from 100 streams of one connection hands events to 100 streams at once; each stream
 * scheduling its own task cost a context dispatch per stream, and the last stream's events left one
 * hundred tasks after the first. Here the writer queues the streams' drains and schedules at most one
 * task, which runs every drain queued until then, in the order queued (a stream's own order is kept by
 * the stream: it queues itself once until its drain starts).
 *
 * <p>Any thread may {@link #schedule}; drains run on the context. One per context, kept in the context's
 * data ({@link #of}), so it goes away with the context.
 */
final class LoopDrains {
    private static final String KEY = LoopDrains.class.getName();

    private final Context context;
    private final ConcurrentLinkedQueue<Runnable> queued = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean taskScheduled = new AtomicBoolean();

    private LoopDrains(Context context) {
        this.context = context;
    }

    /** The drains of {@code context} (call on it). */
    static LoopDrains of(Context context) {
        LoopDrains drains = context.get(KEY);
        if (drains == null) {
            drains = new LoopDrains(context);
            context.put(KEY, drains);
        }
        return drains;
    }

    /** Runs {@code drain} on the context soon, with every other drain queued by then. */
    void schedule(Runnable drain) {
        queued.add(drain);
        if (taskScheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> runQueued());
        }
    }

    private void runQueued() {
        taskScheduled.set(false); // a drain queued after this schedules another task
        Runnable drain;
        while ((drain = queued.poll()) != null) {
            drain.run();
        }
    }
}
