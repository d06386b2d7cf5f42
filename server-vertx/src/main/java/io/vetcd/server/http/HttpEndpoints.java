package io.vetcd.server.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vetcd.server.grpc.MemberEndpoints;
import io.vetcd.server.metrics.MetricsEndpoint;

/**
 * The plain HTTP/1.1 side of the client port, like etcd's: {@code GET /health}, {@code GET /version} and
 * {@code GET /metrics}.
 */
public final class HttpEndpoints {
    private static final String HEALTH = "{\"health\":\"true\",\"reason\":\"\"}";
    private static final String VERSION =
            "{\"etcdserver\":\"" + MemberEndpoints.SERVER_VERSION + "\",\"etcdcluster\":\"3.5.0\"}";

    private final MetricsEndpoint metrics;

    public HttpEndpoints(MetricsEndpoint metrics) {
        this.metrics = metrics;
    }

    public void handle(HttpServerRequest request) {
        switch (request.path()) {
            case "/health" -> json(request, HEALTH);
            case "/version" -> json(request, VERSION);
            case "/metrics" -> serveMetrics(request);
            default -> request.response().setStatusCode(404).end("404 page not found\n");
        }
    }

    private static void json(HttpServerRequest request, String body) {
        if (request.method() != HttpMethod.GET) {
            // etcd's handlers allow GET only (HEAD included): 405 with "Allow: GET"
            methodNotAllowed(request, "GET");
        } else {
            request.response().putHeader("Content-Type", "application/json").end(body);
        }
    }

    /**
     * GET, and HEAD (headers only). etcd's promhttp handler answers any method; vetcd refuses the others
     * as it does on {@code /health} and {@code /version}, since a scrape is a GET.
     */
    private void serveMetrics(HttpServerRequest request) {
        if (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD) {
            metrics.serve(request);
        } else {
            methodNotAllowed(request, "GET, HEAD");
        }
    }

    private static void methodNotAllowed(HttpServerRequest request, String allow) {
        request.response().setStatusCode(405).putHeader("Allow", allow).end("Method Not Allowed\n");
    }
}
