package io.vetcd.core;

import static io.vetcd.core.KvTestSupport.assertEtcdError;
import static io.vetcd.core.KvTestSupport.bytes;
import static io.vetcd.core.KvTestSupport.delete;
import static io.vetcd.core.KvTestSupport.get;
import static io.vetcd.core.KvTestSupport.keys;
import static io.vetcd.core.KvTestSupport.newStore;
import static io.vetcd.core.KvTestSupport.put;
import static io.vetcd.core.KvTestSupport.range;
import static io.vetcd.core.KvTestSupport.rangeReq;
import static io.vetcd.core.KvTestSupport.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.proto.etcdserverpb.CompactionRequest;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest.SortOrder;
import io.vetcd.proto.etcdserverpb.RangeRequest.SortTarget;
import io.vetcd.proto.etcdserverpb.RangeResponse;
import io.vetcd.proto.mvccpb.KeyValue;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Range semantics of etcdserver/apply.go applierV3backend.Range and mvcc rangeKeys. */
class RangeTest {
    private final KvStore kv = newStore();

    /**
     * After setup:
     * <pre>
     *   key  value  create mod version
     *   a    3      2      6   2        (put a=1 at 2, a=3 at 6)
     *   b    2      3      3   1
     *   c    9      4      4   1
     *   d    0      5      8   3        (d=5 at 5, d=4 at 7, d=0 at 8)
     * </pre>
     */
    @BeforeEach
    void fill() {
        put(kv, "a", "1"); // 2
        put(kv, "b", "2"); // 3
        put(kv, "c", "9"); // 4
        put(kv, "d", "5"); // 5
        put(kv, "a", "3"); // 6
        put(kv, "d", "4"); // 7
        put(kv, "d", "0"); // 8
        assertEquals(8, kv.revision());
    }

    @AfterEach
    void close() {
        kv.close();
    }

    private RangeResponse all(RangeRequest.Builder b) {
        return kv.range(b.setKey(bytes(0)).setRangeEnd(bytes(0)).build());
    }

    @Test
    void singleKeyRange() {
        RangeResponse r = get(kv, "b");
        assertEquals(List.of("b"), keys(r));
        assertEquals(1, r.getCount());
        assertFalse(r.getMore());
        assertEquals(8, r.getHeader().getRevision());
        assertEquals(0, get(kv, "zz").getCount());
        assertEquals(0, get(kv, "zz").getKvsCount());
    }

    @Test
    void keyRangeFromKeyAndPrefix() {
        assertEquals(List.of("b", "c"), keys(range(kv, "b", "d")));
        assertEquals(List.of("b", "c", "d"), keys(range(kv, "b", "\0")));
        assertEquals(List.of("a", "b", "c", "d"), keys(range(kv, "\0", "\0")));
        put(kv, "ab", "x");
        put(kv, "abc", "x");
        assertEquals(List.of("ab", "abc"), keys(range(kv, "ab", "ac")), "prefix ab");
    }

    @Test
    void rangeEndAtOrBelowKeyIsEmpty() {
        RangeResponse r = range(kv, "c", "b");
        assertEquals(0, r.getCount());
        assertEquals(0, r.getKvsCount());
        assertEquals(0, range(kv, "c", "c").getCount());
    }

    @Test
    void keysAreOrderedAsUnsignedBytes() {
        put(kv, "\u007f", "x"); // 0x7F
        put(kv, PutRequest.newBuilder().setKey(bytes(0xFF)).build());
        put(kv, PutRequest.newBuilder().setKey(bytes(0x80)).build());
        RangeResponse r = kv.range(RangeRequest.newBuilder().setKey(bytes(0x7F)).setRangeEnd(bytes(0)).build());
        assertEquals(List.of(bytes(0x7F), bytes(0x80), bytes(0xFF)),
                r.getKvsList().stream().map(KeyValue::getKey).toList());
    }

    @Test
    void limitReturnsTheFirstKeysWithMoreAndTheFullCount() {
        RangeResponse r = all(RangeRequest.newBuilder().setLimit(2));
        assertEquals(List.of("a", "b"), keys(r));
        assertTrue(r.getMore());
        assertEquals(4, r.getCount(), "count covers the whole range, not the limit");
    }

    @Test
    void limitEqualToOrAboveTheCountHasNoMore() {
        assertFalse(all(RangeRequest.newBuilder().setLimit(4)).getMore());
        assertEquals(4, all(RangeRequest.newBuilder().setLimit(4)).getKvsCount());
        assertFalse(all(RangeRequest.newBuilder().setLimit(100)).getMore());
        assertEquals(4, all(RangeRequest.newBuilder().setLimit(-3)).getKvsCount(), "negative limit: no limit");
    }

