package io.vetcd.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Unknown paths on the client port get Go's {@code http.NotFound} answer, as from etcd: 404 with the body
 * "404 page not found\n"; the gRPC API on the same port is unaffected.
 */
class NotFoundTest {
    @RegisterExtension
    static final HttpFixture fixture = new HttpFixture();

    @ParameterizedTest
    @ValueSource(strings = {"/", "/nope", "/health/extra", "/versions", "/etcdserverpb.KV/Range"})
    void unknownPathIs404(String path) throws Exception {
        HttpResponse<String> r = fixture.get(path);
        assertEquals(404, r.statusCode(), path);
        assertEquals("404 page not found\n", r.body(), path);
    }

    @Test
    void unknownPathWithAnotherMethodIs404Too() throws Exception {
        assertEquals(404, fixture.send("POST", "/nope").statusCode());
        assertEquals(404, fixture.send("DELETE", "/nope").statusCode());
    }

    @Test
    void grpcOnTheSamePortStillWorks() throws Exception {
        fixture.get("/nope");
        try (Client client = Client.builder().endpoints(fixture.server().endpoint()).build()) {
            ByteSequence key = ByteSequence.from("k", StandardCharsets.UTF_8);
            client.getKVClient().put(key, ByteSequence.from("v", StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
            assertEquals(1, client.getKVClient().get(key).get(20, TimeUnit.SECONDS).getCount());
        }
        assertEquals(200, fixture.get("/health").statusCode());
    }
}
