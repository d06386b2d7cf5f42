package io.vetcd.core.watch;

import io.vetcd.proto.mvccpb.Event;
import java.util.List;

/**
 * Where a watcher's events go (a gRPC stream in the server). Called by the writer, so it must never
 * block: it queues what it is given and returns. The calls of all sinks are made one at a time, in rounds
 * ({@link io.vetcd.core.KvStore#onWatchRoundEnd}): a sink may hold what it is given until its round ends.
 */
public interface WatchSink {
    /**
     * The next events of the watch, in revision order, every matching event of each revision included,
     * none repeated and none skipped.
     *
     * @param revision the store's revision when they were sent (etcd's response header revision)
     * @return false when the sink cannot take more for now: these events were NOT taken; the watcher
     *         stops receiving until {@link Watcher#resume()}, then catches up from history, starting at
     *         the first of these events
     */
    boolean events(List<Event> events, long revision);

    /**
     * The watch's start revision (or the next event it needs, after falling behind) was compacted away:
     * the watcher is canceled, as etcd cancels it with {@code compact_revision} set.
     */
    void compacted(long compactRevision, long revision);
}