    @Test
    void sortByKeyDescending() {
        assertEquals(List.of("d", "c", "b", "a"),
                keys(all(RangeRequest.newBuilder().setSortOrder(SortOrder.DESCEND))));
        assertEquals(List.of("a", "b", "c", "d"),
                keys(all(RangeRequest.newBuilder().setSortOrder(SortOrder.ASCEND))));
    }

    @Test
    void sortByEveryTarget() {
        assertEquals(List.of("d", "a", "b", "c"), keys(all(RangeRequest.newBuilder()
                .setSortTarget(SortTarget.VERSION).setSortOrder(SortOrder.DESCEND))), "versions 3,2,1,1");
        assertEquals(List.of("d", "c", "b", "a"), keys(all(RangeRequest.newBuilder()
                .setSortTarget(SortTarget.CREATE).setSortOrder(SortOrder.DESCEND))));
        assertEquals(List.of("b", "c", "a", "d"), keys(all(RangeRequest.newBuilder()
                .setSortTarget(SortTarget.MOD).setSortOrder(SortOrder.ASCEND))), "mods 3,4,6,8");
        assertEquals(List.of("0", "2", "3", "9"), values(all(RangeRequest.newBuilder()
                .setSortTarget(SortTarget.VALUE).setSortOrder(SortOrder.ASCEND))));
        assertEquals(List.of("9", "3", "2", "0"), values(all(RangeRequest.newBuilder()
                .setSortTarget(SortTarget.VALUE).setSortOrder(SortOrder.DESCEND))));
    }

    @Test
    void nonKeyTargetWithoutOrderSortsAscending() {
        assertEquals(List.of("0", "2", "3", "9"), values(all(RangeRequest.newBuilder()
                .setSortTarget(SortTarget.VALUE))));
        assertEquals(List.of("b", "c", "a", "d"), keys(all(RangeRequest.newBuilder()
                .setSortTarget(SortTarget.MOD))));
    }

    @Test
    void implicitAscendingSortWithALimitOnlySortsTheFirstLimitPlusOneKeys() {
        // apply.go decides "fetch everything" on the requested SortOrder (NONE here), so only limit + 1
        // keys are fetched in key order and then sorted by the implicit ASCEND. Checked against etcd
        // 3.4.23: p1=9, p2=8, p3=1; get p --prefix --sort-by=VALUE --limit=1 returns p2, while
        // --order=ASCEND returns p3.
        RangeResponse implicit = all(RangeRequest.newBuilder().setSortTarget(SortTarget.VALUE).setLimit(1));
        assertEquals(List.of("2"), values(implicit), "the smaller value of the first two keys (a=3, b=2)");
        RangeResponse explicit = all(RangeRequest.newBuilder().setSortTarget(SortTarget.VALUE)
                .setSortOrder(SortOrder.ASCEND).setLimit(1));
        assertEquals(List.of("0"), values(explicit), "the smallest value of all keys");
        assertTrue(implicit.getMore());
        assertEquals(4, implicit.getCount());
    }

    @Test
    void equalSortValuesKeepKeyOrderInBothDirections() {
        // b and c both have version 1; Go's sort.Sort on so few items is an insertion sort, which keeps
        // them in key order even under sort.Reverse (checked against etcd 3.4.23).
        assertEquals(List.of("b", "c", "a", "d"), keys(all(RangeRequest.newBuilder()
                .setSortTarget(SortTarget.VERSION).setSortOrder(SortOrder.ASCEND))));
        assertEquals(List.of("d", "a", "b", "c"), keys(all(RangeRequest.newBuilder()
                .setSortTarget(SortTarget.VERSION).setSortOrder(SortOrder.DESCEND))));
    }

    @Test
    void limitAppliesAfterSorting() {
        RangeResponse r = all(RangeRequest.newBuilder().setSortTarget(SortTarget.MOD)
                .setSortOrder(SortOrder.DESCEND).setLimit(2));
        assertEquals(List.of("d", "a"), keys(r), "the two most recently modified keys");
        assertTrue(r.getMore());
        assertEquals(4, r.getCount());
    }

    @Test
    void keysOnlyDropsValuesButKeepsMetadata() {
        RangeResponse r = all(RangeRequest.newBuilder().setKeysOnly(true));
        assertEquals(List.of("a", "b", "c", "d"), keys(r));
        for (KeyValue kv : r.getKvsList()) {
            assertTrue(kv.getValue().isEmpty());
        }
        KeyValue d = r.getKvs(3);
        assertEquals(5, d.getCreateRevision());
        assertEquals(8, d.getModRevision());
        assertEquals(3, d.getVersion());
    }

