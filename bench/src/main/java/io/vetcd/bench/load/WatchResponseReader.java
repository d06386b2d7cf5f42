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
    /** No field is kept ({@link #walk}): tags are never 0. */
    private static final int NO_FIELD = 0;

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
                        walk(pos + n, NO_FIELD);
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
            int p = pos;
            if (data[p] == EVENT_KV && end - p > 1 && data[p + 1] >= 0) { // the usual: a kv under 128 bytes
                int n = data[p + 1];
                pos = p + 2;
                if (n > end - pos) {
                    throw truncated();
                }
                walk(pos + n, KV_VALUE);
                continue;
            }
            int tag = tag(end);
            if (tag == EVENT_KV) {
                int n = length(end);
                walk(pos + n, KV_VALUE);
            } else if (tag == EVENT_PREV_KV) {
                int n = length(end);
                walk(pos + n, NO_FIELD);
            } else {
                skipField(tag, end, 0);
            }
        }
        if (eventCount == putNanos.length) {
            putNanos = java.util.Arrays.copyOf(putNanos, eventCount * 2);
        }
        putNanos[eventCount++] = eventNanos;
    }

    /**
     * The fields of a message up to {@code end}, walked; if one is the length-delimited field {@code kept}
     * (a KeyValue's value), the put time in its first 8 bytes is kept. The hot loop of the tool (the header
     * and the kv of every event of every response), so the usual shape (one-byte tags, varints and
     * length-delimited fields under 128 bytes) is walked inline; anything else (a long tag, a varint or
     * length at the end of the message or too long, another wire type) goes the general way, which reads
     * or rejects it exactly as {@link #skipField} does.
     */
    private void walk(int end, int kept) {
        byte[] d = data;
        int p = pos;
        while (p < end) {
            int tag = d[p];
            if (tag < 8) { // a tag over one byte, or an invalid one
                pos = p;
                tag = tag(end);
                p = pos;
            } else {
                p++;
            }
            int wireType = tag & 7;
            if (wireType == 0) { // revisions, version, lease; the header's ids
                int last = Math.min(end, p + 10) - 1;
                int q = p;
                while (q < last && d[q] < 0) {
                    q++;
                }
                if (q >= end || d[q] < 0) {
                    pos = p;
                    varint(end); // throws: truncated or malformed
                    p = pos;
                } else {
                    p = q + 1;
                }
            } else if (wireType == 2 && p < end && d[p] >= 0) { // key, value: a length under 128
                int n = d[p++];
                if (n > end - p) {
                    throw truncated();
                }
                if (tag == kept) {
                    eventNanos = nanos(d, p, n);
                }
                p += n;
            } else if (tag == kept) {
                pos = p;
                int n = length(end);
                eventNanos = nanos(d, pos, n);
                p = pos + n;
            } else {
                pos = p;
                skipField(tag, end, 0);
                p = pos;
            }
        }
        pos = p;
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

    // tag, length and varint are kept small: each is called several times per event, and the load tool's
    // JIT (C1 only, see the side-by-side scripts) inlines a method only while it is under 35 bytecodes.

    private int tag(int end) {
        int tag = (int) varint(end);
        if (tag >>> 3 == 0) {
            throw zeroTag();
        }
        return tag;
    }

    /** A length prefix; the bytes it announces must be there. */
    private int length(int end) {
        long n = varint(end);
        if (n < 0 || n > end - pos) {
            throw badLength(n);
        }
        return (int) n;
    }

    private static CodecException zeroTag() {
        return malformed("Protocol message contained an invalid tag (zero).");
    }

    private static CodecException badLength(long n) {
        return n < 0 || n > Integer.MAX_VALUE
                ? malformed("CodedInputStream encountered an embedded string or message which claimed to have negative size.")
                : truncated();
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
        return longVarint(end);
    }

    private long longVarint(int end) {
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
        return (b[offset] & 0xffL) << 56 | (b[offset + 1] & 0xffL) << 48 | (b[offset + 2] & 0xffL) << 40
                | (b[offset + 3] & 0xffL) << 32 | (b[offset + 4] & 0xffL) << 24 | (b[offset + 5] & 0xffL) << 16
                | (b[offset + 6] & 0xffL) << 8 | b[offset + 7] & 0xffL;
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
