package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.vetcd.server.testing.Jetcd;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The services vetcd does not implement yet (Auth) answer with the gRPC
 * status UNIMPLEMENTED, through jetcd's own clients: a proper status, which jetcd treats as final, not a
 * reset or broken stream (which jetcd would see as UNAVAILABLE/INTERNAL/CANCELLED and retry). The KV
 * service on the same connection keeps working. Real etcd implements them all, so against it
 * ({@code -Dvetcd.jetcd.target=etcd}) this class is skipped.
 */
class UnimplementedServicesTest {
    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();
    private static Client client;

    @BeforeAll
    static void start() {
        Assumptions.assumeFalse(server.isRealEtcd(), "etcd implements every service");
        client = server.client();
        await(client.getKVClient().put(bs("k"), bs("v")));
    }

    @AfterEach
    void kvStillWorksOnTheSameConnection() {
        assertEquals(1, await(client.getKVClient().get(bs("k"))).getCount());
    }

    private static void unimplemented(CompletableFuture<?> call) {
        Jetcd.Failure f = failure(call);
        assertEquals(ErrorCode.UNIMPLEMENTED, f.code(), () -> "got " + f);
    }

    @Test
    void authUserList() {
        unimplemented(client.getAuthClient().userList());
    }

    @Test
    void authEnable() {
        unimplemented(client.getAuthClient().authEnable());
    }
}
