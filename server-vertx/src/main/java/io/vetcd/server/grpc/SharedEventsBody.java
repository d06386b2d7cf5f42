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
 * different points: the header of revision 42 and the three events are encoded once each (as whole fields:
 * tag, length, message), and the 100 responses are copies of the fields each needs, plus {@code 0x10 <id>}.
 *
 * <p>Context only (one per {@link WatchStream}). {@link #forget()} drops the encoded events once a drain
 * is over, so the cache holds only what one drain shares.
 */
final class SharedEventsBody {
    /** {@code header} is field 1, {@code watch_id} field 2 (a varint), {@code events} field 11: tag bytes. */
    private static final int HEADER_TAG = 1 << 3 | 2;
    private static final int WATCH_ID_TAG = 2 << 3;
    private static final int EVENT_TAG = 11 << 3 | 2;
    /** The longest {@code watch_id} field: its tag and a 10-byte varint. */
    private static final int MAX_WATCH_ID_FIELD = 11;

    private final LongFunction<ResponseHeader> headers;
    private long headerRevision = -1;
    /** The header of {@link #headerRevision} as a whole field: tag, length, message. */
    private byte[] headerField;
    /** Each event of this drain as a whole {@code events} field. */
    private final Map<Event, byte[]> eventFields = new IdentityHashMap<>();
    /** The last event looked up, and its field: the watchers of a key are sent the same event in a row. */
    private Event lastEvent;
    private byte[] lastField;
    private final byte[] watchIdField = new byte[MAX_WATCH_ID_FIELD];

    /** @param headers the response header of a revision */
    SharedEventsBody(LongFunction<ResponseHeader> headers) {
        this.headers = headers;
    }

    /** Queues the response for watcher {@code watchId} on {@code out}: {@code events} at {@code revision}. */
    void append(FrameQueue out, List<Event> events, long revision, long watchId) {
        if (revision != headerRevision) {
            headerField = field(HEADER_TAG, headers.apply(revision).toByteArray());
            headerRevision = revision;
        }
        int idBytes = 0;
        if (watchId != 0) { // proto3 leaves a zero out, as etcd's encoder does
            watchIdField[0] = (byte) WATCH_ID_TAG;
            idBytes = 1 + writeVarint(watchIdField, 1, watchId);
        }
        if (events.size() == 1) { // the live case: one event, no array
            byte[] event = eventField(events.get(0));
            out.frame(headerField.length + event.length + idBytes)
                    .appendBytes(headerField).appendBytes(event).appendBytes(watchIdField, 0, idBytes);
            return;
        }
        byte[][] parts = new byte[events.size()][];
        int size = headerField.length + idBytes;
        for (int i = 0; i < parts.length; i++) {
            size += (parts[i] = eventField(events.get(i))).length;
        }
        Buffer payload = out.frame(size).appendBytes(headerField);
        for (byte[] event : parts) {
            payload.appendBytes(event);
        }
        payload.appendBytes(watchIdField, 0, idBytes);
    }

    /** Drops the encoded events: called at the end of each drain. */
    void forget() {
        eventFields.clear();
        lastEvent = null;
        lastField = null;
    }

    private byte[] eventField(Event event) {
        if (event != lastEvent) {
            lastField = eventFields.computeIfAbsent(event, e -> field(EVENT_TAG, e.toByteArray()));
            lastEvent = event;
        }
        return lastField;
    }

    /** A length-delimited field: tag, length, value. */
    private static byte[] field(int tag, byte[] value) {
        byte[] f = new byte[1 + CodedOutputStream.computeUInt32SizeNoTag(value.length) + value.length];
        f[0] = (byte) tag;
        int at = 1 + writeVarint(f, 1, value.length);
        System.arraycopy(value, 0, f, at, value.length);
        return f;
    }

    /** Writes {@code value} as a varint at {@code at}; returns its length. */
    private static int writeVarint(byte[] to, int at, long value) {
        int i = at;
        for (long v = value; ; v >>>= 7) {
            if ((v & ~0x7FL) == 0) {
                to[i++] = (byte) v;
                return i - at;
            }
            to[i++] = (byte) ((v & 0x7F) | 0x80);
        }
    }
}
