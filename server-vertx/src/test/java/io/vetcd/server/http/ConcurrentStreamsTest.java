package io.vetcd.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vetcd.server.ServerConfig;
import io.vetcd.server.VetcdServer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SETTINGS_MAX_CONCURRENT_STREAMS is etcd's: 2^32-1 unless {@code --max-concurrent-streams} says
 * otherwise. (Vert.x on its own announces 100, which makes a client with many watches or calls in
 * flight on one connection wait.)
 */
@Timeout(30)
class ConcurrentStreamsTest {
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /**
     * The server's SETTINGS as an HTTP/2 client sees them after one request. Vert.x 5.0.7's HTTP/2 client
     * (prior knowledge) now and then never completes a connection: about 1 in 100 in a loop of fresh
     * clients, against vetcd before and after the event-loop changes (commits b8e2595 and 944fe41), while
     * 600 curl {@code --http2-prior-knowledge} requests all succeed and a raw client that sends the preface
     * and waits for the server's SETTINGS got them 500 times out of 500. So a connection that does not
     * come up in 3 s is given up and another client tries, up to 5 times.
     */
    private static long announcedLimit(ServerConfig config) throws Exception {
        try (VetcdServer server = VetcdServer.start(config)) {
            for (int attempt = 1; ; attempt++) {
                HttpClient http = vertx.createHttpClient(new HttpClientOptions()
                        .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
                try {
                    HttpClientRequest req = http.request(HttpMethod.GET, server.port(), "127.0.0.1", "/health")
                            .toCompletionStage().toCompletableFuture().get(3, TimeUnit.SECONDS);
                    req.send().compose(r -> r.body()).toCompletionStage().toCompletableFuture()
                            .get(10, TimeUnit.SECONDS);
                    return req.connection().remoteSettings().getMaxConcurrentStreams();
                } catch (TimeoutException e) {
                    if (attempt == 5) {
                        throw e;
                    }
                } finally {
                    http.close();
                }
            }
        }
    }

    @Test
    void etcdsDefaultIsAnnounced() throws Exception {
        assertEquals(4_294_967_295L, announcedLimit(ServerConfig.inMemoryOnFreePort()));
    }

    @Test
    void theFlagSetsIt() throws Exception {
        ServerConfig d = ServerConfig.inMemoryOnFreePort();
        assertEquals(50, announcedLimit(new ServerConfig(d.name(), null, true, d.listenClientUrls(),
                d.advertiseClientUrls(), d.peerUrls(), d.limits(), d.quotaBackendBytes(), 50)));
    }
}
