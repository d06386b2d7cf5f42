package io.vetcd.server.grpc;

import io.vertx.core.http.HttpServerRequest;

/**
 * Makes a compressed frame on an uncompressed call visible, so it can be refused as grpc-go refuses it.
 *
 * <p>Vert.x 5.0.7 throws out of its deframer ("Handle me") when a frame's compressed flag is set and
 * the call names no {@code grpc-encoding}; the call is never answered. A call that names none, or
 * {@code identity}, is therefore given this marker encoding before Vert.x sees it: uncompressed frames
 * still arrive as {@code identity}, a compressed one arrives tagged with the marker, and {@link Replies}
 * answers it INTERNAL "grpc: compressed flag set with identity or empty encoding", like etcd.
 */
public final class WireEncoding {
    static final String COMPRESSED_WITHOUT_ENCODING = "x-vetcd-compressed-without-encoding";
    private static final String HEADER = "grpc-encoding";

    private WireEncoding() {}

    /** Call on every gRPC request before handing it to the gRPC server. */
    public static void prepare(HttpServerRequest request) {
        String encoding = request.getHeader(HEADER);
        if (encoding == null || encoding.equals("identity")) {
            request.headers().set(HEADER, COMPRESSED_WITHOUT_ENCODING);
        }
    }
}
