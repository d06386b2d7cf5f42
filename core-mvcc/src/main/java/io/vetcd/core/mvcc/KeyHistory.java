package io.vetcd.core.mvcc;

import io.vetcd.proto.mvccpb.KeyValue;
import java.util.function.Consumer;

/**
 * Every retained version of one key, newest first, readable without locks at any revision.
 *
 * <p>The single writer only ever <em>prepends</em> a version (a volatile write of {@link #head}) and,
 * during compaction, cuts the list after the version it keeps (a volatile write of a {@code next}).
 * A reader at revision R walks from the head and takes the first version whose main revision is
 * {@code <= R}. Worked example, key "a" put at 2, put at 5, deleted at 7, put again at 9:
 *
 * <pre>
 *   head → [9 put v1] → [7 tombstone] → [5 put v2] → [2 put v1]
 *   read at 8 → tombstone → absent;  read at 6 → version 2;  read at 1 → nothing → absent
 * </pre>
 *
 * Compacting at 6 keeps [9], [7] and [5] (the newest version at or below 6) and cuts [2]; compacting
 * at 8 keeps [9] and drops [7] and below, because the newest version at or below 8 is a tombstone.
 * A version above the published revision is invisible to readers, which is what makes a multi-key
 * write appear all at once.
 */
final class KeyHistory {
    /** One version: a value, or a tombstone when {@code kv} is null. */
    static final class Version {
        final long main;
        final int sub;
        /** Null for a tombstone. */
        final KeyValue kv;
        volatile Version next;

        Version(long main, int sub, KeyValue kv, Version next) {
            this.main = main;
            this.sub = sub;
            this.kv = kv;
            this.next = next;
        }

        boolean isTombstone() {
            return kv == null;
        }

        /**
         * The key's value just before this version's main revision (a watcher's {@code prev_kv}, which
         * etcd reads at revision - 1): the first older version of another main revision, skipping the
         * ones a txn wrote before this one at the same revision; null if that is a tombstone or retains
         * nothing. In the class example, the version at 9 has no previous value (7 is a tombstone) and
         * the one at 5 has v1 (at 2).
         */
        KeyValue previousValue() {
            Version older = next;
            while (older != null && older.main == main) {
                older = older.next;
            }
            return older == null ? null : older.kv;
        }
    }

    private volatile Version head;

    KeyHistory(Version head) {
        this.head = head;
    }

    /** The version visible at {@code revision}, or null if there is none (never written, or compacted away). */
    Version at(long revision) {
        Version v = head;
        while (v != null && v.main > revision) {
            v = v.next;
        }
        return v;
    }

    /** The live value at {@code revision}, or null when the key is absent there. */
    KeyValue valueAt(long revision) {
        Version v = at(revision);
        return v == null ? null : v.kv;
    }

    Version newest() {
        return head;
    }

    /** Writer only: returns the new version. */
    Version prepend(long main, int sub, KeyValue kv) {
        Version v = new Version(main, sub, kv, head);
        head = v;
        return v;
    }

    /** Writer only: removes the newest version; returns true when none is left. */
    boolean dropNewest() {
        head = head.next;
        return head == null;
    }

    /**
     * Writer only: drop what no read at or above {@code compactRevision} can see; each dropped version
     * is handed to {@code dropped} (the backend forgets it too).
     *
     * @return true when nothing is left and the key must leave the index
     */
    boolean compact(long compactRevision, Consumer<Version> dropped) {
        Version keep = at(compactRevision);
        if (keep == null) {
            return false; // every version is newer than the compaction point
        }
        if (keep.isTombstone()) {
            if (keep == head) {
                forEachFrom(head, dropped);
                return true;
            }
            Version v = head;
            while (v.next != keep) {
                v = v.next;
            }
            v.next = null;
            forEachFrom(keep, dropped);
        } else {
            Version cut = keep.next;
            keep.next = null;
            forEachFrom(cut, dropped);
        }
        return false;
    }

    /** {@code action} for {@code first} and every older version after it. */
    private static void forEachFrom(Version first, Consumer<Version> action) {
        for (Version v = first; v != null; v = v.next) {
            action.accept(v);
        }
    }

    /** Every version, newest first (the writer's consistent walk: snapshots, hashes). */
    void forEach(Consumer<Version> action) {
        forEachFrom(head, action);
    }
}
