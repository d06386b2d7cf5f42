package io.vetcd.bench.load;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.vertx.grpc.common.CodecException;

/**
 * The parts of an {@code etcdserverpb.WatchResponse} the watch verbs use, read straight from its wire
 * bytes without building protobuf objects: {@code watch_id} (2), {@code created} (3), {@code canceled}
 * (4), {@code cancel_reason} (6) and, per event ({@code events}, 11: {@code mvccpb.Event}), the put time
 * in the first 8 bytes of its kv's value (Event.kv = 2, KeyValue.value = 5; {@link WatchStream#decodeNanos}).
 * Everything else is walked over, not read: the header, prev_kv, keys, revisions, unknown fields of any
 * wire type (groups included). The walk checks the structure as protobuf-java's parser does (tags, wire
 * types, lengths, varints, group nesting); a malformed message is a {@link CodecException}, never a
 * partial result.
 *
 * <p>Field numbers from proto/src/main/proto (etcdserverpb/rpc.proto, mvccpb/kv.proto). A known field
 * number on another wire type is an unknown field, as in protobuf-java; a repeated scalar keeps the last
 * value, and a repeated {@code kv} merges (its last {@code value} on the wire counts).
 *
 * <p>One reader per stream, reused for every message; it allocates nothing per message once its buffers
 * have grown (the cancel reason, a string, is made only when present). Not thread-safe.
 */
final class WatchResponseReader implements GrpcConnection.RawDecoder<WatchResponseReader> {
    private static final int MAX_GROUP_DEPTH = 100; // protobuf-java's default recursion limit

    // WatchResponse tags (field number << 3 | wire type)
    private static final int HEADER = 1 << 3 | 2;
    private static final int WATCH_ID = 2 << 3;
    private static final int CREATED = 3 << 3;
    private static final int CANCELED = 4 << 3;
    private static final int CANCEL_REASON = 6 << 3 | 2;
    private static final int EVENTS = 11 << 3 | 2;
    // Event tags
    private static final int EVENT_KV = 2 << 3 | 2;
    private static final int EVENT_PREV_KV = 3 << 3 | 2;
    // KeyValue tags
    private static final int KV_VALUE = 5 << 3 | 2;

    boolean created;
    boolean canceled;
    long watchId;
    String cancelReason = "";
    /** Events in the last message read. */
    int eventCount;
    /** Per event of the last message: {@link WatchStream#decodeNanos} of its kv's value. */
    long[] putNanos = new long[8];

    private byte[] scratch = new byte[512];
    private byte[] data;
    private int pos;
    private long eventNanos;

    /** Reads the next {@code length} bytes of {@code in} (advancing it) as one WatchResponse. */
    @Override
    public WatchResponseReader decode(ByteBuf in, int length) throws CodecException {
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
        in.readBytes(scratch, 0, length);
        read(scratch, 0, length);
        return this;
    }

    /** Reads {@code b[offset, offset + length)} as one WatchResponse into this reader's fields. */
    void read(byte[] b, int offset, int length) throws CodecException {
        created = false;
        canceled = false;
        watchId = 0;
        cancelReason = "";
        eventCount = 0;
        data = b;
        pos = offset;
        int end = offset + length;
        try {
            while (pos < end) {
                int tag = tag(end);
                switch (tag) {
                    case WATCH_ID -> watchId = varint(end);
                    case CREATED -> created = varint(end) != 0;
                    case CANCELED -> canceled = varint(end) != 0;
                    case CANCEL_REASON -> {
                        int n = length(end);
                        cancelReason = utf8(pos, n);
                        pos += n;
                    }
                    case EVENTS -> {
                        int n = length(end);
                        event(pos + n);
                    }
                    case HEADER -> {
                        int n = length(end);
                        skipMessage(pos + n);
                    }
                    default -> skipField(tag, end, 0);
                }
            }
        } finally {
            data = null;
        }
    }

