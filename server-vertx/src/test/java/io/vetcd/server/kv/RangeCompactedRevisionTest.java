package io.vetcd.server.kv;

import static io.vetcd.server.kv.Jetcd.await;
import static io.vetcd.server.kv.Jetcd.bs;
import static io.vetcd.server.kv.Jetcd.failure;
import static io.vetcd.server.kv.Jetcd.keys;
import static io.vetcd.server.kv.Jetcd.put;
import static io.vetcd.server.kv.Jetcd.single;
import static io.vetcd.server.kv.Jetcd.str;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.etcd.jetcd.KV;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Range below the compaction point fails with OUT_OF_RANGE "required revision has been compacted"
 * (mvcc {@code rangeKeys}: {@code rev < compactMainRev}); the compaction revision itself and later
 * revisions stay readable.
 */
class RangeCompactedRevisionTest {
    static final String COMPACTED = "etcdserver: mvcc: required revision has been compacted";

    private static KvServerFixture server;
    private static KV kv;
    private static long v1;
    private static long v2;
    private static long v3;
    private static long current;

    @BeforeAll
    static void start() {
        server = KvServerFixture.start();
        kv = server.kv();
        v1 = put(kv, "c", "v1");
        v2 = put(kv, "c", "v2");
        v3 = put(kv, "c", "v3");
        current = put(kv, "d", "d1");
        await(kv.compact(v2));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void revisionBelowTheCompactionPointFails() {
        failure(kv.get(bs("c"), GetOption.builder().withRevision(v1).build()))
                .is(ErrorCode.OUT_OF_RANGE, COMPACTED);
        failure(kv.get(bs("c"), GetOption.builder().withRevision(1).build()))
                .is(ErrorCode.OUT_OF_RANGE, COMPACTED);
    }

    @Test
    void compactedRevisionFailsForRangesAndCountsToo() {
        failure(kv.get(bs("\0"), GetOption.builder().withRange(bs("\0")).withRevision(v1).build()))
                .is(ErrorCode.OUT_OF_RANGE, COMPACTED);
        failure(kv.get(bs("c"), GetOption.builder().withCountOnly(true).withRevision(v1).build()))
                .is(ErrorCode.OUT_OF_RANGE, COMPACTED);
    }

    @Test
    void theCompactionRevisionItselfIsStillReadable() {
        var kvAtV2 = single(await(kv.get(bs("c"), GetOption.builder().withRevision(v2).build())));
        assertEquals("v2", str(kvAtV2.getValue()));
        assertEquals(2, kvAtV2.getVersion());
        assertEquals(v1, kvAtV2.getCreateRevision(), "compaction keeps the key's create revision");
    }

    @Test
    void laterRevisionsAreUnaffected() {
        assertEquals("v3", str(single(await(kv.get(bs("c"), GetOption.builder().withRevision(v3).build())))
                .getValue()));
        assertEquals(List.of("c", "d"),
                keys(await(kv.get(bs("\0"), GetOption.builder().withRange(bs("\0")).build()))));
        assertEquals(current, await(kv.get(bs("c"))).getHeader().getRevision());
    }

    @Test
    void compactedRevisionInsideATxnFailsTheWholeTxn() {
        failure(kv.txn().Then(Op.get(bs("c"), GetOption.builder().withRevision(v1).build())).commit())
                .is(ErrorCode.OUT_OF_RANGE, COMPACTED);
    }
}
