package io.vetcd.core.mvcc;

import static io.vetcd.core.KvTestSupport.bs;
import static io.vetcd.core.KvTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.ByteString;
import io.vetcd.proto.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ordered key index: single keys, [key, end), from-key, prefixes, empty intervals, byte order. */
class RevisionIndexTest {
    private RevisionIndex index;
    private long rev;

    private void put(ByteString key, String value) {
        rev++;
        KeyValue prev = index.get(key.toByteArray(), rev);
        KeyValue kv = KeyValue.newBuilder().setKey(key).setValue(bs(value))
                .setCreateRevision(prev == null ? rev : prev.getCreateRevision()).setModRevision(rev)
                .setVersion(prev == null ? 1 : prev.getVersion() + 1).build();
        index.put(key.toByteArray(), index.history(key.toByteArray()), rev, 0, kv);
    }

    private void tombstone(ByteString key) {
        rev++;
        index.tombstone(key.toByteArray(), rev, 0);
    }

    private List<ByteString> keysOf(RangeResult r) {
        List<ByteString> out = new ArrayList<>();
        for (KeyValue kv : r.kvs()) {
            out.add(kv.getKey());
        }
        return out;
    }

    private RangeResult range(ByteString key, ByteString end) {
        return index.range(KeyRange.of(key, end), rev, 0, rev);
    }

    @BeforeEach
    void fill() {
        index = new RevisionIndex();
        rev = 1;
        for (String k : List.of("a", "ab", "abc", "b", "c", "d")) {
            put(bs(k), "v-" + k);
        }
    }

    @Test
    void singleKey() {
        RangeResult r = range(bs("ab"), ByteString.EMPTY);
        assertEquals(List.of(bs("ab")), keysOf(r));
        assertEquals(1, r.count());
        assertEquals(0, range(bs("zz"), ByteString.EMPTY).count(), "missing key");
        assertEquals(0, range(bs("a\0"), ByteString.EMPTY).count(), "no prefix matching for a single key");
    }

    @Test
    void halfOpenIntervalExcludesTheEnd() {
        assertEquals(List.of(bs("a"), bs("ab"), bs("abc")), keysOf(range(bs("a"), bs("b"))));
        assertEquals(List.of(bs("ab"), bs("abc"), bs("b")), keysOf(range(bs("ab"), bs("b\0"))));
    }

    @Test
    void nulRangeEndReadsEverythingFromKey() {
        assertEquals(List.of(bs("b"), bs("c"), bs("d")), keysOf(range(bs("b"), bytes(0))));
        assertEquals(List.of(bs("b"), bs("c"), bs("d")), keysOf(range(bs("ac"), bytes(0))),
                "a from-key start need not be an existing key");
        assertEquals(6, range(bytes(0), bytes(0)).count(), "\\0 .. \\0 is every key");
    }

    @Test
    void prefixEndSelectsThePrefix() {
        // The prefix end of "ab" is "ac" (last byte + 1), as clientv3.GetPrefixRangeEnd computes it.
        assertEquals(List.of(bs("ab"), bs("abc")), keysOf(range(bs("ab"), bs("ac"))));
    }

    @Test
    void rangeEndAtOrBelowKeyIsEmpty() {
        assertEquals(0, range(bs("c"), bs("c")).count());
        assertEquals(0, range(bs("c"), bs("a")).count());
        assertEquals(List.of(), range(bs("c"), bs("a")).kvs());
    }

    @Test
    void keysOrderAsUnsignedBytes() {
        index = new RevisionIndex();
        rev = 1;
        put(bytes(0xFF), "ff");
        put(bytes(0x7F), "7f");
        put(bytes(0x80), "80");
        put(bytes(0x00), "00");
        put(bytes(0x7F, 0xFF), "7fff");
        RangeResult all = range(bytes(0), bytes(0));
        assertEquals(List.of(bytes(0x00), bytes(0x7F), bytes(0x7F, 0xFF), bytes(0x80), bytes(0xFF)), keysOf(all));
        assertEquals(List.of(bytes(0x80), bytes(0xFF)), keysOf(range(bytes(0x80), bytes(0))),
                "0xFF is above 0x80, not below it as a signed byte would be");
        assertEquals(List.of(bytes(0x7F), bytes(0x7F, 0xFF)), keysOf(range(bytes(0x7F), bytes(0x80))));
    }

    @Test
    void limitCapsValuesButCountCoversTheWholeRange() {
        RangeResult r = index.range(KeyRange.of(bs("a"), bytes(0)), rev, 2, rev);
        assertEquals(List.of(bs("a"), bs("ab")), keysOf(r));
        assertEquals(6, r.count());
        assertEquals(rev, r.revision());
        assertEquals(6, index.count(KeyRange.of(bs("a"), bytes(0)), rev));
    }

    @Test
    void readsAtAnOlderRevisionSeeOnlyWhatExistedThen() {
        long before = rev;
        put(bs("b"), "b2");
        tombstone(bs("c"));
        assertEquals("v-b", index.get(bs("b").toByteArray(), before).getValue().toStringUtf8());
        assertEquals("b2", index.get(bs("b").toByteArray(), rev).getValue().toStringUtf8());
        assertEquals("v-c", index.get(bs("c").toByteArray(), before).getValue().toStringUtf8());
        assertNull(index.get(bs("c").toByteArray(), rev));
        assertEquals(6, index.count(KeyRange.of(bs("a"), bytes(0)), before));
        assertEquals(5, index.count(KeyRange.of(bs("a"), bytes(0)), rev));
        assertEquals(1, index.count(KeyRange.of(bs("a"), bytes(0)), 2), "only \"a\" existed at revision 2");
    }

    @Test
    void liveValuesSkipTombstones() {
        tombstone(bs("ab"));
        List<KeyValue> live = index.liveValues(KeyRange.of(bs("a"), bs("b")), rev);
        assertEquals(List.of(bs("a"), bs("abc")), live.stream().map(KeyValue::getKey).toList());
    }

    @Test
    void compactionRemovesKeysWhoseNewestVersionIsACompactedTombstone() {
        tombstone(bs("ab"));
        long deletedAt = rev;
        put(bs("b"), "b2");
        assertEquals(6, index.retainedKeys());
        List<Long> dropped = new ArrayList<>();
        index.compact(deletedAt - 1, (key, v) -> dropped.add(v.main));
        assertEquals(6, index.retainedKeys(), "the tombstone is above the compaction point");
        assertEquals(List.of(), dropped, "every key has one version at or below the compaction point");
        index.compact(deletedAt, (key, v) -> dropped.add(v.main));
        assertEquals(5, index.retainedKeys(), "\"ab\" is gone");
        assertEquals(2, dropped.size(), "\"ab\"'s put and its tombstone, nothing else: " + dropped);
        assertTrue(dropped.contains(deletedAt));
        assertEquals("b2", index.get(bs("b").toByteArray(), rev).getValue().toStringUtf8());
        assertEquals("v-b", index.get(bs("b").toByteArray(), deletedAt).getValue().toStringUtf8(),
                "the version visible at the compaction revision is kept");
    }
}
