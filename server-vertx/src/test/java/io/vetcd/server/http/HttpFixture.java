package io.vetcd.server.http;

import io.vetcd.server.ServerConfig;
import io.vetcd.server.VetcdServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An in-process vetcd and a {@link HttpClient} (HTTP/1.1) on its client port, for one test class: register it
 * with {@code @RegisterExtension static final HttpFixture fixture = new HttpFixture();} and the server is
 * started before the class's tests and closed after them.
 */
final class HttpFixture implements BeforeAllCallback, AfterAllCallback {
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private VetcdServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = VetcdServer.start(ServerConfig.inMemoryOnFreePort());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
        }
    }

    VetcdServer server() {
        return server;
    }

    HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.endpoint() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, method.equals("POST") || method.equals("PUT")
                        ? HttpRequest.BodyPublishers.ofString("{}") : HttpRequest.BodyPublishers.noBody())
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path);
    }
}
