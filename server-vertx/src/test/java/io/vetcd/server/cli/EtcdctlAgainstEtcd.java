package io.vetcd.server.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of the etcdctl tests: one {@link EtcdAndVetcd} pair per test class, started before its tests and
 * closed after them; the tests of a class share it, each working under its own key prefix.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EtcdctlAgainstEtcd {
    protected EtcdAndVetcd servers;

    @BeforeAll
    void startServers() {
        servers = EtcdAndVetcd.start();
    }

    @AfterAll
    void stopServers() {
        if (servers != null) {
            servers.close();
        }
    }
}
