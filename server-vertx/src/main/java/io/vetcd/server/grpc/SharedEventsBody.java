package io.vetcd.server.grpc;

import com.google.protobuf.CodedOutputStream;
import io.vertx.core.buffer.Buffer;
import io.vetcd.core.watch.EventTail;
import io.vetcd.proto.etcdserverpb.ResponseHeader;
import io.vetcd.proto.mvccpb.Event;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
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
 * A catch-up hands each of them an {@link EventTail} of one shared list: that list's fields are laid end to
 * end once ({@link EncodedList}), and each response copies its tail in one piece instead of field by field.
 *
 * <p>Context only: one per context, shared by its streams ({@link LoopDrains}), since the core hands the
 * watchers of every stream the same objects. The encoded events outlive a task of drains, since the
 * core's history reads hand out one event object per revision for as long as they remember it (its
 * {@code RecentChanges}): watchers catching up in different groups, at different times, are sent the
 * same events, each group its own list of them. Worked example: 10,000 watchers of one key fall behind
 * a put stream in ~30,000 groups a run, each catching up on the last ~50 revisions: 1.5M events to
 * encode for 2000 revisions when each task forgot them, about two per revision now (the live event, and
 * the one the catch-ups share). {@link #forget()}, at the end of each task, drops the encoded
 * lists (one per group), and the encoded events once they add up to {@value #KEPT_EVENT_BYTES} bytes.
 */
final class SharedEventsBody {
    /** {@code header} is field 1, {@code watch_id} field 2 (a varint), {@code events} field 11: tag bytes. */
    private static final int HEADER_TAG = 1 << 3 | 2;
    private static final int WATCH_ID_TAG = 2 << 3;
    private static final int EVENT_TAG = 11 << 3 | 2;
    /** The longest {@code watch_id} field: its tag and a 10-byte varint. */
    private static final int MAX_WATCH_ID_FIELD = 11;
    /**
     * A fresh {@link IdentityHashMap} holds this many entries before its table first grows (and its table
     * never shrinks).
     */
    private static final int FIRST_TABLE_ENTRIES = 21;
    /** The encoded events are dropped at the end of a task once their fields add up to this many bytes. */
    static final long KEPT_EVENT_BYTES = 1 << 20;

    private final LongFunction<ResponseHeader> headers;
    private long headerRevision = -1;
    /** The header of {@link #headerRevision} as a whole field: tag, length, message. */
    private byte[] headerField;
    /** Each event encoded lately as a whole {@code events} field, and the bytes of all those fields. */
    private Map<Event, byte[]> eventFields = new IdentityHashMap<>();
    private long eventFieldBytes;
    /** The last event looked up, and its field: the watchers of a key are sent the same event in a row. */
    private Event lastEvent;
    private byte[] lastField;
    private final byte[] watchIdField = new byte[MAX_WATCH_ID_FIELD];
    /** Each shared list of this drain's tails, encoded. */
    private Map<List<Event>, EncodedList> encodedLists = new IdentityHashMap<>();
    private final Function<List<Event>, EncodedList> encodeList = this::encode;
    /** The last list looked up, and its encoding. */
    private List<Event> lastList;
    private EncodedList lastEncoded;

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
        if (events instanceof EventTail tail) { // a catch-up: the tail of a list its group shares
            if (tail.whole() != lastList) { // the watchers of a group come in a row
                lastEncoded = encodedLists.computeIfAbsent(tail.whole(), encodeList);
                lastList = tail.whole();
            }
            EncodedList list = lastEncoded;
            int start = list.starts[tail.from()];
            int length = list.fields.length - start;
            out.frame(headerField.length + length + idBytes)
                    .appendBytes(headerField).appendBytes(list.fields, start, length).appendBytes(watchIdField, 0, idBytes);
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

    /**
     * Drops the encoded lists, and the encoded events if they add up to {@value #KEPT_EVENT_BYTES} bytes:
     * called at the end of each task of drains ({@link LoopDrains}).
     */
    void forget() {
        encodedLists = emptied(encodedLists);
        lastList = null;
        lastEncoded = null;
        if (eventFieldBytes >= KEPT_EVENT_BYTES) {
            eventFields = new IdentityHashMap<>();
            eventFieldBytes = 0;
            lastEvent = null;
            lastField = null;
        }
    }

    /** Events whose encoding is kept (for tests). */
    int keptEvents() {
        return eventFields.size();
    }

    /**
     * {@code map} emptied, or a new map if it grew. {@code IdentityHashMap.clear()} nulls every slot of a
     * table that never shrinks: once a catch-up of a few thousand events had grown it, each later task paid
     * for clearing thousands of slots to forget a few entries (13 % of the server's samples in the fan-out
     * benchmark, when events were forgotten at every task too). A map that never held more than {@value #FIRST_TABLE_ENTRIES} entries still has its first
     * table, 64 slots, and is cleared; a bigger one is dropped.
     */
    private static <K, V> Map<K, V> emptied(Map<K, V> map) {
        if (map.isEmpty()) {
            return map;
        }
        if (map.size() > FIRST_TABLE_ENTRIES) {
            return new IdentityHashMap<>();
        }
        map.clear();
        return map;
    }

    private byte[] eventField(Event event) {
        if (event != lastEvent) {
            byte[] field = eventFields.get(event);
            if (field == null) {
                field = field(EVENT_TAG, event.toByteArray());
                eventFields.put(event, field);
                eventFieldBytes += field.length;
            }
            lastField = field;
            lastEvent = event;
        }
        return lastField;
    }

    /** A shared list's event fields end to end, and where each starts. */
    private record EncodedList(byte[] fields, int[] starts) {}

    private EncodedList encode(List<Event> events) {
        int[] starts = new int[events.size() + 1];
        byte[][] parts = new byte[events.size()][];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = eventField(events.get(i));
            starts[i + 1] = starts[i] + parts[i].length;
        }
        byte[] fields = new byte[starts[parts.length]];
        for (int i = 0; i < parts.length; i++) {
            System.arraycopy(parts[i], 0, fields, starts[i], parts[i].length);
        }
        return new EncodedList(fields, starts);
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
