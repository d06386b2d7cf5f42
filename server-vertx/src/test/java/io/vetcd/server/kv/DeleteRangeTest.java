package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.currentRevision;
import static io.vetcd.server.testing.Jetcd.deleteAll;
import static io.vetcd.server.testing.Jetcd.keys;
import static io.vetcd.server.testing.Jetcd.str;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.DeleteResponse;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DeleteRange over one key, {@code [key, range_end)}, a prefix, from-key and everything: the
 * {@code deleted} count, {@code prev_kv}, and one revision for the whole delete (none when nothing was
 * deleted).
 */
class DeleteRangeTest {
    private static final List<String> KEYS = List.of("a", "b", "b/1", "b/2", "c", "d");

    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();
    /** Revision of the last put of {@link #reset()}. */
    private long written;

    @BeforeEach
    void reset() {
        deleteAll(server.kv());
        for (String key : KEYS) {
            written = await(server.kv().put(bs(key), bs("v-" + key))).getHeader().getRevision();
        }
    }

    private static List<String> remaining() {
        return keys(await(server.kv().get(bs("\0"), GetOption.builder().withRange(bs("\0")).build())));
    }

    @Test
    void singleKeyDeletesOnlyThatKey() {
        DeleteResponse r = await(server.kv().delete(bs("b")));
        assertEquals(1, r.getDeleted());
        assertEquals(List.of(), r.getPrevKvs(), "no prev_kvs unless asked for");
        assertEquals(written + 1, r.getHeader().getRevision());
        assertEquals(List.of("a", "b/1", "b/2", "c", "d"), remaining());
    }

    @Test
    void missingKeyDeletesNothingAndMakesNoRevision() {
        DeleteResponse r = await(server.kv().delete(bs("zz")));
        assertEquals(0, r.getDeleted());
        assertEquals(written, r.getHeader().getRevision());
        assertEquals(written, currentRevision(server.kv()));
        assertEquals(KEYS, remaining());
    }

    @Test
    void deletingADeletedKeyDeletesNothing() {
        long first = await(server.kv().delete(bs("a"))).getHeader().getRevision();
        DeleteResponse again = await(server.kv().delete(bs("a")));
        assertEquals(0, again.getDeleted());
        assertEquals(first, again.getHeader().getRevision());
    }

    @Test
    void rangeEndIsExclusive() {
        DeleteResponse r = await(server.kv().delete(bs("b"), DeleteOption.builder().withRange(bs("b/2")).build()));
        assertEquals(2, r.getDeleted());
        assertEquals(List.of("a", "b/2", "c", "d"), remaining());
    }

    @Test
    void prefixDeletesEveryKeyStartingWithIt() {
        DeleteResponse r = await(server.kv().delete(bs("b"), DeleteOption.builder().isPrefix(true).build()));
        assertEquals(3, r.getDeleted());
        assertEquals(List.of("a", "c", "d"), remaining());
    }

    @Test
    void fromKeyDeletesEveryKeyAtOrAfterIt() {
        DeleteResponse r = await(server.kv().delete(bs("b/2"), DeleteOption.builder().withRange(bs("\0")).build()));
        assertEquals(3, r.getDeleted());
        assertEquals(List.of("a", "b", "b/1"), remaining());
    }

    @Test
    void nulKeyWithNulRangeEndDeletesEverything() {
        DeleteResponse r = await(server.kv().delete(bs("\0"), DeleteOption.builder().withRange(bs("\0")).build()));
        assertEquals(KEYS.size(), r.getDeleted());
        assertEquals(List.of(), remaining());
    }

    @Test
    void emptyRangeDeletesNothing() {
        DeleteResponse r = await(server.kv().delete(bs("c"), DeleteOption.builder().withRange(bs("b")).build()));
        assertEquals(0, r.getDeleted());
        assertEquals(written, r.getHeader().getRevision());
        assertEquals(KEYS, remaining());
    }

    @Test
    void prevKvReturnsTheDeletedKeysInKeyOrder() {
        await(server.kv().put(bs("b/1"), bs("v-b/1 again")));
        DeleteResponse r = await(server.kv().delete(bs("b"),
                DeleteOption.builder().isPrefix(true).withPrevKV(true).build()));
        assertEquals(3, r.getDeleted());
        List<KeyValue> prev = r.getPrevKvs();
        assertEquals(List.of("b", "b/1", "b/2"), prev.stream().map(kv -> str(kv.getKey())).toList());
        assertEquals(List.of("v-b", "v-b/1 again", "v-b/2"), prev.stream().map(kv -> str(kv.getValue())).toList());
        assertEquals(2, prev.get(1).getVersion());
        assertEquals(written + 1, prev.get(1).getModRevision());
    }

    @Test
    void prevKvOfAMissingKeyIsEmpty() {
        DeleteResponse r = await(server.kv().delete(bs("zz"), DeleteOption.builder().withPrevKV(true).build()));
        assertEquals(0, r.getDeleted());
        assertEquals(List.of(), r.getPrevKvs());
    }

    @Test
    void aRangeDeleteIsOneRevisionAndOldRevisionsStillShowTheKeys() {
        DeleteResponse r = await(server.kv().delete(bs("\0"), DeleteOption.builder().withRange(bs("\0")).build()));
        assertEquals(written + 1, r.getHeader().getRevision(), "one revision for the whole delete");
        assertEquals(written + 1, currentRevision(server.kv()));
        assertEquals(KEYS, keys(await(server.kv().get(bs("\0"),
                GetOption.builder().withRange(bs("\0")).withRevision(written).build()))));
    }
}
