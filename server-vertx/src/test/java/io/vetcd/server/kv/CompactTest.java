package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.currentRevision;
import static io.vetcd.server.testing.Jetcd.failure;
import static io.vetcd.server.testing.Jetcd.keys;
import static io.vetcd.server.testing.Jetcd.single;
import static io.vetcd.server.testing.Jetcd.str;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.etcd.jetcd.KV;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.kv.CompactResponse;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.GetOption;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compact: drops history below a revision (mvcc {@code kvstore.compact}); it makes no revision itself.
 * A revision at or below the last compaction fails with OUT_OF_RANGE "required revision has been
 * compacted", one above the current revision with OUT_OF_RANGE "required revision is a future
 * revision". {@code physical} only makes the call wait until the compaction is done on disk, so the
 * visible outcome is the same. Each test gets a fresh server: compaction cannot be undone.
 */
class CompactTest {
    static final String COMPACTED = "etcdserver: mvcc: required revision has been compacted";
    static final String FUTURE = "etcdserver: mvcc: required revision is a future revision";

    private KvServerFixture server;
    private KV kv;
    /** "x" = v1, v2, v3 at these revisions; then "y" at {@link #current}. */
    private long v1;
    private long v2;
    private long v3;
    private long current;

    @BeforeEach
    void start() {
        server = KvServerFixture.start();
        kv = server.kv();
        v1 = await(kv.put(bs("x"), bs("v1"))).getHeader().getRevision();
        v2 = await(kv.put(bs("x"), bs("v2"))).getHeader().getRevision();
        v3 = await(kv.put(bs("x"), bs("v3"))).getHeader().getRevision();
        current = await(kv.put(bs("y"), bs("y1"))).getHeader().getRevision();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static CompactOption physical(boolean physical) {
        return CompactOption.builder().withCompactPhysical(physical).build();
    }

    @ParameterizedTest(name = "physical={0}")
    @ValueSource(booleans = {false, true})
    void compactionDropsOlderRevisionsAndKeepsTheCompactionRevision(boolean physical) {
        CompactResponse r = await(kv.compact(v2, physical(physical)));
        assertEquals(current, r.getHeader().getRevision(), "the header reports the current revision");

        failure(kv.get(bs("x"), GetOption.builder().withRevision(v1).build())).is(ErrorCode.OUT_OF_RANGE, COMPACTED);
        assertEquals("v2", str(single(await(kv.get(bs("x"), GetOption.builder().withRevision(v2).build())))
                .getValue()));
        assertEquals("v3", str(single(await(kv.get(bs("x")))).getValue()));
        assertEquals(List.of("x", "y"), keys(await(kv.get(bs("\0"), GetOption.builder().withRange(bs("\0")).build()))));
    }

    @Test
    void compactionMakesNoRevision() {
        await(kv.compact(v3));
        assertEquals(current, currentRevision(kv));
        assertEquals(current + 1, await(kv.put(bs("z"), bs("z1"))).getHeader().getRevision());
    }

    @Test
    void compactionKeepsVersionsAndCreateRevisions() {
        await(kv.compact(current, physical(true)));
        var x = single(await(kv.get(bs("x"))));
        assertEquals(3, x.getVersion());
        assertEquals(v1, x.getCreateRevision());
        assertEquals(v3, x.getModRevision());
    }

    @Test
    void theCurrentRevisionCanBeCompacted() {
        await(kv.compact(current));
        failure(kv.get(bs("x"), GetOption.builder().withRevision(v3).build())).is(ErrorCode.OUT_OF_RANGE, COMPACTED);
        assertEquals("y1", str(single(await(kv.get(bs("y"), GetOption.builder().withRevision(current).build())))
                .getValue()));
    }

    @Test
    void aFutureRevisionIsRefused() {
        failure(kv.compact(current + 1)).is(ErrorCode.OUT_OF_RANGE, FUTURE);
        failure(kv.compact(current + 100, physical(true))).is(ErrorCode.OUT_OF_RANGE, FUTURE);
        // nothing was compacted
        assertEquals("v1", str(single(await(kv.get(bs("x"), GetOption.builder().withRevision(v1).build())))
                .getValue()));
    }

    @Test
    void compactingAgainAtOrBelowTheCompactionPointIsRefused() {
        await(kv.compact(v2));
        failure(kv.compact(v2)).is(ErrorCode.OUT_OF_RANGE, COMPACTED);
        failure(kv.compact(v1, physical(true))).is(ErrorCode.OUT_OF_RANGE, COMPACTED);
        await(kv.compact(v3));
        failure(kv.compact(v3)).is(ErrorCode.OUT_OF_RANGE, COMPACTED);
        failure(kv.get(bs("x"), GetOption.builder().withRevision(v2).build())).is(ErrorCode.OUT_OF_RANGE, COMPACTED);
    }

    @Test
    void aKeyDeletedBeforeTheCompactionRevisionIsGoneFromTheCompactedHistory() {
        await(kv.put(bs("gone"), bs("g")));
        long deleted = await(kv.delete(bs("gone"))).getHeader().getRevision();
        long after = await(kv.put(bs("later"), bs("l"))).getHeader().getRevision();
        await(kv.compact(deleted, physical(true)));
        assertEquals(0, await(kv.get(bs("gone"), GetOption.builder().withRevision(deleted).build())).getCount());
        assertEquals(0, await(kv.get(bs("gone"), GetOption.builder().withRevision(after).build())).getCount());
        assertEquals(0, await(kv.get(bs("gone"))).getCount());
    }
}
