package io.vetcd.core.mvcc;

import static io.vetcd.core.KvTestSupport.bs;
import static io.vetcd.core.KvTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

/** How key + range_end name keys (etcd's mkGteRange and the treeIndex range rules). */
class KeyRangeTest {
    @Test
    void emptyRangeEndIsASingleKey() {
        KeyRange r = KeyRange.of(bs("a"), ByteString.EMPTY);
        assertTrue(r.isSingleKey());
        assertNull(r.end());
        assertFalse(r.isEmpty());
        assertFalse(r.isUnbounded());
        assertTrue(KeyRange.single(bs("a")).isSingleKey());
    }

    @Test
    void nulRangeEndMeansEveryKeyFromKey() {
        KeyRange r = KeyRange.of(bs("b"), bytes(0));
        assertFalse(r.isSingleKey());
        assertTrue(r.isUnbounded());
        assertFalse(r.isEmpty());
        assertArrayEquals(bs("b").toByteArray(), r.start());
    }

    @Test
    void nulKeyWithNulRangeEndIsUnbounded() {
        KeyRange r = KeyRange.of(bytes(0), bytes(0));
        assertTrue(r.isUnbounded());
        assertFalse(r.isEmpty());
    }

    @Test
    void otherRangeEndIsHalfOpenInterval() {
        KeyRange r = KeyRange.of(bs("a"), bs("c"));
        assertFalse(r.isSingleKey());
        assertFalse(r.isUnbounded());
        assertFalse(r.isEmpty());
    }

    @Test
    void rangeEndAtOrBelowKeyIsEmpty() {
        assertTrue(KeyRange.of(bs("b"), bs("b")).isEmpty(), "range_end == key");
        assertTrue(KeyRange.of(bs("b"), bs("a")).isEmpty(), "range_end < key");
        assertTrue(KeyRange.of(bs("b"), bytes(0, 0)).isEmpty(), "\"\\0\\0\" is not the from-key marker");
    }

    @Test
    void emptinessComparesUnsignedBytes() {
        // 0xFF sorts after 0x7F as an unsigned byte; as a signed byte it would sort before.
        assertFalse(KeyRange.of(bytes(0x7F), bytes(0xFF)).isEmpty());
        assertTrue(KeyRange.of(bytes(0xFF), bytes(0x7F)).isEmpty());
        assertFalse(KeyRange.of(bytes(0x01), bytes(0x80)).isEmpty());
    }

    @Test
    void rangesNamingTheSameKeysTheSameWayAreEqual() {
        // what groups a watch hub's catching-up watchers: separate requests, equal ranges
        assertEquals(KeyRange.of(bs("a"), bs("c")), KeyRange.of(bs("a"), bs("c")));
        assertEquals(KeyRange.of(bs("a"), bs("c")).hashCode(), KeyRange.of(bs("a"), bs("c")).hashCode());
        assertEquals(KeyRange.of(bs("a"), bytes(0)), KeyRange.of(bs("a"), bytes(0)), "from-key");
        assertEquals(KeyRange.single(bs("a")), KeyRange.of(bs("a"), ByteString.EMPTY));
        assertNotEquals(KeyRange.of(bs("a"), bytes(0)), KeyRange.single(bs("a")), "from-key is not the single key");
        assertNotEquals(KeyRange.of(bs("a"), bs("c")), KeyRange.of(bs("a"), bs("d")));
        assertNotEquals(KeyRange.of(bs("a"), bs("c")), KeyRange.of(bs("b"), bs("c")));
    }
}
