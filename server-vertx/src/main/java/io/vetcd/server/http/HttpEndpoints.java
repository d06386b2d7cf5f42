package io.vetcd.server.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vetcd.server.grpc.MemberEndpoints;

/** The plain HTTP/1.1 side of the client port: {@code GET /health} and {@code GET /version}, like etcd's. */
public final class HttpEndpoints {
    private static final String HEALTH = "{\"health\":\"true\",\"reason\":\"\"}";
    private static final String VERSION =
            "{\"etcdserver\":\"" + MemberEndpoints.SERVER_VERSION + "\",\"etcdcluster\":\"3.5.0\"}";

    private HttpEndpoints() {}

    public static void handle(HttpServerRequest request) {
        String body = switch (request.path()) {
            case "/health" -> HEALTH;
            case "/version" -> VERSION;
            default -> null;
        };
        if (body == null) {
            request.response().setStatusCode(404).end("404 page not found\n");
        } else if (request.method() != HttpMethod.GET) {
            // etcd's handlers allow GET only (HEAD included): 405 with "Allow: GET"
            request.response().setStatusCode(405).putHeader("Allow", "GET").end("Method Not Allowed\n");
        } else {
            request.response().putHeader("Content-Type", "application/json").end(body);
        }
    }
}
