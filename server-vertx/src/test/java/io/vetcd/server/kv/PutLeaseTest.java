package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.currentRevision;
import static io.vetcd.server.testing.Jetcd.failure;
import static io.vetcd.server.testing.Jetcd.single;
import static io.vetcd.server.testing.Jetcd.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.vetcd.server.testing.Jetcd;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Put with a {@code lease}. etcd only attaches keys to leases that exist: a put naming a lease that was
 * never granted fails with NOT_FOUND "etcdserver: requested lease not found" ({@code apply.go Put}:
 * {@code lessor.Lookup(leaseID) == nil → lease.ErrLeaseNotFound}; in a txn, {@code checkRequestPut}),
 * and nothing is written. A put with a granted lease stores the lease id on the key.
 */
class PutLeaseTest {
    static final String LEASE_NOT_FOUND = "etcdserver: requested lease not found";

    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();

    @Test
    void leaseThatWasNeverGrantedIsRefused() {
        long before = currentRevision(server.kv());
        failure(server.kv().put(bs("leased"), bs("v"), PutOption.builder().withLeaseId(0x1234_5678L).build()))
                .is(ErrorCode.NOT_FOUND, LEASE_NOT_FOUND);
        assertEquals(0, await(server.kv().get(bs("leased"))).getCount(), "the key must not have been written");
        assertEquals(before, currentRevision(server.kv()), "a refused put makes no revision");
    }

    @Test
    void leaseThatWasNeverGrantedIsRefusedInsideATxn() {
        long before = currentRevision(server.kv());
        failure(server.kv().txn().Then(
                        Op.put(bs("leased-txn-plain"), bs("v"), PutOption.DEFAULT),
                        Op.put(bs("leased-txn"), bs("v"), PutOption.builder().withLeaseId(0x1234_5679L).build()))
                .commit())
                .is(ErrorCode.NOT_FOUND, LEASE_NOT_FOUND);
        assertEquals(0, await(server.kv().get(bs("leased-txn"))).getCount());
        assertEquals(0, await(server.kv().get(bs("leased-txn-plain"))).getCount(), "no op of a refused txn is applied");
        assertEquals(before, currentRevision(server.kv()));
    }

    /** Grants a lease, or skips the test while vetcd's Lease service is not implemented. */
    private static long grantedLease() throws InterruptedException {
        CompletableFuture<io.etcd.jetcd.lease.LeaseGrantResponse> grant = server.client().getLeaseClient().grant(60);
        try {
            return grant.get(Jetcd.TIMEOUT_SECONDS, TimeUnit.SECONDS).getID();
        } catch (ExecutionException e) {
            Jetcd.Failure f = Jetcd.failureOf(e.getCause());
            Assumptions.assumeFalse(f.code() == ErrorCode.UNIMPLEMENTED,
                    "the Lease service is not implemented yet: " + f.message());
            throw new AssertionError("LeaseGrant failed: " + f, e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("LeaseGrant hung", e);
        }
    }

    @Test
    void grantedLeaseIsStoredOnTheKey() throws Exception {
        long lease = grantedLease();
        await(server.kv().put(bs("with-lease"), bs("v1"), PutOption.builder().withLeaseId(lease).build()));
        KeyValue now = single(await(server.kv().get(bs("with-lease"))));
        assertEquals(lease, now.getLease());

        // a plain put detaches the key from its lease
        await(server.kv().put(bs("with-lease"), bs("v2")));
        assertEquals(0, single(await(server.kv().get(bs("with-lease")))).getLease());
    }

    @Test
    void ignoreLeaseKeepsTheGrantedLease() throws Exception {
        long lease = grantedLease();
        await(server.kv().put(bs("keep-lease"), bs("v1"), PutOption.builder().withLeaseId(lease).build()));
        server.rawKv().put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("keep-lease"))
                .setValue(ByteString.copyFromUtf8("v2")).setIgnoreLease(true).build());
        KeyValue now = single(await(server.kv().get(bs("keep-lease"))));
        assertEquals("v2", str(now.getValue()));
        assertEquals(lease, now.getLease());
    }

    @Test
    void txnComparesTheGrantedLease() throws Exception {
        long lease = grantedLease();
        await(server.kv().put(bs("cmp-lease"), bs("v"), PutOption.builder().withLeaseId(lease).build()));
        io.vetcd.proto.etcdserverpb.Compare equal = io.vetcd.proto.etcdserverpb.Compare.newBuilder()
                .setKey(ByteString.copyFromUtf8("cmp-lease"))
                .setTarget(io.vetcd.proto.etcdserverpb.Compare.CompareTarget.LEASE)
                .setResult(io.vetcd.proto.etcdserverpb.Compare.CompareResult.EQUAL).setLease(lease).build();
        assertTrue(server.txnWithEtcdProto(io.vetcd.proto.etcdserverpb.TxnRequest.newBuilder().addCompare(equal)
                .build()).getSucceeded());
        var zero = equal.toBuilder().setLease(0).build();
        assertTrue(!server.txnWithEtcdProto(io.vetcd.proto.etcdserverpb.TxnRequest.newBuilder().addCompare(zero)
                .build()).getSucceeded());
    }
}
