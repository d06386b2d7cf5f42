package io.vetcd.server.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.CampaignRequest;
import io.etcd.jetcd.api.ElectionGrpc;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.LeaderKey;
import io.etcd.jetcd.api.LeaderRequest;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.ProclaimRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.ResignRequest;
import io.etcd.jetcd.api.lock.LockGrpc;
import io.etcd.jetcd.api.lock.LockRequest;
import io.etcd.jetcd.api.lock.UnlockRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.vetcd.server.ServerConfig;
import io.vetcd.server.VetcdServer;
import io.vetcd.server.testing.RealEtcd;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The errors (and error-free answers) of the Lock and Election services for requests that cannot
 * succeed, compared between a real etcd 3.4 and vetcd: the same raw gRPC calls, the same gRPC code and
 * message expected from both.
 */
class LockElectionErrorsTest {

    @Test
    void sameOutcomesAsEtcd() {
        List<String> etcd;
        try (RealEtcd real = RealEtcd.start()) {
            etcd = scenario("127.0.0.1", real.port());
        }
        System.out.println("etcd:  " + String.join("\n       ", etcd));
        List<String> vetcd;
        try (VetcdServer server = VetcdServer.start(ServerConfig.inMemoryOnFreePort())) {
            vetcd = scenario("127.0.0.1", java.net.URI.create(server.endpoint()).getPort());
        }
        assertEquals(String.join("\n", etcd), String.join("\n", vetcd));
    }

    private static List<String> scenario(String host, int port) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress(host, port).usePlaintext().build();
        try {
            LockGrpc.LockBlockingStub lock = LockGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
            ElectionGrpc.ElectionBlockingStub election =
                    ElectionGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
            LeaseGrpc.LeaseBlockingStub lease = LeaseGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
            KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
            List<String> out = new ArrayList<>();
            ByteString name = ByteString.copyFromUtf8("probe");
            out.add("lock unknown lease: " + outcome(() -> lock.lock(LockRequest.newBuilder().setName(name)
                    .setLease(0x1234).build()).getKey().toStringUtf8()));
            out.add("campaign unknown lease: " + outcome(() -> election.campaign(CampaignRequest.newBuilder()
                    .setName(name).setLease(0x1234).setValue(ByteString.copyFromUtf8("v")).build()).getLeader()
                    .getKey().toStringUtf8()));
            out.add("leader none: " + outcome(() -> election.leader(LeaderRequest.newBuilder().setName(name).build())
                    .getKv().getKey().toStringUtf8()));
            out.add("proclaim no leader field: " + outcome(() -> election.proclaim(ProclaimRequest.newBuilder()
                    .setValue(ByteString.copyFromUtf8("v")).build()).hasHeader()));
            out.add("resign no leader field: " + outcome(() -> election.resign(ResignRequest.newBuilder().build())
                    .hasHeader()));
            long id = lease.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build()).getID();
            ByteString key = ByteString.copyFromUtf8("probe/" + Long.toHexString(id));
            out.add("proclaim not leader: " + outcome(() -> election.proclaim(ProclaimRequest.newBuilder()
                    .setLeader(LeaderKey.newBuilder().setName(name).setKey(key).setRev(99).setLease(id))
                    .setValue(ByteString.copyFromUtf8("v")).build()).hasHeader()));
            out.add("resign not leader: " + outcome(() -> election.resign(ResignRequest.newBuilder()
                    .setLeader(LeaderKey.newBuilder().setName(name).setKey(key).setRev(99).setLease(id)).build())
                    .hasHeader()));
            out.add("unlock absent: " + outcome(() -> lock.unlock(UnlockRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8("nothing/here")).build()).hasHeader()));
            out.add("lock: " + outcome(() -> lock.lock(LockRequest.newBuilder().setName(name).setLease(id).build())
                    .getKey().equals(key)));
            out.add("lock again same lease: " + outcome(() -> lock.lock(LockRequest.newBuilder().setName(name)
                    .setLease(id).build()).getKey().equals(key)));
            out.add("campaign same key: " + outcome(() -> election.campaign(CampaignRequest.newBuilder()
                    .setName(name).setLease(id).setValue(ByteString.copyFromUtf8("v2")).build()).getLeader()
                    .getKey().equals(key)));
            out.add("leader value: " + outcome(() -> election.leader(LeaderRequest.newBuilder().setName(name).build())
                    .getKv().getValue().toStringUtf8()));
            out.add("unlock: " + outcome(() -> lock.unlock(UnlockRequest.newBuilder().setKey(key).build()).hasHeader()));
            out.add("after: " + outcome(() -> kv.range(RangeRequest.newBuilder().setKey(name)
                    .setRangeEnd(ByteString.copyFromUtf8("probe0")).build()).getCount()));
            out.add("lock lease 0: " + outcome(() -> lock.lock(LockRequest.newBuilder()
                    .setName(ByteString.copyFromUtf8("zero")).build()).getKey().toStringUtf8().startsWith("zero/")));
            out.add("lease 0 key has a lease: " + outcome(() -> kv.range(RangeRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8("zero/")).setRangeEnd(ByteString.copyFromUtf8("zero0")).build())
                    .getKvs(0).getLease() != 0));
            return out;
        } finally {
            channel.shutdownNow();
        }
    }

    private static String outcome(Supplier<Object> call) {
        try {
            return "ok " + call.get();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() + " " + e.getStatus().getDescription();
        }
    }
}