    @Test
    void countOnlyReturnsNoValuesAndNoMore() {
        RangeResponse r = all(RangeRequest.newBuilder().setCountOnly(true).setLimit(1));
        assertEquals(4, r.getCount());
        assertEquals(0, r.getKvsCount());
        assertFalse(r.getMore());
        assertEquals(8, r.getHeader().getRevision());
    }

    @Test
    void modRevisionFiltersKeepTheUnfilteredCount() {
        RangeResponse min = all(RangeRequest.newBuilder().setMinModRevision(6));
        assertEquals(List.of("a", "d"), keys(min));
        assertEquals(4, min.getCount(), "etcd counts before pruning");
        RangeResponse max = all(RangeRequest.newBuilder().setMaxModRevision(4));
        assertEquals(List.of("b", "c"), keys(max));
        assertEquals(4, max.getCount());
        assertEquals(List.of("a", "c"), keys(all(RangeRequest.newBuilder()
                .setMinModRevision(4).setMaxModRevision(6))), "still in key order");
    }

    @Test
    void createRevisionFilters() {
        assertEquals(List.of("c", "d"), keys(all(RangeRequest.newBuilder().setMinCreateRevision(4))));
        assertEquals(List.of("a", "b"), keys(all(RangeRequest.newBuilder().setMaxCreateRevision(3))));
        assertEquals(List.of("b"), keys(all(RangeRequest.newBuilder()
                .setMinCreateRevision(3).setMaxCreateRevision(3))));
        assertEquals(4, all(RangeRequest.newBuilder().setMinCreateRevision(100)).getCount());
    }

    @Test
    void filterThenLimitSetsMoreFromTheFilteredValues() {
        RangeResponse r = all(RangeRequest.newBuilder().setMinModRevision(4).setLimit(2));
        assertEquals(List.of("a", "c"), keys(r));
        assertTrue(r.getMore(), "three keys pass the filter");
        RangeResponse exact = all(RangeRequest.newBuilder().setMinModRevision(6).setLimit(2));
        assertFalse(exact.getMore(), "exactly two pass");
        assertEquals(4, exact.getCount());
    }

    @Test
    void readAtAPastRevisionSeesTheOldValuesWithTheCurrentHeader() {
        RangeResponse r = all(RangeRequest.newBuilder().setRevision(4));
        assertEquals(List.of("a", "b", "c"), keys(r));
        assertEquals(List.of("1", "2", "9"), values(r));
        assertEquals(3, r.getCount());
        assertEquals(8, r.getHeader().getRevision(), "the header reports the current revision");
        assertEquals("4", values(kv.range(rangeReq("d").setRevision(7).build())).get(0));
    }

    @Test
    void readAtTheCurrentRevisionWorksAndAboveItFails() {
        assertEquals(4, all(RangeRequest.newBuilder().setRevision(8)).getCount());
        assertEtcdError(EtcdError.FUTURE_REVISION, () -> all(RangeRequest.newBuilder().setRevision(9)));
        assertEtcdError(EtcdError.FUTURE_REVISION,
                () -> all(RangeRequest.newBuilder().setRevision(9).setCountOnly(true)));
    }

    @Test
    void readAtRevisionOneSeesNothing() {
        RangeResponse r = all(RangeRequest.newBuilder().setRevision(1));
        assertEquals(0, r.getCount());
        assertEquals(8, r.getHeader().getRevision());
    }

    @Test
    void deletedKeysAreGoneNowButVisibleInThePast() {
        delete(kv, "b"); // 9
        assertEquals(List.of("a", "c", "d"), keys(range(kv, "a", "\0")));
        assertEquals(List.of("a", "b", "c", "d"), keys(all(RangeRequest.newBuilder().setRevision(8))));
    }

    @Test
    void readsBelowTheCompactionRevisionFail() {
        KvTestSupport.await(kv.compact(CompactionRequest.newBuilder().setRevision(6).build()));
        assertEtcdError(EtcdError.COMPACTED, () -> all(RangeRequest.newBuilder().setRevision(5)));
        assertEquals(List.of("3", "2", "9", "5"), values(all(RangeRequest.newBuilder().setRevision(6))),
                "reading at the compaction revision works");
        assertEquals(4, all(RangeRequest.newBuilder()).getCount());
    }
}
