package io.vetcd.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /health} on the client port: 200 and etcd 3.5's body for a healthy member. */
class HealthTest {
    @RegisterExtension
    static final HttpFixture fixture = new HttpFixture();

    @Test
    void healthyMember() throws Exception {
        HttpResponse<String> r = fixture.get("/health");
        assertEquals(200, r.statusCode());
        assertEquals("{\"health\":\"true\",\"reason\":\"\"}", r.body());
    }

    @Test
    void answersEveryTime() throws Exception {
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = fixture.get("/health");
            assertEquals(200, r.statusCode());
            assertEquals("{\"health\":\"true\",\"reason\":\"\"}", r.body());
        }
    }

    @Test
    void queryParametersDoNotChangeTheAnswer() throws Exception {
        HttpResponse<String> r = fixture.get("/health?serializable=true");
        assertEquals(200, r.statusCode());
        assertEquals("{\"health\":\"true\",\"reason\":\"\"}", r.body());
    }
}
