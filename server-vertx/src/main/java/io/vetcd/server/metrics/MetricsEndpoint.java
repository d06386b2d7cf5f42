package io.vetcd.server.metrics;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vetcd.core.KvStore;
import io.vetcd.core.MemberIdentity;

/**
 * {@code GET /metrics}: the member's metrics in Prometheus's text format, as etcd serves them on its
 * client port.
 *
 * <p>The registry is built on the first scrape, not when the server starts: that loads Micrometer and the
 * Prometheus client (some 500 classes, a few hundred milliseconds), which would otherwise add to every
 * start-up, and most members (tests, CI) are never scraped. Scrapes, the first one included, run on a
 * worker thread so that neither building the registry nor reading {@code /proc} holds up an event loop.
 */
public final class MetricsEndpoint implements AutoCloseable {
    /** The Prometheus text format, version 0.0.4: what etcd's {@code promhttp} handler answers with. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Vertx vertx;
    private final KvStore store;
    private final MemberIdentity identity;
    private MemberMetrics metrics; // built by the first scrape; guarded by this
    private boolean closed; // guarded by this

    public MetricsEndpoint(Vertx vertx, KvStore store, MemberIdentity identity) {
        this.vertx = vertx;
        this.store = store;
        this.identity = identity;
    }

    /** Answers the request with every metric (the caller has checked the method). */
    public void serve(HttpServerRequest request) {
        vertx.executeBlocking(this::scrape).onComplete(scraped -> {
            if (scraped.succeeded()) {
                request.response().putHeader("Content-Type", CONTENT_TYPE).end(scraped.result());
            } else {
                // what promhttp answers when gathering fails
                request.response().setStatusCode(500)
                        .end("An error has occurred while serving metrics:\n\n" + scraped.cause() + "\n");
            }
        });
    }

    private synchronized String scrape() {
        if (closed) {
            throw new IllegalStateException("server stopped");
        }
        if (metrics == null) {
            metrics = new MemberMetrics(store, identity);
        }
        return metrics.scrape(CONTENT_TYPE);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (metrics != null) {
            metrics.close();
        }
    }
}
