package io.vetcd.server.grpc;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.grpc.server.GrpcServer;

/**
 * Many gRPC messages in one HTTP/2 write, for the one call that sends thousands of small messages: Watch.
 *
 * <p>Vert.x's gRPC response writes each message on its own: a buffer copy for the 5-byte prefix, a
 * promise, and Netty's HTTP/2 flow-control entry per message. A watch stream with 100 watchers of a key
 * sends 100 responses per put, and those per-message costs were most of the server's CPU and allocation
 * in the fan-out benchmark. So the Watch call writes its messages itself: gRPC's length-prefixed frames
 * ({@code 0x00}, a 4-byte big-endian length, the message), packed into chunks ({@link FrameQueue}), one
 * HTTP/2 DATA frame written straight to Netty per chunk when it can ({@link DirectDataFrames}), else one
 * {@link HttpServerResponse#write} of the HTTP response under the call. Vert.x's gRPC layer still sends
 * the headers (by {@code writeHead()} before the first frame), reads the requests, and ends the call with
 * its status and trailers.
 *
 * <p>Vert.x's {@code GrpcServer} does not expose that HTTP response, but it runs the call handler
 * synchronously inside {@link GrpcServer#handle}: {@link #handle} holds the response in a thread-local for
 * that moment, and {@link #response()} hands it to the handler.
 */
public final class GrpcFrames {
    private static final ThreadLocal<HttpServerResponse> HANDLING = new ThreadLocal<>();
    /** The gRPC frame prefix: the compressed flag (never set here) and the length. */
    static final int PREFIX_BYTES = 5;

    private GrpcFrames() {}

    /** Hands {@code request} to {@code grpc}, its HTTP response reachable by the call handler (HTTP/2 gRPC only). */
    public static void handle(GrpcServer grpc, HttpServerRequest request) {
        if (request.version() != HttpVersion.HTTP_2) {
            grpc.handle(request); // gRPC-Web: Vert.x frames it differently
            return;
        }
        HANDLING.set(request.response());
        try {
            grpc.handle(request);
        } finally {
            HANDLING.remove();
        }
    }

    /** In a call handler: the HTTP/2 response under the call, or null (not HTTP/2 gRPC). */
    static HttpServerResponse response() {
        return HANDLING.get();
    }

    /**
     * Appends the prefix of one uncompressed gRPC frame of a {@code messageBytes}-byte message to
     * {@code frames}; the message follows it.
     */
    static Buffer prefix(Buffer frames, int messageBytes) {
        return frames.appendByte((byte) 0).appendInt(messageBytes);
    }
}
