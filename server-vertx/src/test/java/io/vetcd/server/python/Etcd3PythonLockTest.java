package io.vetcd.server.python;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vetcd.server.ServerConfig;
import io.vetcd.server.VetcdServer;
import io.vetcd.server.testing.RealEtcd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * python3-etcd3 (0.12)'s own lock recipe ({@code client.lock(name, ttl)}: a txn guarded by the key's create
 * revision, a lease of the lock's TTL, a release guarded by the value) against vetcd: runs
 * {@code src/test/python/etcd3_lock_test.py} (acquire with a TTL, is_acquired, the lock key and its lease's
 * TTL, refresh, release, the context-manager form, a held lock tried with timeout=0, a lock that is no
 * longer refreshed expiring so that a new acquire succeeds at once), which checks every answer itself. The
 * same script runs against a real etcd, so its expectations are etcd's; both runs must pass the same checks.
 *
 * <p>Only paths that never wait are driven: Debian's python3-etcd3 0.12 with Debian's tenacity 8 raises
 * TypeError inside {@code Lock.acquire} when it has to wait for a held lock (a client bug; real etcd too).
 * The server runs with etcd's minimum lease TTL (2 s), as etcd does.
 */
class Etcd3PythonLockTest {
    private static Etcd3Script script;

    @BeforeAll
    static void requirePythonEtcd3() {
        script = Etcd3Script.require("etcd3_lock_test", 45, 90);
    }

    @Test
    void lockScriptPassesAgainstVetcdAndAgainstEtcd() {
        int vetcdChecks;
        try (VetcdServer vetcd = VetcdServer.start(ServerConfig.inMemoryOnFreePort())) {
            vetcdChecks = script.runAgainst("vetcd", vetcd.port());
        }
        int etcdChecks;
        try (RealEtcd etcd = RealEtcd.start()) {
            etcdChecks = script.runAgainst("etcd", etcd.port());
        }
        assertEquals(etcdChecks, vetcdChecks, "the script ran different numbers of checks against etcd and vetcd");
    }
}
