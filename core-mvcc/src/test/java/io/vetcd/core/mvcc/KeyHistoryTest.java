package io.vetcd.core.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetcd.proto.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One key's version list: which version a read at revision R sees, and what compaction keeps
 * (the newest version at or below the compaction revision, unless that version is a tombstone).
 */
class KeyHistoryTest {
    private static final ByteString KEY = ByteString.copyFromUtf8("a");

    private static KeyValue kv(String value, long create, long mod, long version) {
        return KeyValue.newBuilder().setKey(KEY).setValue(ByteString.copyFromUtf8(value))
                .setCreateRevision(create).setModRevision(mod).setVersion(version).build();
    }

    /** The Javadoc's worked example: put at 2, put at 5, deleted at 7, put again at 9. */
    private static KeyHistory example() {
        KeyHistory h = new KeyHistory(new KeyHistory.Version(2, 0, kv("v1", 2, 2, 1), null));
        h.prepend(5, 0, kv("v2", 2, 5, 2));
        h.prepend(7, 0, null);
        h.prepend(9, 0, kv("v1", 9, 9, 1));
        return h;
    }

    private static List<Long> retainedMains(KeyHistory h) {
        List<Long> out = new ArrayList<>();
        for (KeyHistory.Version v = h.newest(); v != null; v = v.next) {
            out.add(v.main);
        }
        return out;
    }

    /** Compacts {@code h} at {@code revision}; returns the main revisions it dropped, in the order told. */
    private static List<Long> compact(KeyHistory h, long revision, boolean expectEmptied) {
        List<Long> dropped = new ArrayList<>();
        assertEquals(expectEmptied, h.compact(revision, v -> dropped.add(v.main)));
        return dropped;
    }

    @Test
    void readsTheNewestVersionAtOrBelowTheRevision() {
        KeyHistory h = example();
        assertNull(h.valueAt(1), "nothing written at 1");
        assertEquals("v1", h.valueAt(2).getValue().toStringUtf8());
        assertEquals(2, h.valueAt(4).getModRevision());
        assertEquals(5, h.valueAt(5).getModRevision());
        assertEquals(5, h.valueAt(6).getModRevision());
        assertEquals(9, h.valueAt(9).getModRevision());
        assertEquals(9, h.valueAt(1000).getModRevision());
    }

    @Test
    void tombstoneHidesTheKeyUntilTheNextPut() {
        KeyHistory h = example();
        assertNull(h.valueAt(7), "deleted at 7");
        assertNull(h.valueAt(8), "still deleted at 8");
        assertTrue(h.at(8).isTombstone(), "at() exposes the tombstone itself");
        assertEquals(9, h.valueAt(9).getCreateRevision(), "recreated key");
    }

    @Test
    void compactionKeepsTheNewestVersionAtOrBelowTheRevision() {
        KeyHistory h = example();
        assertEquals(List.of(2L), compact(h, 6, false));
        assertEquals(List.of(9L, 7L, 5L), retainedMains(h), "[2] is cut, [5] is what a read at 6 sees");
        assertEquals(5, h.valueAt(6).getModRevision(), "a read at the compaction revision still works");
    }

    @Test
    void compactionAtAVersionsOwnRevisionKeepsThatVersion() {
        KeyHistory h = example();
        assertEquals(List.of(2L), compact(h, 5, false));
        assertEquals(List.of(9L, 7L, 5L), retainedMains(h));
    }

    @Test
    void compactionDropsATombstoneThatIsTheNewestVersionAtOrBelowTheRevision() {
        KeyHistory h = example();
        assertEquals(List.of(7L, 5L, 2L), compact(h, 8, false), "a newer version (9) remains, so the key stays");
        assertEquals(List.of(9L), retainedMains(h), "the tombstone at 7 and everything under it go");
        assertNull(h.valueAt(8));
        assertEquals(9, h.valueAt(9).getModRevision());
    }

    @Test
    void compactionOfAKeyWhoseNewestVersionIsATombstoneEmptiesIt() {
        KeyHistory h = new KeyHistory(new KeyHistory.Version(2, 0, kv("x", 2, 2, 1), null));
        h.prepend(3, 0, null);
        assertEquals(List.of(), compact(h, 2, false), "at 2 the key is still live");
        assertEquals(List.of(3L, 2L), compact(h, 3, true),
                "nothing at or after 3 can see this key: it must leave the index");
    }

    @Test
    void compactionBelowEveryVersionKeepsEverything() {
        KeyHistory h = example();
        assertEquals(List.of(), compact(h, 1, false));
        assertEquals(List.of(9L, 7L, 5L, 2L), retainedMains(h));
    }

    @Test
    void compactionAboveEveryVersionKeepsOnlyTheNewestLiveVersion() {
        KeyHistory h = example();
        assertEquals(List.of(7L, 5L, 2L), compact(h, 100, false));
        assertEquals(List.of(9L), retainedMains(h));
        assertEquals(9, h.valueAt(100).getModRevision());
    }

    @Test
    void prependMakesTheNewVersionTheNewest() {
        KeyHistory h = example();
        KeyValue v = kv("v3", 9, 11, 2);
        h.prepend(11, 0, v);
        assertSame(v, h.newest().kv);
        assertEquals(9, h.valueAt(10).getModRevision(), "readers below 11 do not see the new version");
    }
}
