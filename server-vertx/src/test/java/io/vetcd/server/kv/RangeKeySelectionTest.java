package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.keys;
import static io.vetcd.server.testing.Jetcd.single;
import static io.vetcd.server.testing.Jetcd.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which keys a Range returns for its {@code key} and {@code range_end}: one key, {@code [key, range_end)},
 * from-key ({@code range_end = "\0"}), every key ({@code key = range_end = "\0"}), a prefix; keys in
 * unsigned byte order.
 */
class RangeKeySelectionTest {
    /** "b\xff": sorts after "b/2" as unsigned bytes (0xff > '/'), before "c". */
    private static final String B_FF = "b" + (char) 0xff;
    /** Every key in the store, in etcd's (unsigned byte) order. */
    private static final List<String> ALL = List.of("a", "b", "b/1", "b/2", B_FF, "c", "d");

    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();

    @BeforeAll
    static void start() {
        // put out of order: a range must still come back in key order
        for (String key : List.of("d", "b/2", "a", "c", "b", "b/1")) {
            await(server.kv().put(bs(key), bs("v-" + key)));
        }
        await(server.kv().put(bff(), bs("v-b-ff")));
    }

    /** The key "b\xff" as raw bytes (a Java string would encode 0xff as two UTF-8 bytes). */
    private static ByteSequence bff() {
        return ByteSequence.from(new byte[] {'b', (byte) 0xff});
    }

    /** Keys as strings in which each byte is one char, so "b\xff" reads back as {@link #B_FF}. */
    private static List<String> rawKeys(GetResponse r) {
        return r.getKvs().stream().map(kv -> {
            byte[] b = kv.getKey().getBytes();
            StringBuilder s = new StringBuilder();
            for (byte x : b) {
                s.append((char) (x & 0xff));
            }
            return s.toString();
        }).toList();
    }

    @Test
    void singleKeyReturnsThatKeyOnlyNotKeysItPrefixes() {
        GetResponse r = await(server.kv().get(bs("b")));
        assertEquals("b", str(single(r).getKey()));
        assertEquals("v-b", str(single(r).getValue()));
        assertEquals(1, r.getCount());
        assertFalse(r.isMore());
    }

    @Test
    void missingSingleKeyReturnsNothing() {
        GetResponse r = await(server.kv().get(bs("bb")));
        assertEquals(List.of(), keys(r));
        assertEquals(0, r.getCount());
        assertFalse(r.isMore());
    }

    @Test
    void rangeEndIsExclusive() {
        GetResponse r = await(server.kv().get(bs("b"), GetOption.builder().withRange(bs("c")).build()));
        assertEquals(List.of("b", "b/1", "b/2", B_FF), rawKeys(r));
        assertEquals(4, r.getCount());

        GetResponse upToB2 = await(server.kv().get(bs("b"), GetOption.builder().withRange(bs("b/2")).build()));
        assertEquals(List.of("b", "b/1"), rawKeys(upToB2));
    }

    @Test
    void rangeStartIsInclusiveEvenWhenTheKeyIsMissing() {
        GetResponse r = await(server.kv().get(bs("b/"), GetOption.builder().withRange(bs("c")).build()));
        assertEquals(List.of("b/1", "b/2", B_FF), rawKeys(r));
    }

    @Test
    void rangeEndNotAfterKeyIsEmpty() {
        GetResponse backwards = await(server.kv().get(bs("c"), GetOption.builder().withRange(bs("b")).build()));
        assertEquals(List.of(), keys(backwards));
        assertEquals(0, backwards.getCount());

        GetResponse same = await(server.kv().get(bs("c"), GetOption.builder().withRange(bs("c")).build()));
        assertEquals(List.of(), keys(same));
        assertEquals(0, same.getCount());
    }

    @Test
    void fromKeyReturnsEveryKeyAtOrAfterIt() {
        GetResponse r = await(server.kv().get(bs("c"), GetOption.builder().withRange(bs("\0")).build()));
        assertEquals(List.of("c", "d"), rawKeys(r));
        assertEquals(2, r.getCount());

        GetResponse fromB = await(server.kv().get(bs("b/2"), GetOption.builder().withRange(bs("\0")).build()));
        assertEquals(List.of("b/2", B_FF, "c", "d"), rawKeys(fromB));
    }

    @Test
    void nulKeyWithNulRangeEndReturnsEveryKeyInUnsignedByteOrder() {
        GetResponse r = await(server.kv().get(bs("\0"), GetOption.builder().withRange(bs("\0")).build()));
        assertEquals(ALL, rawKeys(r));
        assertEquals(ALL.size(), r.getCount());
    }

    @Test
    void prefixReturnsEveryKeyStartingWithIt() {
        GetResponse r = await(server.kv().get(bs("b"), GetOption.builder().isPrefix(true).build()));
        assertEquals(List.of("b", "b/1", "b/2", B_FF), rawKeys(r));
        assertEquals(4, r.getCount());

        GetResponse slash = await(server.kv().get(bs("b/"), GetOption.builder().isPrefix(true).build()));
        assertEquals(List.of("b/1", "b/2"), rawKeys(slash));

        GetResponse none = await(server.kv().get(bs("x"), GetOption.builder().isPrefix(true).build()));
        assertEquals(List.of(), keys(none));
        assertEquals(0, none.getCount());
    }

    @Test
    void prefixEndingInFfByte() {
        // jetcd sends range_end "c" for the prefix "b\xff" (it drops the trailing 0xff and increments)
        GetResponse r = await(server.kv().get(bff(), GetOption.builder().isPrefix(true).build()));
        assertEquals(List.of(B_FF), rawKeys(r));
        assertEquals("v-b-ff", str(single(r).getValue()));
    }

    @Test
    void everyKeyCarriesItsRevisionsAndVersion() {
        GetResponse r = await(server.kv().get(bs("\0"), GetOption.builder().withRange(bs("\0")).build()));
        for (var kv : r.getKvs()) {
            assertEquals(1, kv.getVersion(), () -> "version of " + str(kv.getKey()));
            assertEquals(kv.getCreateRevision(), kv.getModRevision(), () -> "revisions of " + str(kv.getKey()));
            assertTrue(kv.getModRevision() >= 2 && kv.getModRevision() <= r.getHeader().getRevision());
            assertEquals(0, kv.getLease());
        }
    }
}
