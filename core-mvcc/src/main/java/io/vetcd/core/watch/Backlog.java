package io.vetcd.core.watch;

import io.vetcd.core.mvcc.Change;
import io.vetcd.proto.mvccpb.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * The history one catch-up reads for every watcher of one key or range, as etcd's {@code syncWatchers}
 * reads the store once for its whole unsynced group: the changes from the oldest revision any of them
 * needs up to the writer's revision, turned into events once per kind of watch (its filters and
 * {@code prev_kv}), and sliced for each watcher from its own next revision.
 *
 * <p>Worked example: watchers A (next revision 7) and B (next revision 9) of key k, the writer at 10, k
 * changed at 7, 8 and 10. One read of [7, 10] gives the changes at 7, 8 and 10; A is sent all three, B
 * the slice from 10 on. With 1000 watchers of k, the history is walked and its events built once, not
 * 1000 times.
 *
 * <p>Writer only. The slices are {@link EventTail}s of lists shared by every watcher of the same kind:
 * never modified.
 */
final class Backlog {
    static final Backlog EMPTY = new Backlog(List.of());

    private final List<Change> changes;
    /** By kind (see {@link #kind}), built when a watcher of that kind first asks. */
    private final Selection[] selections = new Selection[8];

    /** @param changes in (main, sub) order */
    Backlog(List<Change> changes) {
        this.changes = changes;
    }

    /** The events {@code spec} reports from revision {@code next} on, in order: a tail of a list shared by its kind. */
    List<Event> from(WatchSpec spec, long next) {
        int kind = kind(spec);
        Selection s = selections[kind];
        if (s == null) {
            s = selections[kind] = new Selection(changes, spec);
        }
        return s.from(next);
    }

    private static int kind(WatchSpec spec) {
        return (spec.noPut() ? 1 : 0) | (spec.noDelete() ? 2 : 0) | (spec.prevKv() ? 4 : 0);
    }

    /** The events one kind of watch reports, and the revision of each (for the slicing). */
    private static final class Selection {
        final List<Event> events;
        final long[] revisions;
        /** {@link EventTail#bytesFrom} of {@link #events}, made when the first tail is. */
        private long[] bytesFrom;

        Selection(List<Change> changes, WatchSpec spec) {
            events = new ArrayList<>(changes.size());
            revisions = new long[changes.size()];
            for (Change c : changes) {
                if (c.isDelete() ? spec.noDelete() : spec.noPut()) {
                    continue;
                }
                revisions[events.size()] = c.main();
                events.add(spec.prevKv() ? c.withPrevKv() : c.event());
            }
        }

        /** The events at or above {@code next}: a binary search for the first. */
        List<Event> from(long next) {
            int low = 0;
            int high = events.size();
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (revisions[mid] < next) {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            if (bytesFrom == null) {
                bytesFrom = EventTail.bytesFrom(events);
            }
            return new EventTail(events, bytesFrom, low);
        }
    }
}
