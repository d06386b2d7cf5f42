package io.vetcd.server.grpc;

import io.vetcd.core.watch.WatchSink;
import io.vetcd.core.watch.Watcher;
import io.vetcd.proto.etcdserverpb.WatchCreateRequest;
import io.vetcd.proto.mvccpb.Event;
import java.util.List;

/**
 * One watch of a {@link WatchStream}: the sink the core delivers to, and what the stream knows of it.
 *
 * <p>Threading: {@link #events} and {@link #compacted} are called by the store's writer (any thread,
 * one call at a time per watcher); they only hand over to the stream, never block. {@link #paused} is
 * set by the writer and cleared by the stream's context before it calls {@link Watcher#resume()}; the
 * core delivers nothing to a paused watcher until then. {@link #resuming} is set by the context before
 * that call and cleared by the writer's next offer. Every other field belongs to the stream's context.
 */
final class StreamWatcher implements WatchSink {
    final long id;
    final boolean progressNotify;
    final boolean fragment;
    private final WatchStream stream;
    /** The core's handle; null until the registration completes (the sink may be called before that). */
    Watcher handle;
    /**
     * Canceled by the client, compacted (its id stays taken until the client cancels it, as in etcd), or
     * the stream closed: whatever is still queued for it is dropped.
     */
    volatile boolean canceled;
    /** Refused events the core will send again after {@link Watcher#resume()}. */
    volatile boolean paused;
    /**
     * Resumed, and not offered events since: its catch-up may take the room of an overloaded stream (if
     * the catch-up had nothing to send, its next live events may, once).
     */
    volatile boolean resuming;
    /** Context only ({@link System#nanoTime()}): an overloaded stream resumes it no sooner than this. */
    long nextTurnNanos = System.nanoTime();
    /** No events sent since the last progress tick: etcd sends a progress notification only then. */
    boolean quietSinceTick = true;

    StreamWatcher(long id, WatchCreateRequest request, WatchStream stream) {
        this.id = id;
        this.progressNotify = request.getProgressNotify();
        this.fragment = request.getFragment();
        this.stream = stream;
    }

    @Override
    public boolean events(List<Event> events, long revision) {
        if (canceled) {
            return true; // taken and dropped: the core is told of the cancel separately
        }
        if (!stream.offer(this, events, revision)) {
            paused = true;
            stream.pausedBy(this);
            return false;
        }
        return true;
    }

    @Override
    public void compacted(long compactRevision, long revision) {
        if (!canceled) {
            stream.offerCompacted(this, compactRevision);
        }
    }

    /** Context only: whether every event up to the store's revision has been handed to the stream. */
    boolean isSynced() {
        return handle != null && !paused && handle.isSynced();
    }
}
