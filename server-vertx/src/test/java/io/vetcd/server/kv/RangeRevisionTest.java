package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.failure;
import static io.vetcd.server.testing.Jetcd.keys;
import static io.vetcd.server.testing.Jetcd.put;
import static io.vetcd.server.testing.Jetcd.single;
import static io.vetcd.server.testing.Jetcd.str;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Range at a {@code revision}: past revisions show the keyspace as it was (including keys deleted
 * since, and not keys created later), 0 and the current revision show it now, a future revision fails
 * with OUT_OF_RANGE. The header always reports the current revision.
 */
class RangeRevisionTest {
    static final String FUTURE = "etcdserver: mvcc: required revision is a future revision";

    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();
    /** "r" = v1, then v2, then deleted, then v3; then "s" is created. */
    private static long v1;
    private static long v2;
    private static long deleted;
    private static long v3;
    private static long current;

    @BeforeAll
    static void start() {
        v1 = put(server.kv(), "r", "v1");
        v2 = put(server.kv(), "r", "v2");
        deleted = await(server.kv().delete(bs("r"))).getHeader().getRevision();
        v3 = put(server.kv(), "r", "v3");
        current = put(server.kv(), "s", "later");
    }

    private static GetResponse at(String key, long revision) {
        return await(server.kv().get(bs(key), GetOption.builder().withRevision(revision).build()));
    }

    @Test
    void eachWriteMadeOneRevision() {
        assertEquals(List.of(v1 + 1, v1 + 2, v1 + 3, v1 + 4), List.of(v2, deleted, v3, current));
    }

    @Test
    void pastRevisionShowsTheValueThen() {
        KeyValue first = single(at("r", v1));
        assertEquals("v1", str(first.getValue()));
        assertEquals(1, first.getVersion());
        assertEquals(v1, first.getCreateRevision());
        assertEquals(v1, first.getModRevision());

        KeyValue second = single(at("r", v2));
        assertEquals("v2", str(second.getValue()));
        assertEquals(2, second.getVersion());
        assertEquals(v1, second.getCreateRevision());
        assertEquals(v2, second.getModRevision());
    }

    @Test
    void revisionOfTheDeleteShowsNoKey() {
        GetResponse r = at("r", deleted);
        assertEquals(List.of(), keys(r));
        assertEquals(0, r.getCount());
    }

    @Test
    void recreatedKeyStartsOverAtVersionOne() {
        KeyValue again = single(at("r", v3));
        assertEquals("v3", str(again.getValue()));
        assertEquals(1, again.getVersion());
        assertEquals(v3, again.getCreateRevision());
        assertEquals(v3, again.getModRevision());
    }

    @Test
    void pastRevisionDoesNotShowKeysCreatedLater() {
        assertEquals(List.of(), keys(at("s", v3)));
        GetResponse all = await(server.kv().get(bs("\0"),
                GetOption.builder().withRange(bs("\0")).withRevision(v3).build()));
        assertEquals(List.of("r"), keys(all));
        assertEquals(1, all.getCount());
    }

    @Test
    void headerReportsTheCurrentRevisionWhateverRevisionWasRead() {
        assertEquals(current, at("r", v1).getHeader().getRevision());
        assertEquals(current, at("r", deleted).getHeader().getRevision());
    }

    @Test
    void currentRevisionAndRevisionZeroBothReadTheLatest() {
        assertEquals("v3", str(single(at("r", current)).getValue()));
        assertEquals("v3", str(single(at("r", 0)).getValue()));
        assertEquals("later", str(single(at("s", current)).getValue()));
    }

    @Test
    void revisionOneIsTheEmptyStoreBeforeTheFirstWrite() {
        GetResponse r = await(server.kv().get(bs("\0"),
                GetOption.builder().withRange(bs("\0")).withRevision(1).build()));
        assertEquals(List.of(), keys(r));
        assertEquals(0, r.getCount());
    }

    @Test
    void futureRevisionFailsWithOutOfRange() {
        failure(server.kv().get(bs("r"), GetOption.builder().withRevision(current + 1).build()))
                .is(ErrorCode.OUT_OF_RANGE, FUTURE);
        failure(server.kv().get(bs("r"), GetOption.builder().withRevision(current + 1000).build()))
                .is(ErrorCode.OUT_OF_RANGE, FUTURE);
    }

    @Test
    void futureRevisionInsideATxnFailsTheWholeTxn() {
        failure(server.kv().txn().Then(Op.get(bs("r"), GetOption.builder().withRevision(current + 1).build())).commit())
                .is(ErrorCode.OUT_OF_RANGE, FUTURE);
    }

    @Test
    void pastRevisionInsideATxn() {
        var txn = await(server.kv().txn().Then(Op.get(bs("r"), GetOption.builder().withRevision(v2).build())).commit());
        assertEquals("v2", str(single(txn.getGetResponses().get(0)).getValue()));
        assertEquals(current, txn.getHeader().getRevision());
    }
}
