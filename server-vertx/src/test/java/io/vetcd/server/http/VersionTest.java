package io.vetcd.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /version} on the client port: the etcd server and cluster versions vetcd implements (API
 * level 3.5), as JSON.
 */
class VersionTest {
    @RegisterExtension
    static final HttpFixture fixture = new HttpFixture();

    @Test
    void serverAndClusterVersion() throws Exception {
        HttpResponse<String> r = fixture.get("/version");
        assertEquals(200, r.statusCode());
        assertEquals("{\"etcdserver\":\"3.5.0\",\"etcdcluster\":\"3.5.0\"}", r.body());
        assertEquals("application/json", r.headers().firstValue("content-type").orElse(null));
    }
}
