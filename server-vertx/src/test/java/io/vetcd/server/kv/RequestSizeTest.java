package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.currentRevision;
import static io.vetcd.server.testing.Jetcd.failure;
import static io.vetcd.server.testing.Jetcd.single;
import static io.vetcd.server.testing.Jetcd.str;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.vetcd.server.testing.Jetcd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Request size limits with etcd's defaults. A write over {@code --max-request-bytes} (1.5 MiB) but within
 * the gRPC limit (1.5 MiB + 512 KiB of overhead = 2 MiB) is refused by etcd with INVALID_ARGUMENT
 * "etcdserver: request is too large" ({@code v3_server.go processInternalRaftRequestOnce}). A message
 * over 2 MiB is refused by gRPC itself with RESOURCE_EXHAUSTED (grpc-go: "grpc: received message larger
 * than max"). Either way the server answers, stores nothing, and keeps serving the same client.
 */
class RequestSizeTest {
    static final String TOO_LARGE = "etcdserver: request is too large";
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;

    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();

    @BeforeAll
    static void start() {
        await(server.kv().put(bs("small"), bs("v")));
    }

    @AfterEach
    void serverKeepsServingTheSameClient() {
        long rev = await(server.kv().put(bs("after"), bs("still serving"))).getHeader().getRevision();
        assertEquals("still serving", str(single(await(server.kv().get(bs("after")))).getValue()));
        assertEquals(rev, currentRevision(server.kv()));
    }

    private static ByteSequence value(int size) {
        return ByteSequence.from(new byte[size]);
    }

    @Test
    void valueJustBelowTheLimitIsStored() {
        int size = (int) (1.5 * MIB) - 4 * KIB;
        await(server.kv().put(bs("fits"), value(size)));
        assertEquals(size, single(await(server.kv().get(bs("fits")))).getValue().size());
    }

    @Test
    void valueBetweenTheLimitAndTheGrpcLimitIsTooLarge() {
        long before = currentRevision(server.kv());
        failure(server.kv().put(bs("too-large"), value((int) (1.6 * MIB)))).is(ErrorCode.INVALID_ARGUMENT, TOO_LARGE);
        failure(server.kv().put(bs("too-large"), value(2 * MIB - 4 * KIB))).is(ErrorCode.INVALID_ARGUMENT, TOO_LARGE);
        assertEquals(0, await(server.kv().get(bs("too-large"))).getCount());
        assertEquals(before, currentRevision(server.kv()));
    }

    @Test
    void txnOverTheLimitIsTooLarge() {
        long before = currentRevision(server.kv());
        failure(server.kv().txn().Then(
                Op.put(bs("t1"), value(900 * KIB), PutOption.DEFAULT),
                Op.put(bs("t2"), value(900 * KIB), PutOption.DEFAULT)).commit())
                .is(ErrorCode.INVALID_ARGUMENT, TOO_LARGE);
        assertEquals(0, await(server.kv().get(bs("t1"))).getCount());
        assertEquals(before, currentRevision(server.kv()));
    }

    @Test
    void messageOverTheGrpcLimitIsResourceExhausted() {
        long before = currentRevision(server.kv());
        Jetcd.Failure f = failure(server.kv().put(bs("huge"), value((int) (2.5 * MIB))));
        assertEquals(ErrorCode.RESOURCE_EXHAUSTED, f.code(), () -> "got " + f);
        assertEquals(0, await(server.kv().get(bs("huge"))).getCount());
        assertEquals(before, currentRevision(server.kv()));
    }

    @Test
    void muchLargerMessageIsResourceExhaustedToo() {
        Jetcd.Failure f = failure(server.kv().put(bs("huger"), value(8 * MIB)));
        assertEquals(ErrorCode.RESOURCE_EXHAUSTED, f.code(), () -> "got " + f);
        assertEquals(0, await(server.kv().get(bs("huger"))).getCount());
    }

    @Test
    void oversizedRequestsFromSeveralClientsAtOnceDoNotStopTheServer() {
        var clients = java.util.List.of(server.newClient(), server.newClient(), server.newClient());
        var calls = clients.stream().map(c -> c.getKVClient().put(bs("huge-concurrent"), value(3 * MIB))).toList();
        for (var call : calls) {
            assertEquals(ErrorCode.RESOURCE_EXHAUSTED, failure(call).code());
        }
        for (var c : clients) {
            assertEquals(1, await(c.getKVClient().get(bs("small"))).getCount());
        }
    }
}
