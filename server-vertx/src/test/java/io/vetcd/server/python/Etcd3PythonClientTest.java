package io.vetcd.server.python;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vetcd.server.ServerConfig;
import io.vetcd.server.VetcdServer;
import io.vetcd.server.testing.FreePort;
import io.vetcd.server.testing.RealEtcd;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Debian's python3-etcd3 (0.12) against vetcd: runs {@code src/test/python/etcd3_client_test.py}, which
 * exercises put, get, get_prefix, get_range with sorting, transactions, replace, delete, delete_prefix,
 * status, members and compaction and checks every answer itself. The same script also runs against a real
 * etcd, so its expectations are checked to be etcd's; both runs must pass the same number of checks.
 */
class Etcd3PythonClientTest {
    private static Etcd3Script script;

    @BeforeAll
    static void requirePythonEtcd3() {
        script = Etcd3Script.require("etcd3_client_test", 100, 60);
    }

    @Test
    void scriptPassesAgainstVetcdAndAgainstEtcd() {
        int vetcdChecks;
        // An explicit free port rather than port 0, so that the member list advertises the URL clients use.
        ServerConfig defaults = ServerConfig.inMemoryOnFreePort();
        ServerConfig config = new ServerConfig(defaults.name(), null, true,
                List.of(URI.create("http://127.0.0.1:" + FreePort.next())), List.of(), defaults.peerUrls(),
                defaults.limits(), defaults.quotaBackendBytes(), defaults.maxConcurrentStreams());
        try (VetcdServer vetcd = VetcdServer.start(config)) {
            vetcdChecks = script.runAgainst("vetcd", vetcd.port());
        }
        int etcdChecks;
        try (RealEtcd etcd = RealEtcd.start()) {
            etcdChecks = script.runAgainst("etcd", etcd.port());
        }
        assertEquals(etcdChecks, vetcdChecks, "the script ran different numbers of checks against etcd and vetcd");
    }
}
