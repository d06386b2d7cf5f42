package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.keys;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code min_mod_revision}, {@code max_mod_revision}, {@code min_create_revision},
 * {@code max_create_revision}: inclusive bounds that filter the returned kvs (0 = no bound). As in etcd,
 * {@code count} is the number of keys in the range before filtering, and {@code more} and {@code limit}
 * apply to the filtered kvs.
 *
 * <pre>
 *   key  create  mod
 *   f1   A       D
 *   f2   B       E
 *   f3   C       C      (A &lt; B &lt; C &lt; D &lt; E)
 * </pre>
 */
class RangeRevisionFilterTest {
    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();
    private static long a;
    private static long b;
    private static long c;
    private static long d;
    private static long e;

    @BeforeAll
    static void start() {
        a = await(server.kv().put(bs("f1"), bs("1"))).getHeader().getRevision();
        b = await(server.kv().put(bs("f2"), bs("1"))).getHeader().getRevision();
        c = await(server.kv().put(bs("f3"), bs("1"))).getHeader().getRevision();
        d = await(server.kv().put(bs("f1"), bs("2"))).getHeader().getRevision();
        e = await(server.kv().put(bs("f2"), bs("2"))).getHeader().getRevision();
    }

    private static GetResponse f(GetOption.Builder options) {
        return await(server.kv().get(bs("f"), options.isPrefix(true).build()));
    }

    @Test
    void noFilterReturnsEveryKey() {
        GetResponse r = f(GetOption.builder());
        assertEquals(List.of("f1", "f2", "f3"), keys(r));
        assertEquals(List.of(a, b, c), r.getKvs().stream().map(kv -> kv.getCreateRevision()).toList());
        assertEquals(List.of(d, e, c), r.getKvs().stream().map(kv -> kv.getModRevision()).toList());
    }

    @Test
    void minModRevisionIsInclusive() {
        GetResponse r = f(GetOption.builder().withMinModRevision(d));
        assertEquals(List.of("f1", "f2"), keys(r));
        assertEquals(3, r.getCount(), "count is taken before filtering");
        assertEquals(List.of("f2"), keys(f(GetOption.builder().withMinModRevision(e))));
        assertEquals(List.of(), keys(f(GetOption.builder().withMinModRevision(e + 1))));
    }

    @Test
    void maxModRevisionIsInclusive() {
        GetResponse r = f(GetOption.builder().withMaxModRevision(c));
        assertEquals(List.of("f3"), keys(r));
        assertEquals(3, r.getCount());
        assertEquals(List.of("f1", "f3"), keys(f(GetOption.builder().withMaxModRevision(d))));
        assertEquals(List.of(), keys(f(GetOption.builder().withMaxModRevision(c - 1))));
    }

    @Test
    void minCreateRevisionIsInclusive() {
        assertEquals(List.of("f2", "f3"), keys(f(GetOption.builder().withMinCreateRevision(b))));
        assertEquals(List.of("f3"), keys(f(GetOption.builder().withMinCreateRevision(c))));
        assertEquals(List.of(), keys(f(GetOption.builder().withMinCreateRevision(c + 1))));
    }

    @Test
    void maxCreateRevisionIsInclusive() {
        assertEquals(List.of("f1", "f2"), keys(f(GetOption.builder().withMaxCreateRevision(b))));
        assertEquals(List.of("f1"), keys(f(GetOption.builder().withMaxCreateRevision(a))));
        assertEquals(List.of(), keys(f(GetOption.builder().withMaxCreateRevision(a - 1))));
    }

    @Test
    void boundsCombine() {
        assertEquals(List.of("f1"), keys(f(GetOption.builder().withMinModRevision(d).withMaxModRevision(d))));
        assertEquals(List.of("f3"), keys(f(GetOption.builder().withMinCreateRevision(b).withMaxModRevision(d))));
        assertEquals(List.of("f2"), keys(f(GetOption.builder().withMinCreateRevision(b).withMaxCreateRevision(b)
                .withMinModRevision(e).withMaxModRevision(e))));
    }

    @Test
    void limitAndMoreApplyToTheFilteredKvs() {
        GetResponse r = f(GetOption.builder().withMinCreateRevision(a).withLimit(1));
        assertEquals(List.of("f1"), keys(r));
        assertTrue(r.isMore());

        GetResponse onlyOneMatches = f(GetOption.builder().withMinCreateRevision(c).withLimit(1));
        assertEquals(List.of("f3"), keys(onlyOneMatches));
        assertFalse(onlyOneMatches.isMore(), "one filtered kv fits in limit 1 although the range holds 3 keys");
        assertEquals(3, onlyOneMatches.getCount());
    }

    @Test
    void filterThenSort() {
        GetResponse r = f(GetOption.builder().withMaxCreateRevision(b)
                .withSortField(GetOption.SortTarget.MOD).withSortOrder(GetOption.SortOrder.DESCEND));
        assertEquals(List.of("f2", "f1"), keys(r));
    }

    @Test
    void filtersApplyToAPastRevision() {
        GetResponse r = await(server.kv().get(bs("f"), GetOption.builder().isPrefix(true).withRevision(c)
                .withMinModRevision(b).build()));
        assertEquals(List.of("f2", "f3"), keys(r));
        assertEquals(3, r.getCount());
    }
}
