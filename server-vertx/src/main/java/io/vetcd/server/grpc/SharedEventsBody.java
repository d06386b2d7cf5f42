package io.vetcd.server.grpc;

import com.google.protobuf.CodedOutputStream;
import io.vertx.core.buffer.Buffer;
import io.vetcd.proto.etcdserverpb.ResponseHeader;
import io.vetcd.proto.mvccpb.Event;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Encodes events {@code WatchResponse}s of a stream from parts encoded once: the header of a revision and
 * each event, shared by every watcher of the stream that is sent them.
 *
 * <p>The core hands every watcher of a key the same {@link Event} objects (and, live, the same list), so
 * the responses of a stream's watchers differ in {@code watch_id} and in which events they carry. A
 * response is written as the concatenation of its fields, header first, then each event, then
 * {@code watch_id}: protobuf readers take fields in any order, so every client decodes exactly the message
 * etcd would send. Worked example: 100 watchers of key k on a stream, catching up on revisions 40-42 from
 * different points: the header of revision 42 and the three events are encoded once each, and the 100
 * responses are copies of the parts each needs, plus {@code 0x10 <id>}.
 *
 * <p>Context only (one per {@link WatchStream}). {@link #forget()} drops the encoded events once a drain
 * is over, so the cache holds only what one drain shares.
 */
final class SharedEventsBody {
    /** {@code header} is field 1, {@code watch_id} field 2 (a varint), {@code events} field 11: tag bytes. */
    private static final int HEADER_TAG = 1 << 3 | 2;
    private static final int WATCH_ID_TAG = 2 << 3;
    private static final int EVENT_TAG = 11 << 3 | 2;

    private final LongFunction<ResponseHeader> headers;
    private long headerRevision = -1;
    private byte[] header;
    private final Map<Event, byte[]> encoded = new IdentityHashMap<>();

    /** @param headers the response header of a revision */
    SharedEventsBody(LongFunction<ResponseHeader> headers) {
        this.headers = headers;
    }

    /** The encoded response for watcher {@code watchId}: {@code events} at {@code revision}. */
    Buffer message(List<Event> events, long revision, long watchId) {
        if (revision != headerRevision) {
            header = headers.apply(revision).toByteArray();
            headerRevision = revision;
        }
        int size = 1 + CodedOutputStream.computeUInt32SizeNoTag(header.length) + header.length
                + (watchId != 0 ? 1 + CodedOutputStream.computeUInt64SizeNoTag(watchId) : 0);
        byte[][] parts = new byte[events.size()][];
        for (int i = 0; i < parts.length; i++) {
            byte[] event = parts[i] = encoded.computeIfAbsent(events.get(i), Event::toByteArray);
            size += 1 + CodedOutputStream.computeUInt32SizeNoTag(event.length) + event.length;
        }
        Buffer payload = Buffer.buffer(size);
        appendField(payload, HEADER_TAG, header);
        for (byte[] event : parts) {
            appendField(payload, EVENT_TAG, event);
        }
        if (watchId != 0) { // proto3 leaves a zero out, as etcd's encoder does
            payload.appendByte((byte) WATCH_ID_TAG);
            appendVarint(payload, watchId);
        }
        return payload;
    }

    /** Drops the encoded events: called at the end of each drain. */
    void forget() {
        encoded.clear();
    }

    private static void appendField(Buffer payload, int tag, byte[] value) {
        payload.appendByte((byte) tag);
        appendVarint(payload, value.length);
        payload.appendBytes(value);
    }

    private static void appendVarint(Buffer payload, long value) {
        for (long v = value; ; v >>>= 7) {
            if ((v & ~0x7FL) == 0) {
                payload.appendByte((byte) v);
                return;
            }
            payload.appendByte((byte) ((v & 0x7F) | 0x80));
        }
    }
}
