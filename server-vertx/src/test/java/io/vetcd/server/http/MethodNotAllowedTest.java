package io.vetcd.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code /health} and {@code /version} answer GET only. Any other method gets what etcd sends: 405
 * "Method Not Allowed" with {@code Allow: GET} ({@code etcdhttp/metrics.go NewHealthHandler}:
 * {@code r.Method != http.MethodGet}; {@code etcdhttp/base.go serveVersion} → {@code allowMethod(w, r, "GET")}).
 * That includes HEAD: Go's handlers see HEAD as its own method. {@code /metrics} answers GET and HEAD
 * and refuses the others the same way (etcd's promhttp handler would answer them: a scrape is a GET).
 */
class MethodNotAllowedTest {
    @RegisterExtension
    static final HttpFixture fixture = new HttpFixture();

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"POST, /health", "PUT, /health", "DELETE, /health", "POST, /version", "PUT, /version",
            "POST, /metrics", "DELETE, /metrics"})
    void otherMethodsAre405WithAllowGet(String method, String path) throws Exception {
        HttpResponse<String> r = fixture.send(method, path);
        assertEquals(405, r.statusCode());
        assertEquals("Method Not Allowed\n", r.body());
        String allow = r.headers().firstValue("allow").orElse("");
        assertEquals(true, allow.contains("GET"), "Allow: " + allow);
    }

    @ParameterizedTest(name = "HEAD {0}")
    @CsvSource({"/health", "/version"})
    void headIs405LikeEveryOtherMethod(String path) throws Exception {
        HttpResponse<String> r = fixture.send("HEAD", path);
        assertEquals(405, r.statusCode());
        assertEquals("GET", r.headers().firstValue("allow").orElse(null));
    }

    @Test
    void getStillWorksAfterwards() throws Exception {
        fixture.send("POST", "/health");
        assertEquals(200, fixture.get("/health").statusCode());
    }
}
