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
import io.vetcd.core.backend.ChronicleBackend;
import io.vetcd.proto.etcdserverpb.LeaseRevokeRequest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leases survive a restart with the Chronicle backend: the granted TTL is kept, the deadline is renewed
 * to a full TTL from the start-up (etcd's rule), keys are attached again from their lease field, and
 * expiry after the restart still deletes them. A revoked lease stays gone.
 */
class LeasePersistenceTest {
    private static final long QUOTA = 64L << 20;

    @TempDir
    Path dataDir;

    private KvStore open(long minTtl) {
        return LeaseTestSupport.store(ChronicleBackend.open(dataDir, QUOTA), minTtl);
    }

    @Test
    void leasesSurviveARestartRenewedAndStillExpire() throws Exception {
        try (KvStore kv = open(1)) {
            grant(kv, 10, 3);
            grant(kv, 11, 600);
            grant(kv, 12, 600);
            put(kv, "short/a", 10);
            put(kv, "short/b", 10);
            put(kv, "long", 11);
            await(kv.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(12).build()));
        }
        try (KvStore kv = open(1)) {
            assertEquals(List.of(10L, 11L), kv.lessor().ids().stream().sorted().toList());
            assertEquals(3, ttl(kv, 10).getGrantedTTL());
            assertEquals(2, ttl(kv, 10).getTTL(), "renewed to the full TTL at start-up (2.99 s truncated)");
            assertEquals(List.of("short/a", "short/b"),
                    ttl(kv, 10).getKeysList().stream().map(ByteString::toStringUtf8).sorted().toList());
            assertEquals(List.of("long"), ttl(kv, 11).getKeysList().stream().map(ByteString::toStringUtf8).toList());
            assertEquals(-1, ttl(kv, 12).getTTL());
            long revision = kv.revision();
            awaitTrue("lease 10 expires after the restart", () -> count(kv, "short/a") == 0);
            assertEquals(0, count(kv, "short/b"));
            assertEquals(revision + 1, kv.revision(), "both keys in one revision");
            assertEquals(1, count(kv, "long"));
        }
        try (KvStore kv = open(1)) {
            assertEquals(List.of(11L), kv.lessor().ids());
            assertTrue(ttl(kv, 11).getTTL() >= 599);
        }
    }
}
