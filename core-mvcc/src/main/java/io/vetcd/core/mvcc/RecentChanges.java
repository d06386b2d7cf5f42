package io.vetcd.core.mvcc;

import java.util.Arrays;

/**
 * The {@link Change}s history reads built last, by revision, so that one revision's change, and the
 * event messages it builds, is one object however many catch-ups read it.
 *
 * <p>Why: watchers that fall behind are caught up in groups, each group reading the history it missed
 * ({@link MvccStore#history}). In the watch fan-out benchmark (10,000 watchers of one key, 1000 puts/s)
 * some 30,000 groups a run each read the last ~50 revisions: 1.5M changes, and as many events built by
 * the writer and encoded by the server, for 2000 revisions. With the changes shared, each event is built
 * once for all the catch-ups, and the server, which keeps what it encoded by event
 * ({@code SharedEventsBody}), encodes it once.
 *
 * <p>A direct-mapped table of {@value #SLOTS} slots: revision (main, sub) goes to one slot, replacing what
 * was there. Worked example: puts at revisions 100, 101 and 4196 (sub 0) land in slots 100, 101 and 100:
 * the change at 4196 replaces the one at 100, which is built anew if read again. A committed revision
 * names one change forever, so a change found in its slot is the one that would be built (an aborted
 * txn's revision is {@link #remove}d, as the next write reuses it); {@link #clear()} at each compaction
 * keeps the table from holding values the store has let go of.
 *
 * <p>Writer only.
 */
final class RecentChanges {
    private static final int SLOTS = 4096;
    private final Change[] slots = new Change[SLOTS];

    /** The change built at (main, sub), or null. */
    Change get(long main, int sub) {
        Change c = slots[slot(main, sub)];
        return c != null && c.main() == main && c.sub() == sub ? c : null;
    }

    void put(Change c) {
        slots[slot(c.main(), c.sub())] = c;
    }

    /** Forgets the change at (main, sub): an aborted txn's revision, which the next write takes again. */
    void remove(long main, int sub) {
        if (get(main, sub) != null) {
            slots[slot(main, sub)] = null;
        }
    }

    void clear() {
        Arrays.fill(slots, null);
    }

    /** Consecutive revisions of one write each take consecutive slots; a txn's writes spread by sub. */
    private static int slot(long main, int sub) {
        return (int) (main + sub * 0x9E3779B9L) & (SLOTS - 1);
    }
}
