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
 * Range {@code limit}: at most that many kvs, {@code more} set when some were left out, and {@code count}
 * always the number of keys in the whole range (etcd's {@code applierV3backend.Range}).
 */
class RangeLimitTest {
    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();

    @BeforeAll
    static void start() {
        for (String key : List.of("k1", "k2", "k3", "k4", "k5")) {
            await(server.kv().put(bs(key), bs("v")));
        }
        await(server.kv().put(bs("other"), bs("outside the prefix")));
    }

    private static GetResponse prefixK(GetOption.Builder options) {
        return await(server.kv().get(bs("k"), options.isPrefix(true).build()));
    }

    @Test
    void limitBelowTheCountReturnsTheFirstKeysAndMore() {
        GetResponse r = prefixK(GetOption.builder().withLimit(2));
        assertEquals(List.of("k1", "k2"), keys(r));
        assertTrue(r.isMore());
        assertEquals(5, r.getCount());
    }

    @Test
    void limitOfOne() {
        GetResponse r = prefixK(GetOption.builder().withLimit(1));
        assertEquals(List.of("k1"), keys(r));
        assertTrue(r.isMore());
        assertEquals(5, r.getCount());
    }

    @Test
    void limitEqualToTheCountHasNoMore() {
        GetResponse r = prefixK(GetOption.builder().withLimit(5));
        assertEquals(List.of("k1", "k2", "k3", "k4", "k5"), keys(r));
        assertFalse(r.isMore());
        assertEquals(5, r.getCount());
    }

    @Test
    void limitAboveTheCountHasNoMore() {
        GetResponse r = prefixK(GetOption.builder().withLimit(100));
        assertEquals(5, r.getKvs().size());
        assertFalse(r.isMore());
        assertEquals(5, r.getCount());
    }

    @Test
    void limitZeroMeansNoLimit() {
        GetResponse r = prefixK(GetOption.builder().withLimit(0));
        assertEquals(5, r.getKvs().size());
        assertFalse(r.isMore());
        assertEquals(5, r.getCount());
    }

    @Test
    void limitAppliesAfterSorting() {
        GetResponse r = prefixK(GetOption.builder().withLimit(2)
                .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.DESCEND));
        assertEquals(List.of("k5", "k4"), keys(r));
        assertTrue(r.isMore());
        assertEquals(5, r.getCount());
    }

    @Test
    void limitOnAKeyRangeOverTheWholeKeyspace() {
        GetResponse r = await(server.kv().get(bs("\0"), GetOption.builder().withRange(bs("\0")).withLimit(3).build()));
        assertEquals(List.of("k1", "k2", "k3"), keys(r));
        assertTrue(r.isMore());
        assertEquals(6, r.getCount());
    }

    @Test
    void limitOnASingleKey() {
        GetResponse r = await(server.kv().get(bs("k3"), GetOption.builder().withLimit(1).build()));
        assertEquals(List.of("k3"), keys(r));
        assertFalse(r.isMore());
        assertEquals(1, r.getCount());
    }
}