    private void event(int end) {
        eventNanos = Long.MIN_VALUE;
        while (pos < end) {
            int tag = tag(end);
            if (tag == EVENT_KV) {
                int n = length(end);
                keyValue(pos + n);
            } else if (tag == EVENT_PREV_KV) {
                int n = length(end);
                skipMessage(pos + n);
            } else {
                skipField(tag, end, 0);
            }
        }
        if (eventCount == putNanos.length) {
            putNanos = java.util.Arrays.copyOf(putNanos, eventCount * 2);
        }
        putNanos[eventCount++] = eventNanos;
    }

    private void keyValue(int end) {
        while (pos < end) {
            int tag = tag(end);
            if (tag == KV_VALUE) {
                int n = length(end);
                eventNanos = nanos(data, pos, n);
                pos += n;
            } else {
                skipField(tag, end, 0);
            }
        }
    }

    /** A message whose content is not needed: its fields are walked (and so checked), not read. */
    private void skipMessage(int end) {
        while (pos < end) {
            skipField(tag(end), end, 0);
        }
    }

    private void skipField(int tag, int end, int depth) {
        switch (tag & 7) {
            case 0 -> varint(end);
            case 1 -> skip(8, end);
            case 2 -> {
                int n = length(end); // not "pos += length(end)": that adds to pos as it was before the prefix
                pos += n;
            }
            case 3 -> skipGroup(tag >>> 3, end, depth + 1);
            case 4 -> throw malformed("Protocol message end-group tag did not match expected tag.");
            case 5 -> skip(4, end);
            default -> throw malformed("Protocol message tag had invalid wire type.");
        }
    }

    private void skipGroup(int field, int end, int depth) {
        if (depth > MAX_GROUP_DEPTH) {
            throw malformed("Protocol message had too many levels of nesting.");
        }
        while (true) {
            int tag = tag(end); // throws at the end of the message: the group was not closed
            if ((tag & 7) == 4) {
                if (tag >>> 3 != field) {
                    throw malformed("Protocol message end-group tag did not match expected tag.");
                }
                return;
            }
            skipField(tag, end, depth);
        }
    }

    private int tag(int end) {
        int tag = (int) varint(end);
        if (tag >>> 3 == 0) {
            throw malformed("Protocol message contained an invalid tag (zero).");
        }
        return tag;
    }

    /** A length prefix; the bytes it announces must be there. */
    private int length(int end) {
        long n = varint(end);
        if (n < 0 || n > end - pos) {
            throw n < 0 || n > Integer.MAX_VALUE
                    ? malformed("CodedInputStream encountered an embedded string or message which claimed to have negative size.")
                    : truncated();
        }
        return (int) n;
    }

    private void skip(int n, int end) {
        if (end - pos < n) {
            throw truncated();
        }
        pos += n;
    }

    private long varint(int end) {
        if (pos < end && data[pos] >= 0) { // one byte: every tag here, and most small numbers
            return data[pos++];
        }
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw truncated();
            }
            byte b = data[pos++];
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw malformed("CodedInputStream encountered a malformed varint.");
    }

    private static String utf8(byte[] b, int offset, int length) {
        ByteString s = ByteString.copyFrom(b, offset, length);
        if (!s.isValidUtf8()) {
            throw malformed("Protocol message had invalid UTF-8.");
        }
        return s.toStringUtf8();
    }

    private String utf8(int offset, int length) {
        return utf8(data, offset, length);
    }

    /** {@link WatchStream#decodeNanos} of {@code b[offset, offset + length)}. */
    static long nanos(byte[] b, int offset, int length) {
        if (length < 8) {
            return Long.MIN_VALUE;
        }
        long n = 0;
        for (int i = 0; i < 8; i++) {
            n = (n << 8) | (b[offset + i] & 0xff);
        }
        return n;
    }

    private static CodecException truncated() {
        return malformed("While parsing a protocol message, the input ended unexpectedly in the middle of a field."
                + "  This could mean either that the input has been truncated or that an embedded message"
                + " misreported its own length.");
    }

    private static CodecException malformed(String message) {
        return new CodecException(message, null, false, false);
    }
}
