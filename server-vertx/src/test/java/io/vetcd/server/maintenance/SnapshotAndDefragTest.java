package io.vetcd.server.maintenance;

import static io.vetcd.server.maintenance.PersistentServer.describe;
import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.vetcd.proto.etcdserverpb.LeaseLeasesRequest;
import io.vetcd.proto.etcdserverpb.LeaseLeasesResponse;
import io.vetcd.proto.etcdserverpb.LeaseStatus;
import io.vetcd.server.ServerConfig;
import io.vetcd.server.cli.VetcdCommand;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code Maintenance.Snapshot} streams a point-in-time copy that {@code vetcd snapshot restore} turns
 * into a data dir holding the same history and leases (an old, format-1 snapshot still restores, without
 * leases); {@code Maintenance.Defragment} shrinks the backend's size to
 * what is retained after a compaction.
 */
class SnapshotAndDefragTest {
    @TempDir
    Path temp;

    private static GetResponse all(KV kv) {
        return await(kv.get(bs("\0"), GetOption.builder().withRange(bs("\0")).build()));
    }

    @Test
    void aSnapshotRestoresToTheSameHistory() throws Exception {
        Path snapshot = temp.resolve("snap.db");
        GetResponse before;
        int hash;
        long size;
        try (PersistentServer s = PersistentServer.start(ServerConfig.persistentOnFreePort(temp.resolve("a")))) {
            for (int i = 0; i < 200; i++) {
                await(s.kv().put(bs("key" + (i % 50)), bs("value" + i)));
            }
            await(s.kv().delete(bs("key7")));
            await(s.kv().compact(100));
            before = all(s.kv());
            hash = await(s.maintenance().hashKV(s.endpoint(), 0)).getHash();
            try (OutputStream out = Files.newOutputStream(snapshot)) {
                size = await(s.maintenance().snapshot(out));
            }
            await(s.kv().put(bs("after-the-snapshot"), bs("x")));
        }
        assertTrue(size > 0 && size == Files.size(snapshot), size + " bytes streamed");

        Path restored = temp.resolve("restored");
        int exit = new CommandLine(new VetcdCommand()).execute("snapshot", "restore", snapshot.toString(),
                "--data-dir", restored.toString());
        assertEquals(0, exit);
        assertEquals(1, new CommandLine(new VetcdCommand()).execute("snapshot", "restore", snapshot.toString(),
                "--data-dir", restored.toString()), "restore refuses a data dir that exists");
        try (PersistentServer s = PersistentServer.start(ServerConfig.persistentOnFreePort(restored))) {
            GetResponse after = all(s.kv());
            assertEquals(describe(before.getKvs()), describe(after.getKvs()));
            assertEquals(before.getHeader().getRevision(), after.getHeader().getRevision());
            assertEquals(hash, await(s.maintenance().hashKV(s.endpoint(), 0)).getHash());
            assertEquals(100, await(s.maintenance().hashKV(s.endpoint(), 0)).getCompacted());
        }
    }

    /**
     * What etcd 3.4 does (checked with etcdctl: grant, put with the lease, {@code snapshot save},
     * {@code snapshot restore}, start etcd on the new dir): {@code lease list} shows the leases, {@code lease
     * timetolive --keys} their granted TTL, a remaining TTL renewed to the full TTL at start-up and their
     * keys; a lease then expires as usual and deletes its keys in one revision; one with no keys takes none.
     */
    @Test
    void aSnapshotCarriesTheLeasesAndTheRestoredServerExpiresThem() throws Exception {
        Path snapshot = temp.resolve("leases.db");
        long shortLease;
        long longLease;
        long emptyLease;
        long revision;
        try (PersistentServer s = PersistentServer.start(
                ServerConfig.persistentOnFreePort(temp.resolve("a")).withMinLeaseTtlSeconds(1))) {
            Lease lease = s.client.getLeaseClient();
            shortLease = await(lease.grant(3)).getID();
            longLease = await(lease.grant(600)).getID();
            emptyLease = await(lease.grant(2)).getID();
            long revoked = await(lease.grant(600)).getID();
            await(s.kv().put(bs("short/a"), bs("1"), PutOption.builder().withLeaseId(shortLease).build()));
            await(s.kv().put(bs("short/b"), bs("2"), PutOption.builder().withLeaseId(shortLease).build()));
            await(s.kv().put(bs("long"), bs("3"), PutOption.builder().withLeaseId(longLease).build()));
            await(s.kv().put(bs("plain"), bs("4")));
            await(lease.revoke(revoked));
            revision = all(s.kv()).getHeader().getRevision();
            try (OutputStream out = Files.newOutputStream(snapshot)) {
                await(s.maintenance().snapshot(out));
            }
        }

        Path restored = temp.resolve("restored");
        assertEquals(0, new CommandLine(new VetcdCommand()).execute("snapshot", "restore", snapshot.toString(),
                "--data-dir", restored.toString()));
        try (PersistentServer s = PersistentServer.start(
                ServerConfig.persistentOnFreePort(restored).withMinLeaseTtlSeconds(1))) {
            Lease lease = s.client.getLeaseClient();
            assertEquals(List.of(shortLease, longLease, emptyLease).stream().sorted().toList(), leaseIds(s));
            LeaseTimeToLiveResponse shortTtl = await(lease.timeToLive(shortLease, WITH_KEYS));
            assertEquals(3, shortTtl.getGrantedTTL());
            assertEquals(List.of("short/a", "short/b"), keys(shortTtl));
            LeaseTimeToLiveResponse longTtl = await(lease.timeToLive(longLease, WITH_KEYS));
            assertEquals(600, longTtl.getGrantedTTL());
            assertTrue(longTtl.getTTL() >= 598, "renewed to the full TTL at start-up: " + longTtl.getTTL());
            assertEquals(List.of("long"), keys(longTtl));
            assertEquals(revision, all(s.kv()).getHeader().getRevision());

            awaitTrue("the short lease's keys are deleted on the restored server",
                    () -> await(s.kv().get(bs("short/a"))).getCount() == 0);
            assertEquals(0, await(s.kv().get(bs("short/b"))).getCount());
            awaitTrue("the lease with no keys expires", () -> !leaseIds(s).contains(emptyLease));
            assertEquals(-1, await(lease.timeToLive(shortLease, WITH_KEYS)).getTTL(), "the expired lease is gone");
            assertEquals(List.of(longLease), leaseIds(s));
            assertEquals(revision + 1, all(s.kv()).getHeader().getRevision(), "both keys deleted in one revision");
            assertEquals(List.of("long", "plain"), all(s.kv()).getKvs().stream().map(kv -> kv.getKey().toString()).toList());
        }
    }

