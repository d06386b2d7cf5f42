package io.vetcd.server.differential;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of the differential tests: one fresh {@link Pair} per test class. Every step of every test goes
 * to both servers, so their revisions stay in step across the tests of a class; each test works under
 * its own key prefix so the tests of a class do not depend on each other's keys.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AgainstEtcd {
    protected Pair pair;

    @BeforeAll
    void startServers() {
        pair = Pair.start();
    }

    @AfterEach
    void compare() {
        if (pair != null) {
            pair.assertNoMismatch();
        }
    }

    @AfterAll
    void stopServers() {
        if (pair != null) {
            pair.close();
        }
    }

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    /** The single byte 0: as a range end, "every key from the start key on". */
    static final ByteSequence FROM_KEY = ByteSequence.from(new byte[] {0});
}
