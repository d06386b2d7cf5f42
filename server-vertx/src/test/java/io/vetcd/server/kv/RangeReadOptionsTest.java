package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.keys;
import static io.vetcd.server.testing.Jetcd.single;
import static io.vetcd.server.testing.Jetcd.str;
import static io.vetcd.server.testing.Jetcd.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Range {@code serializable}, {@code keys_only} and {@code count_only}. */
class RangeReadOptionsTest {
    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();
    private static long created;

    @BeforeAll
    static void start() {
        created = await(server.kv().put(bs("o/1"), bs("one"))).getHeader().getRevision();
        await(server.kv().put(bs("o/2"), bs("two")));
        await(server.kv().put(bs("o/3"), bs("three")));
        await(server.kv().put(bs("o/2"), bs("two again")));
    }

    private static GetOption.Builder prefix() {
        return GetOption.builder().isPrefix(true);
    }

    @Test
    void serializableReadSeesTheSameDataAsALinearizableOne() {
        GetResponse linearizable = await(server.kv().get(bs("o/"), prefix().build()));
        GetResponse serializable = await(server.kv().get(bs("o/"), prefix().withSerializable(true).build()));
        assertEquals(List.of("o/1", "o/2", "o/3"), keys(serializable));
        assertEquals(values(linearizable), values(serializable));
        assertEquals(linearizable.getHeader().getRevision(), serializable.getHeader().getRevision());
        for (int i = 0; i < 3; i++) {
            assertEquals(linearizable.getKvs().get(i).getModRevision(), serializable.getKvs().get(i).getModRevision());
            assertEquals(linearizable.getKvs().get(i).getVersion(), serializable.getKvs().get(i).getVersion());
        }
    }

    @Test
    void serializableReadSeesItsOwnClientsAcknowledgedWrite() {
        long rev = await(server.kv().put(bs("o-serial"), bs("x"))).getHeader().getRevision();
        GetResponse r = await(server.kv().get(bs("o-serial"), GetOption.builder().withSerializable(true).build()));
        assertEquals("x", str(single(r).getValue()));
        assertEquals(rev, single(r).getModRevision());
    }

    @Test
    void keysOnlyDropsValuesButKeepsEverythingElse() {
        GetResponse full = await(server.kv().get(bs("o/"), prefix().build()));
        GetResponse r = await(server.kv().get(bs("o/"), prefix().withKeysOnly(true).build()));
        assertEquals(List.of("o/1", "o/2", "o/3"), keys(r));
        assertEquals(3, r.getCount());
        for (int i = 0; i < 3; i++) {
            KeyValue k = r.getKvs().get(i);
            KeyValue f = full.getKvs().get(i);
            assertTrue(k.getValue().isEmpty(), "value of " + str(k.getKey()));
            assertEquals(f.getCreateRevision(), k.getCreateRevision());
            assertEquals(f.getModRevision(), k.getModRevision());
            assertEquals(f.getVersion(), k.getVersion());
        }
        assertEquals(2, r.getKvs().get(1).getVersion());
        assertEquals(created, r.getKvs().get(0).getCreateRevision());
    }

    @Test
    void keysOnlyWithLimit() {
        GetResponse r = await(server.kv().get(bs("o/"), prefix().withKeysOnly(true).withLimit(1).build()));
        assertEquals(List.of("o/1"), keys(r));
        assertTrue(r.getKvs().get(0).getValue().isEmpty());
        assertTrue(r.isMore());
        assertEquals(3, r.getCount());
    }

    @Test
    void countOnlyReturnsTheCountAndNoKvs() {
        GetResponse r = await(server.kv().get(bs("o/"), prefix().withCountOnly(true).build()));
        assertEquals(List.of(), keys(r));
        assertEquals(3, r.getCount());
        assertFalse(r.isMore());

        GetResponse one = await(server.kv().get(bs("o/2"), GetOption.builder().withCountOnly(true).build()));
        assertEquals(1, one.getCount());
        assertEquals(List.of(), keys(one));

        GetResponse none = await(server.kv().get(bs("nothing"), GetOption.builder().withCountOnly(true).build()));
        assertEquals(0, none.getCount());
    }

    @Test
    void countOnlyWithLimitStillCountsTheWholeRangeAndHasNoMore() {
        GetResponse r = await(server.kv().get(bs("o/"), prefix().withCountOnly(true).withLimit(1).build()));
        assertEquals(List.of(), keys(r));
        assertEquals(3, r.getCount());
        assertFalse(r.isMore());
    }

    @Test
    void countOnlyAtAPastRevision() {
        GetResponse r = await(server.kv().get(bs("o/"), prefix().withCountOnly(true).withRevision(created).build()));
        assertEquals(1, r.getCount());
    }
}
