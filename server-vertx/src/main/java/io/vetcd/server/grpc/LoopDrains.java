package io.vetcd.server.grpc;

import io.vertx.core.Context;
import io.vetcd.proto.etcdserverpb.ResponseHeader;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongFunction;

/**
 * The drains of every watch stream of one Vert.x context, run in one task of its event loop.
 *
 * <p>A put watched from 100 streams of one connection hands events to 100 streams at once; each stream
 * scheduling its own task cost a context dispatch per stream, and the last stream's events left one
 * hundred tasks after the first. Here the writer queues the streams' drains and schedules at most one
 * task, which runs every drain queued until then, in the order queued (a stream's own order is kept by
 * the stream: it queues itself once until its drain starts).
 *
 * <p>The streams of the context also share one {@link SharedEventsBody}: a put watched from 100 streams
 * is encoded once for all of them, not once per stream, and the header of its revision likewise. When a
 * task ends, {@link SharedEventsBody#forget} drops what it no longer needs ({@link #encodingDone} outside
 * a task).
 *
 * <p>Any thread may {@link #schedule}; drains run on the context. One per context, kept in the context's
 * data ({@link #of}), so it goes away with the context.
 */
final class LoopDrains {
    private static final String KEY = LoopDrains.class.getName();

    private final Context context;
    private final ConcurrentLinkedQueue<Runnable> queued = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean taskScheduled = new AtomicBoolean();
    /** Context only. */
    private final SharedEventsBody encoding;
    private boolean running;

    private LoopDrains(Context context, LongFunction<ResponseHeader> headers) {
        this.context = context;
        this.encoding = new SharedEventsBody(headers);
    }

    /**
     * The drains of {@code context} (call on it); {@code headers} makes its streams' response headers.
     * The first caller's {@code headers} stays: every stream of a context belongs to one server, as each
     * server has a Vert.x instance of its own.
     */
    static LoopDrains of(Context context, LongFunction<ResponseHeader> headers) {
        LoopDrains drains = context.get(KEY);
        if (drains == null) {
            drains = new LoopDrains(context, headers);
            context.put(KEY, drains);
        }
        return drains;
    }

    /** The encoder the context's streams share (context only). */
    SharedEventsBody encoding() {
        return encoding;
    }

    /** Context: a drain is over; the encoder forgets now, or at the end of the running task. */
    void encodingDone() {
        if (!running) {
            encoding.forget();
        }
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
        running = true;
        try {
            Runnable drain;
            while ((drain = queued.poll()) != null) {
                drain.run();
            }
        } finally {
            running = false;
            encoding.forget();
        }
    }
}
