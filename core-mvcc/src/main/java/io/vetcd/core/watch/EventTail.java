package io.vetcd.core.watch;

import io.vetcd.proto.mvccpb.Event;
import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * The events a catch-up hands one watcher: the tail of a list shared by every watcher of its key or range
 * that caught up in the same round ({@link Backlog}), from {@link #from()} to the end.
 *
 * <p>A sink may use the sharing: encode {@link #whole()} once, then send each watcher its tail as one
 * copy. Worked example: 128 watchers of key k catch up together, the backlog holds revisions 40-79 of k
 * (40 events); watcher A missed 40-79 and gets the tail from 0, watcher B missed 70-79 and gets the tail
 * from 30. The server encodes the 40 events once, and A's response copies all of them in one piece, B's
 * the last 10.
 *
 * <p>Immutable: the whole list is never modified.
 */
public final class EventTail extends AbstractList<Event> implements RandomAccess {
    private final List<Event> whole;
    private final int from;
    /** Shared with the other tails of {@code whole}: element i is the serialized size of events i to the end. */
    private final long[] bytesFrom;

    /** @param bytesFrom {@code whole}'s suffix sums of serialized sizes ({@link #bytesFrom(List)}) */
    EventTail(List<Event> whole, long[] bytesFrom, int from) {
        if (from < 0 || from > whole.size() || bytesFrom.length != whole.size() + 1) {
            throw new IndexOutOfBoundsException("tail from " + from + " of " + whole.size() + " events");
        }
        this.whole = whole;
        this.bytesFrom = bytesFrom;
        this.from = from;
    }

    /** The tail of {@code whole} from index {@code from} (a catch-up's tails share their size sums instead). */
    public static EventTail of(List<Event> whole, int from) {
        return new EventTail(whole, bytesFrom(whole), from);
    }

    /** What {@link EventTail}s of {@code whole} share: the serialized size of its events from each index on. */
    static long[] bytesFrom(List<Event> whole) {
        long[] bytes = new long[whole.size() + 1];
        for (int i = whole.size() - 1; i >= 0; i--) {
            bytes[i] = bytes[i + 1] + whole.get(i).getSerializedSize();
        }
        return bytes;
    }

    /** The list shared by the watchers that caught up together; the same object for all of them. */
    public List<Event> whole() {
        return whole;
    }

    /** The sum of this tail's events' serialized sizes, without walking them. */
    public long serializedSize() {
        return bytesFrom[from];
    }

    /** Where this watcher's events start in {@link #whole()}. */
    public int from() {
        return from;
    }

    @Override
    public Event get(int index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException(index);
        }
        return whole.get(from + index);
    }

    @Override
    public int size() {
        return whole.size() - from;
    }
}
