package io.vetcd.server.grpc;

import io.vertx.grpc.common.CodecException;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.InvalidMessageException;
import io.vertx.grpc.common.MessageSizeOverflowException;

/**
 * How every endpoint reads a request message, or refuses it with grpc-go's status and text (etcd's
 * clients see exactly these): a compressed frame on a call without an encoding ({@link WireEncoding}),
 * an encoding with no decompressor, bytes that do not decode, a message over the size limit. The
 * endpoints decode messages themselves rather than let Vert.x do it, which resets the stream instead.
 *
 * <p>grpc-go words an undecodable message differently for a call's single request and for the messages
 * of a client stream, hence the two kinds.
 */
enum RequestDecoding {
    /** Unary and server-streaming calls: the client sends one message. */
    SINGLE("grpc: error unmarshalling request: "),
    /** Bidirectional streams (Watch, LeaseKeepAlive). */
    STREAMED("grpc: failed to unmarshal the received message ");

    /** Where a refusal goes: the call ends with this status and message. */
    @FunctionalInterface
    interface Refusal {
        void refuse(GrpcStatus status, String message);
    }

    private final String undecodable;

    RequestDecoding(String undecodable) {
        this.undecodable = undecodable;
    }

    /** The request in {@code message}, or null once {@code refusal} has been told why it cannot be read. */
    <T> T decode(GrpcMessage message, GrpcMessageDecoder<T> decoder, Refusal refusal) {
        if (WireEncoding.COMPRESSED_WITHOUT_ENCODING.equals(message.encoding())) {
            refusal.refuse(GrpcStatus.INTERNAL, "grpc: compressed flag set with identity or empty encoding");
            return null;
        }
        if (!"identity".equals(message.encoding())) {
            refusal.refuse(GrpcStatus.UNIMPLEMENTED,
                    "grpc: Decompressor is not installed for grpc-encoding \"" + message.encoding() + "\"");
            return null;
        }
        try {
            return decoder.decode(message);
        } catch (CodecException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            refusal.refuse(GrpcStatus.INTERNAL, undecodable + cause.getMessage());
            return null;
        }
    }

    /** For a call's {@code invalidMessageHandler}: a message over the limit, or a frame Vert.x could not read. */
    void invalid(InvalidMessageException invalid, long maxMessageBytes, Refusal refusal) {
        if (invalid instanceof MessageSizeOverflowException overflow) {
            refusal.refuse(GrpcStatus.RESOURCE_EXHAUSTED, "grpc: received message larger than max ("
                    + overflow.messageSize() + " vs. " + maxMessageBytes + ")");
        } else {
            refusal.refuse(GrpcStatus.INTERNAL, undecodable + invalid.getMessage());
        }
    }
}
