package io.vetcd.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.vetcd.core.watch.EventTail;
import io.vetcd.proto.etcdserverpb.ResponseHeader;
import io.vetcd.proto.etcdserverpb.WatchResponse;
import io.vetcd.proto.mvccpb.Event;
import io.vetcd.proto.mvccpb.KeyValue;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The responses assembled from shared parts decode to exactly the message etcd's encoder would build. */
class SharedEventsBodyTest {
    private static ResponseHeader header(long revision) {
        return ResponseHeader.newBuilder().setClusterId(0xcdf818194e3a8c32L).setMemberId(0x8e9e05c52164694dL)
                .setRevision(revision).setRaftTerm(2).build();
    }

    private static Event put(String key, long revision, int valueBytes) {
        return Event.newBuilder().setKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(key))
                .setValue(ByteString.copyFrom(new byte[valueBytes])).setCreateRevision(2).setModRevision(revision)
                .setVersion(revision - 1)).build();
    }

    private static Event delete(String key, long revision) {
        return Event.newBuilder().setType(Event.EventType.DELETE)
                .setKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(key)).setModRevision(revision)).build();
    }

    /** The message of one gRPC frame: uncompressed, its length prefix matching. */
    static byte[] unframe(byte[] frame) {
        assertEquals(0, frame[0], "compressed flag");
        assertEquals(frame.length - 5, ByteBuffer.wrap(frame, 1, 4).getInt(), "length prefix");
        return Arrays.copyOfRange(frame, 5, frame.length);
    }

    @Test
    void decodesAsTheMessageBuiltByProtobuf() throws Exception {
        SharedEventsBody body = new SharedEventsBody(SharedEventsBodyTest::header);
        Event a = put("a", 41, 3);
        Event b = delete("b", 42);
        Event big = put("c", 42, 300); // a length over one varint byte
        List<List<Event>> lists = List.of(List.of(a), List.of(a, b, big), List.of(b, big), List.of());
        for (long watchId : new long[] {0, 1, 127, 128, 300_000, Long.MAX_VALUE, -1}) {
            for (List<Event> events : lists) {
                for (long revision : new long[] {42, 43}) {
                    WatchResponse expected = WatchResponse.newBuilder().setHeader(header(revision))
                            .setWatchId(watchId).addAllEvents(events).build();
                    FrameQueue out = new FrameQueue();
                    body.append(out, events, revision, watchId);
                    byte[] bytes = unframe(FrameQueueTest.take(out));
                    assertEquals(expected, WatchResponse.parseFrom(bytes), watchId + " " + events + " " + revision);
                    assertEquals(expected.getSerializedSize(), bytes.length);
                }
            }
            body.forget();
        }
    }

    /** Catch-up tails of one shared list are copied from its encoding in one piece: same bytes as protobuf's. */
    @Test
    void encodesTailsOfASharedListAsProtobufWould() throws Exception {
        SharedEventsBody body = new SharedEventsBody(SharedEventsBodyTest::header);
        List<Event> whole = List.of(put("a", 40, 3), delete("b", 41), put("c", 42, 300), put("a", 43, 0));
        for (int from = whole.size(); from >= 0; from--) { // the list is encoded at the first, and reused
            EventTail tail = EventTail.of(whole, from);
            for (long watchId : new long[] {0, 5, 300_000}) {
                WatchResponse expected = WatchResponse.newBuilder().setHeader(header(43))
                        .setWatchId(watchId).addAllEvents(whole.subList(from, whole.size())).build();
                FrameQueue out = new FrameQueue();
                body.append(out, tail, 43, watchId);
                byte[] bytes = unframe(FrameQueueTest.take(out));
                assertEquals(expected, WatchResponse.parseFrom(bytes), "from " + from + ", id " + watchId);
                assertEquals(expected.getSerializedSize(), bytes.length);
            }
        }
        body.forget();
    }

    /**
     * Many events in one task (more than a fresh cache holds before its table grows) and then a few: after
     * {@link SharedEventsBody#forget()} drops or empties its caches, every response still decodes as
     * protobuf's, also for events equal in content to forgotten ones but other objects.
     */
    @Test
    void encodesTheSameAfterForgettingABigTask() throws Exception {
        SharedEventsBody body = new SharedEventsBody(SharedEventsBodyTest::header);
        for (int events : new int[] {200, 3, 200, 0, 1}) {
            List<Event> whole = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                whole.add(i % 5 == 0 ? delete("k" + i, 100 + i) : put("k" + i, 100 + i, i % 7));
            }
            for (int from = 0; from < whole.size(); from += 17) {
                List<Event> tail = EventTail.of(whole, from);
                for (List<Event> sent : List.of(tail, whole.subList(from, from + 1))) {
                    WatchResponse expected = WatchResponse.newBuilder().setHeader(header(400)).setWatchId(from)
                            .addAllEvents(sent).build();
                    FrameQueue out = new FrameQueue();
                    body.append(out, sent, 400, from);
                    byte[] bytes = unframe(FrameQueueTest.take(out));
                    assertEquals(expected, WatchResponse.parseFrom(bytes), events + " events, from " + from);
                }
            }
            body.forget();
        }
    }

    /**
     * The encoded events outlive a task, as catch-ups in later tasks are sent the same event objects, until
     * they add up to {@link SharedEventsBody#KEPT_EVENT_BYTES}: then the next end of a task drops them.
     */
    @Test
    void keepsEncodedEventsAcrossTasksUpToABound() throws Exception {
        SharedEventsBody body = new SharedEventsBody(SharedEventsBodyTest::header);
        List<Event> small = List.of(put("a", 40, 3), delete("b", 41), put("c", 42, 100));
        assertEquals(small.size(), sendEach(body, small, 42));
        body.forget();
        assertEquals(small.size(), body.keptEvents(), "kept past the end of the task");
        assertEquals(small.size(), sendEach(body, small, 42));
        int big = (int) (SharedEventsBody.KEPT_EVENT_BYTES / 4);
        List<Event> large = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            large.add(put("big" + i, 50 + i, big));
        }
        assertEquals(small.size() + large.size(), sendEach(body, large, 53));
        body.forget();
        assertEquals(0, body.keptEvents(), "dropped: the kept fields add up to more than the bound");
        assertEquals(small.size(), sendEach(body, small, 53));
    }

    /** Sends each event to its own watcher, checks each response against protobuf's; returns the events kept. */
    private static int sendEach(SharedEventsBody body, List<Event> events, long revision) throws Exception {
        for (int id = 0; id < events.size(); id++) {
            List<Event> sent = List.of(events.get(id));
            FrameQueue out = new FrameQueue();
            body.append(out, sent, revision, id);
            WatchResponse expected = WatchResponse.newBuilder().setHeader(header(revision)).setWatchId(id)
                    .addAllEvents(sent).build();
            assertEquals(expected, WatchResponse.parseFrom(unframe(FrameQueueTest.take(out))));
        }
        return body.keptEvents();
    }
}
