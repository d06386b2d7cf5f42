package io.vetcd.core.mvcc;

import io.vetcd.proto.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiConsumer;

/**
 * Every key's {@link KeyHistory}, ordered as unsigned bytes in a {@link ConcurrentSkipListMap}.
 *
 * <p>Readers call {@link #get}, {@link #range} and {@link #count} from any thread without locks; they
 * pass the revision they read at and see nothing written above it. Only the writer (the holder of the
 * {@code Applier}'s lock, one thread at a time) calls the
 * mutators ({@link #put}, {@link #tombstone}, {@link #compact}), so two mutations never race; a key
 * enters the map with its first version already in place and leaves it only when compaction finds
 * nothing of it left to read.
 */
final class RevisionIndex {
    private final ConcurrentSkipListMap<byte[], KeyHistory> keys =
            new ConcurrentSkipListMap<>(Arrays::compareUnsigned);

    KeyValue get(byte[] key, long revision) {
        KeyHistory history = keys.get(key);
        return history == null ? null : history.valueAt(revision);
    }

    /**
     * The live values of {@code range} at {@code revision}, in key order.
     *
     * @param limit at most this many values are collected (0 or less: all); the count covers the whole range
     */
    RangeResult range(KeyRange range, long revision, long limit, long currentRevision) {
        if (range.isSingleKey()) {
            KeyValue kv = get(range.start(), revision);
            return kv == null ? new RangeResult(List.of(), 0, currentRevision)
                    : new RangeResult(List.of(kv), 1, currentRevision);
        }
        List<KeyValue> kvs = new ArrayList<>();
        long count = 0;
        for (KeyHistory history : histories(range)) {
            KeyValue kv = history.valueAt(revision);
            if (kv != null) {
                if (limit <= 0 || count < limit) {
                    kvs.add(kv);
                }
                count++;
            }
        }
        return new RangeResult(kvs, count, currentRevision);
    }

    long count(KeyRange range, long revision) {
        if (range.isSingleKey()) {
            return get(range.start(), revision) == null ? 0 : 1;
        }
        long count = 0;
        for (KeyHistory history : histories(range)) {
            if (history.valueAt(revision) != null) {
                count++;
            }
        }
        return count;
    }

    /** The live values of a multi-key range at {@code revision} (writer: the keys a delete removes). */
    List<KeyValue> liveValues(KeyRange range, long revision) {
        return range(range, revision, 0, revision).kvs();
    }

    private Collection<KeyHistory> histories(KeyRange range) {
        if (range.isEmpty()) {
            return List.of();
        }
        Map<byte[], KeyHistory> view = range.isUnbounded()
                ? keys.tailMap(range.start(), true)
                : keys.subMap(range.start(), true, range.end(), false);
        return view.values();
    }

    /** The key's history, or null if the index holds none: a writer looks a key up once per put. */
    KeyHistory history(byte[] key) {
        return keys.get(key);
    }

    /**
     * Writer only: {@code kv} becomes the newest version of its key at (main, sub), a tombstone when
     * null. {@code history} is {@link #history}{@code (key)}, looked up by the caller (null: a key the
     * index does not hold yet). Returns the new version.
     */
    KeyHistory.Version put(byte[] key, KeyHistory history, long main, int sub, KeyValue kv) {
        if (history == null) {
            KeyHistory.Version v = new KeyHistory.Version(main, sub, kv, null);
            keys.put(key, new KeyHistory(v));
            return v;
        }
        return history.prepend(main, sub, kv);
    }

    /** Writer only: the key is deleted at (main, sub); it must be live. Returns the tombstone. */
    KeyHistory.Version tombstone(byte[] key, long main, int sub) {
        return keys.get(key).prepend(main, sub, null);
    }

    /**
     * Writer only: undoes the newest version of {@code key} if it was written at {@code main}; returns
     * it, or null if there was none.
     */
    KeyHistory.Version dropNewest(byte[] key, long main) {
        KeyHistory history = keys.get(key);
        if (history == null || history.newest().main != main) {
            return null;
        }
        KeyHistory.Version dropped = history.newest();
        if (history.dropNewest()) {
            keys.remove(key);
        }
        return dropped;
    }

    /**
     * Writer only: drop every version no read at or above {@code revision} can see, handing each
     * dropped version and its key to {@code dropped}.
     */
    void compact(long revision, BiConsumer<byte[], KeyHistory.Version> dropped) {
        keys.entrySet().removeIf(e -> e.getValue().compact(revision, v -> dropped.accept(e.getKey(), v)));
    }

    /** Writer only (a consistent walk): each key of {@code range} with its history, in key order. */
    void forEachHistory(KeyRange range, BiConsumer<byte[], KeyHistory> action) {
        if (range.isSingleKey()) {
            KeyHistory history = keys.get(range.start());
            if (history != null) {
                action.accept(range.start(), history);
            }
            return;
        }
        if (range.isEmpty()) {
            return;
        }
        (range.isUnbounded() ? keys.tailMap(range.start(), true) : keys.subMap(range.start(), true, range.end(), false))
                .forEach(action);
    }

    /** Writer only (a consistent walk): every key with its history, in key order. */
    void forEachKey(BiConsumer<byte[], KeyHistory> action) {
        keys.forEach(action);
    }

    /** Writer only (a consistent walk): every retained version of every key, keys in order, newest first. */
    void forEachVersion(BiConsumer<byte[], KeyHistory.Version> action) {
        keys.forEach((key, history) -> history.forEach(v -> action.accept(key, v)));
    }

    /** Number of keys with any retained version (live or not); for tests and metrics. */
    int retainedKeys() {
        return keys.size();
    }
}
