package io.vetcd.core.lease;

import static io.vetcd.core.KvTestSupport.await;
import static io.vetcd.core.lease.LeaseTestSupport.awaitTrue;
import static io.vetcd.core.lease.LeaseTestSupport.count;
import static io.vetcd.core.lease.LeaseTestSupport.grant;
import static io.vetcd.core.lease.LeaseTestSupport.put;
import static io.vetcd.core.lease.LeaseTestSupport.ttl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetcd.core.KvStore;
import io.vetcd.core.backend.BackendMeta;
import io.vetcd.core.backend.ChronicleBackend;
import io.vetcd.core.backend.SnapshotFile;
import io.vetcd.proto.etcdserverpb.LeaseRevokeRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KvStore#snapshot} carries the granted leases (id, granted TTL), so a backend filled from it, as
 * {@code vetcd snapshot restore} fills one, starts a store with the leases, their keys attached, each
 * renewed to its full TTL, and expiring as usual (what etcd 3.4 does after {@code etcdctl snapshot
 * restore}).
 */
class LeaseSnapshotTest {
    private static final long QUOTA = 64L << 20;

    @TempDir
    Path temp;

    @Test
    void aSnapshotCarriesTheGrantedLeasesAndARestoredStoreExpiresThem() throws Exception {
        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        BackendMeta taken;
        try (KvStore kv = LeaseTestSupport.store(1)) {
            grant(kv, 10, 3);
            grant(kv, 11, 600);
            grant(kv, 12, 600);
            grant(kv, 13, 1); // raised to nothing: the minimum is 1 here
            put(kv, "short/a", 10);
            put(kv, "short/b", 10);
            put(kv, "long", 11);
            await(kv.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(12).build()));
            taken = await(kv.snapshot(snapshot));
        }
        List<String> leases = new ArrayList<>();
        SnapshotFile.read(new ByteArrayInputStream(snapshot.toByteArray()), v -> {},
                (id, ttl) -> leases.add(id + ":" + ttl));
        assertEquals(List.of("10:3", "11:600", "13:1"), leases, "granted leases in id order, the revoked one not");

        Path dir = temp.resolve("restored");
        try (ChronicleBackend backend = ChronicleBackend.open(dir, QUOTA)) {
            BackendMeta meta = SnapshotFile.read(new ByteArrayInputStream(snapshot.toByteArray()), backend::put,
                    backend::putLease);
            assertEquals(taken, meta);
            backend.commit(meta);
        }
        try (KvStore kv = LeaseTestSupport.store(ChronicleBackend.open(dir, QUOTA), 1)) {
            assertEquals(List.of(10L, 11L, 13L), kv.lessor().ids().stream().sorted().toList());
            assertEquals(3, ttl(kv, 10).getGrantedTTL());
            assertEquals(List.of("short/a", "short/b"),
                    ttl(kv, 10).getKeysList().stream().map(ByteString::toStringUtf8).sorted().toList());
            assertEquals(List.of("long"), ttl(kv, 11).getKeysList().stream().map(ByteString::toStringUtf8).toList());
            assertTrue(ttl(kv, 11).getTTL() >= 599, "renewed to the full TTL at start-up");
            long revision = kv.revision();
            assertEquals(taken.revision(), revision);
            awaitTrue("lease 10 expires on the restored store", () -> count(kv, "short/a") == 0);
            assertEquals(0, count(kv, "short/b"));
            awaitTrue("lease 13 (no keys) expires too", () -> !kv.lessor().ids().contains(13L));
            assertEquals(revision + 1, kv.revision(), "both keys in one revision; a lease with no keys takes none");
            assertEquals(1, count(kv, "long"));
        }
    }
}
