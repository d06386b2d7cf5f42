package io.vetcd.server.lease;

import static io.vetcd.server.lease.LeaseServer.eventually;
import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.vetcd.server.ServerConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leases kept in the data dir: a lease and its keys survive a restart; as etcd does at start-up, the
 * lease's remaining TTL is renewed to its full TTL (so a lease that had nearly run out gets its whole TTL
 * again); after the restart it still expires and deletes its keys; a revoked lease stays revoked.
 */
class LeaseRestartTest {
    @TempDir
    Path dataDir;

    private LeaseServer start() {
        return LeaseServer.start(ServerConfig.persistentOnFreePort(dataDir).withMinLeaseTtlSeconds(1));
    }

    private static LeaseTimeToLiveResponse ttl(LeaseServer s, long id) {
        return await(s.client.getLeaseClient().timeToLive(id, LeaseOption.builder().withAttachedKeys().build()));
    }

    private static List<String> keys(LeaseTimeToLiveResponse r) {
        return r.getKeys().stream().map(ByteSequence::toString).sorted().toList();
    }

    @Test
    void leasesSurviveARestartRenewedAndExpireAfterIt() throws Exception {
        long longLease;
        long shortLease;
        long revoked;
        try (LeaseServer s = start()) {
            var lease = s.client.getLeaseClient();
            var kv = s.client.getKVClient();
            longLease = await(lease.grant(60)).getID();
            shortLease = await(lease.grant(4)).getID();
            revoked = await(lease.grant(60)).getID();
            await(kv.put(bs("long/a"), bs("1"), PutOption.builder().withLeaseId(longLease).build()));
            await(kv.put(bs("short/a"), bs("2"), PutOption.builder().withLeaseId(shortLease).build()));
            await(kv.put(bs("short/b"), bs("3"), PutOption.builder().withLeaseId(shortLease).build()));
            await(kv.put(bs("revoked/a"), bs("4"), PutOption.builder().withLeaseId(revoked).build()));
            await(lease.revoke(revoked));
            Thread.sleep(2_200); // the short lease has less than 2 s left when the server stops
            assertTrue(ttl(s, shortLease).getTTL() <= 2, "remaining " + ttl(s, shortLease).getTTL());
        }
        long restarted = System.nanoTime();
        try (LeaseServer s = start()) {
            var kv = s.client.getKVClient();
            LeaseTimeToLiveResponse l = ttl(s, longLease);
            assertEquals(60, l.getGrantedTTL());
            assertTrue(l.getTTL() >= 58, "renewed at start-up: " + l.getTTL());
            assertEquals(List.of("long/a"), keys(l));
            LeaseTimeToLiveResponse sh = ttl(s, shortLease);
            assertEquals(4, sh.getGrantedTTL());
            assertTrue(sh.getTTL() >= 2, "the short lease got its whole TTL again: " + sh.getTTL());
            assertEquals(List.of("short/a", "short/b"), keys(sh));
            assertEquals(-1, ttl(s, revoked).getTTL(), "a revoked lease stays revoked");
            assertEquals(0, await(kv.get(bs("revoked/a"))).getCount());
            assertEquals(1, await(kv.get(bs("short/a"))).getCount());
            long revision = await(kv.get(bs("short/a"))).getHeader().getRevision();
            assertTrue(eventually(8_000, () -> await(kv.get(bs("short/a"))).getCount() == 0
                    && await(kv.get(bs("short/b"))).getCount() == 0), "the short lease expired after the restart");
            long seconds = (System.nanoTime() - restarted) / 1_000_000_000L;
            assertTrue(seconds >= 3, "expired " + seconds + " s after the restart: not renewed to 4 s");
            assertEquals(revision + 1, await(kv.get(bs("short/a"))).getHeader().getRevision(),
                    "both keys deleted in one revision");
            assertEquals(-1, ttl(s, shortLease).getTTL());
            assertEquals(1, await(kv.get(bs("long/a"))).getCount());
        }
        try (LeaseServer s = start()) {
            assertEquals(-1, ttl(s, shortLease).getTTL(), "the expiry itself was kept");
            assertEquals(0, await(s.client.getKVClient().get(bs("short/a"))).getCount());
            assertEquals(List.of("long/a"), keys(ttl(s, longLease)));
        }
    }
}
