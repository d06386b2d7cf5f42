package io.vetcd.core;

import static io.vetcd.core.KvTestSupport.await;
import static io.vetcd.core.KvTestSupport.bs;
import static io.vetcd.core.KvTestSupport.delete;
import static io.vetcd.core.KvTestSupport.get;
import static io.vetcd.core.KvTestSupport.keys;
import static io.vetcd.core.KvTestSupport.newStore;
import static io.vetcd.core.KvTestSupport.put;
import static io.vetcd.core.KvTestSupport.range;
import static io.vetcd.core.KvTestSupport.rangeReq;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.DeleteRangeResponse;
import io.vetcd.proto.mvccpb.KeyValue;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DeleteRange semantics (etcdserver/apply.go DeleteRange, mvcc storeTxnWrite.DeleteRange). */
class DeleteRangeTest {
    private final KvStore kv = newStore();

    @BeforeEach
    void fill() {
        for (String k : List.of("a", "ab", "abc", "b", "c")) {
            put(kv, k, "v-" + k); // revisions 2..6
        }
        assertEquals(6, kv.revision());
    }

    @AfterEach
    void close() {
        kv.close();
    }

    private DeleteRangeResponse deleteWithPrev(String key, String end) {
        return await(kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(bs(key)).setRangeEnd(bs(end))
                .setPrevKv(true).build()));
    }

    @Test
    void singleKey() {
        DeleteRangeResponse r = delete(kv, "ab");
        assertEquals(1, r.getDeleted());
        assertEquals(7, r.getHeader().getRevision());
        assertEquals(0, r.getPrevKvsCount(), "no prev_kvs unless asked");
        assertEquals(List.of("a", "abc", "b", "c"), keys(range(kv, "\0", "\0")));
    }

    @Test
    void halfOpenRange() {
        assertEquals(3, delete(kv, "ab", "c").getDeleted());
        assertEquals(List.of("a", "c"), keys(range(kv, "\0", "\0")));
    }

    @Test
    void prefix() {
        assertEquals(3, delete(kv, "a", "b").getDeleted());
        assertEquals(List.of("b", "c"), keys(range(kv, "\0", "\0")));
    }

    @Test
    void fromKey() {
        assertEquals(2, delete(kv, "b", "\0").getDeleted());
        assertEquals(List.of("a", "ab", "abc"), keys(range(kv, "\0", "\0")));
    }

    @Test
    void everything() {
        DeleteRangeResponse r = delete(kv, "\0", "\0");
        assertEquals(5, r.getDeleted());
        assertEquals(7, r.getHeader().getRevision(), "one revision for the whole delete");
        assertEquals(0, range(kv, "\0", "\0").getCount());
    }

    @Test
    void prevKvsListsTheDeletedValuesInKeyOrder() {
        DeleteRangeResponse r = deleteWithPrev("a", "b");
        assertEquals(List.of("a", "ab", "abc"), r.getPrevKvsList().stream()
                .map(kv -> kv.getKey().toStringUtf8()).toList());
        KeyValue ab = r.getPrevKvs(1);
        assertEquals("v-ab", ab.getValue().toStringUtf8());
        assertEquals(3, ab.getModRevision());
        assertEquals(1, ab.getVersion());
    }

    @Test
    void deletingNothingDoesNotBumpTheRevision() {
        DeleteRangeResponse r = deleteWithPrev("x", "z");
        assertEquals(0, r.getDeleted());
        assertEquals(0, r.getPrevKvsCount());
        assertEquals(6, r.getHeader().getRevision(), "the header reports the unchanged revision");
        assertEquals(6, kv.revision());
        assertEquals(0, delete(kv, "missing").getDeleted());
        assertEquals(0, delete(kv, "c", "a").getDeleted(), "empty interval");
        assertEquals(6, kv.revision());
        assertEquals(7, put(kv, "x", "1").getHeader().getRevision());
    }

    @Test
    void deletingAnAlreadyDeletedKeyDeletesNothing() {
        delete(kv, "a"); // 7
        assertEquals(0, delete(kv, "a").getDeleted());
        assertEquals(7, kv.revision());
    }

    @Test
    void deletedValuesRemainReadableAtOlderRevisions() {
        delete(kv, "a", "b"); // 7
        assertEquals(3, kv.range(rangeReq("a", "b").setRevision(6).build()).getCount());
        assertEquals(0, kv.range(rangeReq("a", "b").setRevision(7).build()).getCount());
        assertEquals(0, get(kv, "a").getCount());
    }
}
