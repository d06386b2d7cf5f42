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

    /** The server's SETTINGS as an HTTP/2 client sees them after one request. */
    private static long announcedLimit(ServerConfig config) throws Exception {
        try (VetcdServer server = VetcdServer.start(config)) {
            HttpClient http = vertx.createHttpClient(new HttpClientOptions()
                    .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
            try {
                HttpClientRequest req = http.request(HttpMethod.GET, server.port(), "127.0.0.1", "/health")
                        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                req.send().compose(r -> r.body()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                return req.connection().remoteSettings().getMaxConcurrentStreams();
            } finally {
                http.close();
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
