package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.failure;
import static io.vetcd.server.testing.Jetcd.keys;
import static io.vetcd.server.testing.Jetcd.put;
import static io.vetcd.server.testing.Jetcd.single;
import static io.vetcd.server.testing.Jetcd.str;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Range below the compaction point fails with OUT_OF_RANGE "required revision has been compacted"
 * (mvcc {@code rangeKeys}: {@code rev < compactMainRev}); the compaction revision itself and later
 * revisions stay readable.
 */
class RangeCompactedRevisionTest {
    static final String COMPACTED = "etcdserver: mvcc: required revision has been compacted";

    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();
    private static long v1;
    private static long v2;
    private static long v3;
    private static long current;

    @BeforeAll
    static void start() {
        v1 = put(server.kv(), "c", "v1");
        v2 = put(server.kv(), "c", "v2");
        v3 = put(server.kv(), "c", "v3");
        current = put(server.kv(), "d", "d1");
        await(server.kv().compact(v2));
    }

    @Test
    void revisionBelowTheCompactionPointFails() {
        failure(server.kv().get(bs("c"), GetOption.builder().withRevision(v1).build()))
                .is(ErrorCode.OUT_OF_RANGE, COMPACTED);
        failure(server.kv().get(bs("c"), GetOption.builder().withRevision(1).build()))
                .is(ErrorCode.OUT_OF_RANGE, COMPACTED);
    }

    @Test
    void compactedRevisionFailsForRangesAndCountsToo() {
        failure(server.kv().get(bs("\0"), GetOption.builder().withRange(bs("\0")).withRevision(v1).build()))
                .is(ErrorCode.OUT_OF_RANGE, COMPACTED);
        failure(server.kv().get(bs("c"), GetOption.builder().withCountOnly(true).withRevision(v1).build()))
                .is(ErrorCode.OUT_OF_RANGE, COMPACTED);
    }

    @Test
    void theCompactionRevisionItselfIsStillReadable() {
        var kvAtV2 = single(await(server.kv().get(bs("c"), GetOption.builder().withRevision(v2).build())));
        assertEquals("v2", str(kvAtV2.getValue()));
        assertEquals(2, kvAtV2.getVersion());
        assertEquals(v1, kvAtV2.getCreateRevision(), "compaction keeps the key's create revision");
    }

    @Test
    void laterRevisionsAreUnaffected() {
        assertEquals("v3", str(single(await(server.kv().get(bs("c"), GetOption.builder().withRevision(v3).build())))
                .getValue()));
        assertEquals(List.of("c", "d"),
                keys(await(server.kv().get(bs("\0"), GetOption.builder().withRange(bs("\0")).build()))));
        assertEquals(current, await(server.kv().get(bs("c"))).getHeader().getRevision());
    }

    @Test
    void compactedRevisionInsideATxnFailsTheWholeTxn() {
        failure(server.kv().txn().Then(Op.get(bs("c"), GetOption.builder().withRevision(v1).build())).commit())
                .is(ErrorCode.OUT_OF_RANGE, COMPACTED);
    }
}
