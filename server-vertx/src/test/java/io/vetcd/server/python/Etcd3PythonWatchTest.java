package io.vetcd.server.python;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vetcd.server.ServerConfig;
import io.vetcd.server.VetcdServer;
import io.vetcd.server.testing.RealEtcd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * python3-etcd3 (0.12) watches against vetcd: runs {@code src/test/python/etcd3_watch_test.py} (watch,
 * watch_prefix, watch_once, add_watch_callback, add_watch_prefix_callback, cancel_watch; range_end,
 * start_revision, prev_kv, filters, a compacted start revision), which checks every answer itself. The
 * same script runs against a real etcd, so its expectations are etcd's; both runs must pass the same checks.
 */
class Etcd3PythonWatchTest {
    private static Etcd3Script script;

    @BeforeAll
    static void requirePythonEtcd3() {
        script = Etcd3Script.require("etcd3_watch_test", 25, 90);
    }

    @Test
    void watchScriptPassesAgainstVetcdAndAgainstEtcd() {
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
