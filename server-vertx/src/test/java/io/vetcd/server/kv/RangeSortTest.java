package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.keys;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption.SortOrder;
import io.etcd.jetcd.options.GetOption.SortTarget;
import io.etcd.jetcd.options.GetOption;
import io.vetcd.server.testing.Jetcd;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code sort_order} × {@code sort_target}. The keys are written so that every target orders them
 * differently:
 *
 * <pre>
 *   key  created  version  last modified  value
 *   a    2nd      3        3rd            v4
 *   b    4th      1        1st            v3
 *   c    1st      2        4th            v2
 *   d    3rd      4        2nd            v1
 * </pre>
 *
 * With {@code sort_order = NONE}, etcd returns key order for target KEY and sorts ascending for any
 * other target ({@code applierV3backend.Range}).
 */
class RangeSortTest {
    /** Ascending order of each target, from the table above. */
    private static final Map<SortTarget, List<String>> ASCENDING = Map.of(
            SortTarget.KEY, List.of("a", "b", "c", "d"),
            SortTarget.CREATE, List.of("c", "a", "d", "b"),
            SortTarget.VERSION, List.of("b", "c", "a", "d"),
            SortTarget.MOD, List.of("b", "d", "a", "c"),
            SortTarget.VALUE, List.of("d", "c", "b", "a"));

    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();

    @BeforeAll
    static void start() {
        String[][] history = {
            {"c", "v2"}, {"a", "v4"}, {"d", "v1"}, {"b", "v3"}, // creation order: c a d b
            {"d", "v1"}, {"d", "v1"}, {"d", "v1"},             // d: version 4
            {"a", "v4"}, {"a", "v4"},                          // a: version 3
            {"c", "v2"},                                       // c: version 2, modified last
        };
        for (String[] put : history) {
            await(server.kv().put(bs(put[0]), bs(put[1])));
        }
    }

    static Stream<Arguments> targetsAndOrders() {
        List<Arguments> cases = new ArrayList<>();
        for (SortTarget target : SortTarget.values()) {
            for (SortOrder order : SortOrder.values()) {
                cases.add(Arguments.of(target, order));
            }
        }
        return cases.stream();
    }

    private static GetOption.Builder all() {
        return GetOption.builder().withRange(bs("\0"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("targetsAndOrders")
    void sortsByTarget(SortTarget target, SortOrder order) {
        GetResponse r = await(server.kv().get(bs("\0"), all().withSortField(target).withSortOrder(order).build()));
        List<String> expected = new ArrayList<>(ASCENDING.get(target));
        if (order == SortOrder.DESCEND) {
            Collections.reverse(expected);
        }
        // NONE: key order for KEY, ascending for every other target; ASCEND: ascending
        assertEquals(expected, keys(r));
        assertEquals(4, r.getCount());
    }

    @Test
    void theTableHolds() {
        GetResponse r = await(server.kv().get(bs("\0"), all().build()));
        Map<String, long[]> facts = Map.of(
                "a", new long[] {2, 3, 3}, "b", new long[] {4, 1, 1}, "c", new long[] {1, 2, 4},
                "d", new long[] {3, 4, 2});
        List<Long> creates = r.getKvs().stream().map(kv -> kv.getCreateRevision()).sorted().toList();
        List<Long> mods = r.getKvs().stream().map(kv -> kv.getModRevision()).sorted().toList();
        for (var kv : r.getKvs()) {
            long[] f = facts.get(Jetcd.str(kv.getKey()));
            assertEquals(creates.get((int) f[0] - 1), kv.getCreateRevision());
            assertEquals(f[1], kv.getVersion());
            assertEquals(mods.get((int) f[2] - 1), kv.getModRevision());
        }
    }

    @Test
    void ascendingWithLimitSortsEveryKeyThenTruncates() {
        GetResponse r = await(server.kv().get(bs("\0"), all().withSortField(SortTarget.MOD)
                .withSortOrder(SortOrder.ASCEND).withLimit(2).build()));
        assertEquals(List.of("b", "d"), keys(r));
        assertTrue(r.isMore());
        assertEquals(4, r.getCount());
    }

    @Test
    void descendingWithLimit() {
        GetResponse r = await(server.kv().get(bs("\0"), all().withSortField(SortTarget.VERSION)
                .withSortOrder(SortOrder.DESCEND).withLimit(3).build()));
        assertEquals(List.of("d", "a", "c"), keys(r));
        assertTrue(r.isMore());
    }

    /**
     * etcd quirk kept for compatibility: with {@code sort_order = NONE} the store is read with
     * {@code limit + 1} in key order, and only those keys are then sorted by the target. Here that
     * reads a, b, c; sorted by mod revision: b, a, c; truncated: b, a (a full sort would give b, d).
     */
    @Test
    void implicitAscendingWithLimitOnlySortsTheFirstLimitPlusOneKeys() {
        GetResponse r = await(server.kv().get(bs("\0"), all().withSortField(SortTarget.MOD)
                .withSortOrder(SortOrder.NONE).withLimit(2).build()));
        assertEquals(List.of("b", "a"), keys(r));
        assertTrue(r.isMore());
        assertEquals(4, r.getCount());
    }

    @Test
    void sortingASingleKeyOrAnEmptyRange() {
        GetResponse one = await(server.kv().get(bs("c"), GetOption.builder().withSortField(SortTarget.VALUE)
                .withSortOrder(SortOrder.DESCEND).build()));
        assertEquals(List.of("c"), keys(one));
        GetResponse none = await(server.kv().get(bs("x"), GetOption.builder().isPrefix(true)
                .withSortField(SortTarget.MOD).withSortOrder(SortOrder.DESCEND).build()));
        assertEquals(List.of(), keys(none));
        assertFalse(none.isMore());
    }
}
