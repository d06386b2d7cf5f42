package io.vetcd.server.lock;

import static io.vetcd.server.lock.LockServer.keys;
import static io.vetcd.server.testing.Jetcd.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.lock.LockResponse;
import io.etcd.jetcd.support.CloseableClient;
import io.etcd.jetcd.support.Observers;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Randomized rounds of jetcd lockers on one name, each with its own client and a 1 s lease kept alive:
 * holders unlock, revoke their lease, or are "killed" (their client closed while holding, so the lease
 * expires). At no time do two lockers hold the lock; every acquisition after a kill comes within the TTL
 * (plus slack); nothing is left under the name at the end.
 */
class LockChaosTest {
    private static final int WORKERS = 4;
    private static final int ACQUISITIONS_PER_WORKER = 15;

    @Test
    void neverTwoHolders() throws Exception {
        long seed = Long.getLong("vetcd.chaos.seed", System.nanoTime());
        System.out.println("LockChaosTest seed " + seed);
        try (LockServer server = LockServer.start()) {
            AtomicInteger holders = new AtomicInteger();
            AtomicInteger maxHolders = new AtomicInteger();
            AtomicLong killedAt = new AtomicLong();
            List<Long> afterKillMillis = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger kills = new AtomicInteger();
            AtomicInteger revokes = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                SplittableRandom random = new SplittableRandom(seed + w);
                workers.add(pool.submit(() -> {
                    for (int i = 0; i < ACQUISITIONS_PER_WORKER; i++) {
                        Client client = Client.builder().endpoints(server.endpoint()).build();
                        try {
                            long lease = client.getLeaseClient().grant(1).get(10, TimeUnit.SECONDS).getID();
                            CloseableClient keepAlive = client.getLeaseClient().keepAlive(lease,
                                    Observers.observer(r -> { }));
                            LockResponse held = client.getLockClient().lock(bs("chaos"), lease)
                                    .get(30, TimeUnit.SECONDS);
                            int now = holders.incrementAndGet();
                            maxHolders.accumulateAndGet(now, Math::max);
                            long killed = killedAt.getAndSet(0);
                            if (killed != 0) {
                                afterKillMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
                            }
                            Thread.sleep(random.nextInt(30));
                            int action = random.nextInt(10);
                            holders.decrementAndGet(); // no longer acting as the holder from here on
                            if (action == 0) {
                                kills.incrementAndGet();
                                killedAt.set(System.nanoTime());
                                keepAlive.close();
                                client.close(); // a dead client: its lease expires in about 1 s
                                client = null;
                            } else if (action == 1) {
                                revokes.incrementAndGet();
                                client.getLeaseClient().revoke(lease).get(10, TimeUnit.SECONDS);
                                keepAlive.close();
                            } else {
                                client.getLockClient().unlock(held.getKey()).get(10, TimeUnit.SECONDS);
                                keepAlive.close();
                                client.getLeaseClient().revoke(lease).get(10, TimeUnit.SECONDS);
                            }
                        } finally {
                            if (client != null) {
                                client.close();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(5, TimeUnit.MINUTES);
            }
            pool.shutdown();
            System.out.println("LockChaosTest: " + WORKERS * ACQUISITIONS_PER_WORKER + " acquisitions, "
                    + kills + " kills, " + revokes + " revokes; acquisition after a kill (ms): " + afterKillMillis);
            assertEquals(1, maxHolders.get(), "never two holders at once");
            for (long ms : afterKillMillis) {
                assertTrue(ms < 3000, "the lock passed " + ms + " ms after its holder died (TTL 1 s)");
            }
            try (Client check = Client.builder().endpoints(server.endpoint()).build()) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!keys(check, "chaos/").isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals(List.of(), keys(check, "chaos/"));
            }
        }
    }
}