    /**
     * A snapshot from vetcd before snapshots kept leases (format 1; saved with etcdctl from a server holding
     * lease 0x1234 of TTL 600 on key "leased", and key "plain") still restores: the keys and revision are
     * there, no lease is, and the leased key keeps its lease id, attached to nothing.
     */
    @Test
    void aFormat1SnapshotStillRestoresWithNoLease() throws Exception {
        Path snapshot = temp.resolve("format1.db");
        try (InputStream in = SnapshotAndDefragTest.class.getResourceAsStream("format1-with-lease.db")) {
            Files.copy(in, snapshot);
        }
        Path restored = temp.resolve("restored-format1");
        assertEquals(0, new CommandLine(new VetcdCommand()).execute("snapshot", "restore", snapshot.toString(),
                "--data-dir", restored.toString()));
        try (PersistentServer s = PersistentServer.start(
                ServerConfig.persistentOnFreePort(restored).withMinLeaseTtlSeconds(1))) {
            GetResponse kvs = all(s.kv());
            assertEquals(3, kvs.getHeader().getRevision());
            assertEquals(List.of("leased=v create 2 mod 2 version 1 lease 4660", "plain=p create 3 mod 3 version 1 lease 0"),
                    describe(kvs.getKvs()));
            assertEquals(List.of(), leaseIds(s));
            assertEquals(-1, await(s.client.getLeaseClient().timeToLive(0x1234, WITH_KEYS)).getTTL());
        }
    }

    private static final LeaseOption WITH_KEYS = LeaseOption.builder().withAttachedKeys().build();

    private static List<String> keys(LeaseTimeToLiveResponse r) {
        return r.getKeys().stream().map(ByteSequence::toString).sorted().toList();
    }

    /** LeaseLeases over grpc-java (jetcd 0.8.7 has no call for it), ids sorted. */
    private static List<Long> leaseIds(PersistentServer s) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", s.server.port()).usePlaintext().build();
        try {
            LeaseLeasesResponse r = ClientCalls.blockingUnaryCall(channel, LEASES, CallOptions.DEFAULT
                    .withDeadlineAfter(20, TimeUnit.SECONDS), LeaseLeasesRequest.getDefaultInstance());
            return r.getLeasesList().stream().map(LeaseStatus::getID).sorted().toList();
        } finally {
            channel.shutdownNow();
        }
    }

    private static final MethodDescriptor<LeaseLeasesRequest, LeaseLeasesResponse> LEASES =
            MethodDescriptor.<LeaseLeasesRequest, LeaseLeasesResponse>newBuilder()
                    .setType(MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName("etcdserverpb.Lease/LeaseLeases")
                    .setRequestMarshaller(ProtoUtils.marshaller(LeaseLeasesRequest.getDefaultInstance()))
                    .setResponseMarshaller(ProtoUtils.marshaller(LeaseLeasesResponse.getDefaultInstance()))
                    .build();

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void restoreRefusesAFileThatIsNotASnapshot() throws Exception {
        Path junk = Files.writeString(temp.resolve("junk.db"), "not a snapshot");
        Path dir = temp.resolve("never");
        assertEquals(1, new CommandLine(new VetcdCommand()).execute("snapshot", "restore", junk.toString(),
                "--data-dir", dir.toString()));
        assertTrue(Files.notExists(dir), "a failed restore leaves no data dir behind");
    }

    @Test
    void defragmentShrinksTheBackendToWhatIsRetained() {
        try (PersistentServer s = PersistentServer.start(ServerConfig.persistentOnFreePort(temp.resolve("d")))) {
            long revision = 0;
            for (int i = 0; i < 300; i++) {
                revision = await(s.kv().put(bs("k" + (i % 10)), bs("v".repeat(500)))).getHeader().getRevision();
            }
            await(s.kv().compact(revision));
            StatusResponse compacted = await(s.maintenance().statusMember(s.endpoint()));
            assertTrue(compacted.getDbSize() > compacted.getDbSizeInUse() * 5,
                    compacted.getDbSize() + " vs in use " + compacted.getDbSizeInUse());
            await(s.maintenance().defragmentMember(s.endpoint()));
            StatusResponse defragmented = await(s.maintenance().statusMember(s.endpoint()));
            assertEquals(defragmented.getDbSizeInUse(), defragmented.getDbSize());
            assertNotEquals(compacted.getDbSize(), defragmented.getDbSize());
            assertEquals(10, all(s.kv()).getCount(), "defragmentation keeps every key");
        }
    }
}
