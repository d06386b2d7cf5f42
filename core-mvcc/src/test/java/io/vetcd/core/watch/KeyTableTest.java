package io.vetcd.core.watch;

import static io.vetcd.core.KvTestSupport.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The watch hub's key table against a {@code HashMap}: the same answers through growth and removals. */
class KeyTableTest {
    @Test
    void putGetAndRemove() {
        KeyTable<String> t = new KeyTable<>();
        assertTrue(t.isEmpty());
        assertNull(t.put(bs("a"), "1"));
        assertEquals("1", t.put(bs("a"), "2"));
        assertEquals("2", t.get(ByteString.copyFromUtf8("a")), "keys compare by content");
        assertTrue(t.mayContain(bs("a")));
        assertNull(t.get(bs("b")));
        t.remove(bs("b"));
        t.remove(bs("a"));
        assertNull(t.get(bs("a")));
        assertFalse(t.mayContain(bs("a")));
        assertTrue(t.isEmpty());
    }

    /**
     * A small key space, so many keys share home slots and removals shift runs of them back, across
     * growth from 16 slots to thousands; every lookup agrees with a {@code HashMap}, and
     * {@link KeyTable#mayContain} never misses a present key.
     */
    @Test
    void agreesWithAHashMapUnderRandomPutsAndRemovals() {
        KeyTable<Integer> t = new KeyTable<>();
        Map<ByteString, Integer> expected = new HashMap<>();
        Random random = new Random(5);
        for (int step = 0; step < 200_000; step++) {
            ByteString key = bs("k" + random.nextInt(step < 100_000 ? 3000 : 300));
            if (random.nextInt(3) == 0) {
                t.remove(key);
                expected.remove(key);
            } else {
                assertEquals(expected.put(key, step), t.put(key, step));
            }
            if (step % 1000 == 0) {
                for (int k = 0; k < 3000; k++) {
                    ByteString probe = bs("k" + k);
                    assertEquals(expected.get(probe), t.get(probe), "key " + probe.toStringUtf8());
                    if (expected.containsKey(probe)) {
                        assertTrue(t.mayContain(probe));
                    }
                }
            }
        }
        for (ByteString key : expected.keySet().toArray(ByteString[]::new)) {
            t.remove(key);
        }
        assertTrue(t.isEmpty());
    }

    /** 100k keys, then all but 10 removed: the table is back to a few slots and still answers right. */
    @Test
    void shrinksOnceMostKeysAreGone() {
        KeyTable<Integer> t = new KeyTable<>();
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            t.put(bs("k" + i), i);
        }
        assertEquals(262_144, t.slots());
        for (int i = 10; i < n; i++) {
            t.remove(bs("k" + i));
            if (i % 9_973 == 0) { // through several halvings: every key still there is found, the gone are not
                for (int k = 0; k < n; k += 97) {
                    assertEquals(k <= i && k >= 10 ? null : Integer.valueOf(k), t.get(bs("k" + k)), "key k" + k);
                }
            }
        }
        assertEquals(64, t.slots());
        for (int i = 0; i < 10; i++) {
            assertEquals(i, t.get(bs("k" + i)));
            assertTrue(t.mayContain(bs("k" + i)));
        }
        for (int i = 0; i < 10; i++) {
            t.remove(bs("k" + i));
        }
        assertTrue(t.isEmpty());
        assertEquals(16, t.slots());
    }
}
