package io.vetcd.server.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vetcd.core.KvStore;
import io.vetcd.server.grpc.MemberEndpoints;
import io.vetcd.server.metrics.MetricsEndpoint;

/**
 * The plain HTTP/1.1 side of the client port, like etcd's: {@code GET /health}, {@code GET /version} and
 * {@code GET /metrics}.
 */
public final class HttpEndpoints {
    private static final String HEALTH = "{\"health\":\"true\",\"reason\":\"\"}";
    /** etcd 3.5 while the NOSPACE alarm is raised (with 503), unless {@code ?exclude=NOSPACE}. */
    private static final String NO_SPACE = "{\"health\":\"false\",\"reason\":\"ALARM NOSPACE\"}";
    private static final String VERSION =
            "{\"etcdserver\":\"" + MemberEndpoints.SERVER_VERSION + "\",\"etcdcluster\":\"3.5.0\"}";

    private final MetricsEndpoint metrics;
    private final KvStore store;

    public HttpEndpoints(MetricsEndpoint metrics, KvStore store) {
        this.metrics = metrics;
        this.store = store;
    }

    public void handle(HttpServerRequest request) {
        switch (request.path()) {
            case "/health" -> health(request);
            case "/version" -> json(request, VERSION);
            case "/metrics" -> serveMetrics(request);
            default -> request.response().setStatusCode(404).end("404 page not found\n");
        }
    }

    /** etcd's {@code /health}: unhealthy (503) while an alarm is raised that {@code exclude} does not name. */
    private void health(HttpServerRequest request) {
        if (store.noSpaceAlarm() && !request.params().getAll("exclude").contains("NOSPACE")
                && request.method() == HttpMethod.GET) {
            request.response().setStatusCode(503);
            json(request, NO_SPACE);
        } else {
            json(request, HEALTH);
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
