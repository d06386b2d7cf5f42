package io.vetcd.bench.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.grpc.common.CodecException;
import io.vetcd.proto.etcdserverpb.ResponseHeader;
import io.vetcd.proto.etcdserverpb.WatchResponse;
import io.vetcd.proto.mvccpb.Event;
import io.vetcd.proto.mvccpb.KeyValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The light WatchResponse reader against protobuf-java's encoding and parser. */
class WatchResponseReaderTest {
    private static final ResponseHeader HEADER = ResponseHeader.newBuilder()
            .setClusterId(0xdeadbeefcafeL).setMemberId(-7).setRevision(123_456).setRaftTerm(9).build();

    /** The reader's view of {@code bytes}, checked against protobuf-java's parse of the same bytes. */
    private static WatchResponseReader readAndCompare(byte[] bytes) throws InvalidProtocolBufferException {
        WatchResponse expected = WatchResponse.parseFrom(bytes);
        WatchResponseReader r = new WatchResponseReader();
        // at an offset inside a larger array, and through a ByteBuf, as GrpcConnection calls it
        byte[] padded = new byte[bytes.length + 7];
        Arrays.fill(padded, (byte) 0xff);
        System.arraycopy(bytes, 0, padded, 3, bytes.length);
        r.read(padded, 3, bytes.length);
        assertSame(expected, r);
        ByteBuf in = Unpooled.wrappedBuffer(padded);
        in.readerIndex(3);
        assertTrue(r.decode(in, bytes.length) == r);
        assertEquals(3 + bytes.length, in.readerIndex());
        assertSame(expected, r);
        return r;
    }

    private static void assertSame(WatchResponse expected, WatchResponseReader r) {
        assertEquals(expected.getCreated(), r.created);
        assertEquals(expected.getCanceled(), r.canceled);
        assertEquals(expected.getWatchId(), r.watchId);
        assertEquals(expected.getCancelReason(), r.cancelReason);
        assertEquals(expected.getEventsCount(), r.eventCount);
        for (int i = 0; i < r.eventCount; i++) {
            assertEquals(WatchStream.decodeNanos(expected.getEvents(i).getKv().getValue()), r.putNanos[i], "event " + i);
        }
    }

    private static Event put(String key, long nanos, int valueSize, long rev) {
        return Event.newBuilder().setType(Event.EventType.PUT).setKv(KeyValue.newBuilder()
                .setKey(ByteString.copyFromUtf8(key)).setValue(WatchStream.encodeNanos(nanos, valueSize))
                .setCreateRevision(rev - 5).setModRevision(rev).setVersion(6).setLease(0x1234)).build();
    }

    @Test
    void created() throws Exception {
        WatchResponseReader r = readAndCompare(WatchResponse.newBuilder().setHeader(HEADER).setWatchId(42)
                .setCreated(true).build().toByteArray());
        assertTrue(r.created);
        assertFalse(r.canceled);
        assertEquals(42, r.watchId);
        assertEquals(0, r.eventCount);
    }

    @Test
    void createdWithWatchIdZeroAndNoHeader() throws Exception {
        WatchResponseReader r = readAndCompare(WatchResponse.newBuilder().setCreated(true).build().toByteArray());
        assertTrue(r.created);
        assertEquals(0, r.watchId);
    }

    @Test
    void canceledWithReason() throws Exception {
        WatchResponseReader r = readAndCompare(WatchResponse.newBuilder().setHeader(HEADER).setWatchId(-1)
                .setCreated(true).setCanceled(true).setCompactRevision(77)
                .setCancelReason("etcdserver: mvcc: required revision has been compacted ünïcode").build().toByteArray());
        assertTrue(r.created);
        assertTrue(r.canceled);
        assertEquals(-1, r.watchId);
        assertEquals("etcdserver: mvcc: required revision has been compacted ünïcode", r.cancelReason);
    }

    @Test
    void severalEventsWithDeletePrevKvAndFragment() throws Exception {
        Event delete = Event.newBuilder().setType(Event.EventType.DELETE)
                .setKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("k2")).setModRevision(12))
                .setPrevKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("k2"))
                        .setValue(WatchStream.encodeNanos(999, 8)).setModRevision(11)).build();
        Event withPrev = put("k1", 5_000_000_000L, 8, 13).toBuilder()
                .setPrevKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("k1")).setValue(WatchStream.encodeNanos(1, 64)))
                .build();
        WatchResponse m = WatchResponse.newBuilder().setHeader(HEADER).setWatchId(7).setFragment(true)
                .addEvents(put("k0", 1_234_567_890_123L, 8, 10))
                .addEvents(delete)
                .addEvents(withPrev)
                .addEvents(put("k3", Long.MAX_VALUE, 100, 14))  // value longer than 8 bytes
                .addEvents(put("k4", -5, 8, 15))
                .addEvents(Event.getDefaultInstance())           // no kv at all
                .build();
        WatchResponseReader r = readAndCompare(m.toByteArray());
        assertEquals(6, r.eventCount);
        assertEquals(1_234_567_890_123L, r.putNanos[0]);
        assertEquals(Long.MIN_VALUE, r.putNanos[1]); // DELETE: no value (prev_kv's is not the event's)
        assertEquals(5_000_000_000L, r.putNanos[2]);
        assertEquals(Long.MAX_VALUE, r.putNanos[3]);
        assertEquals(-5, r.putNanos[4]);
        assertEquals(Long.MIN_VALUE, r.putNanos[5]);
        assertFalse(r.created);
    }

    @Test
    void manyEventsGrowTheArrayAndTheReaderIsReused() throws Exception {
        WatchResponse.Builder b = WatchResponse.newBuilder().setHeader(HEADER).setWatchId(3);
        for (int i = 0; i < 1000; i++) {
            b.addEvents(put("key-" + i, i * 1_000_003L, 8 + i % 3, 100 + i));
        }
        WatchResponseReader r = new WatchResponseReader();
        byte[] big = b.build().toByteArray();
        r.read(big, 0, big.length);
        assertSame(b.build(), r);
        byte[] small = WatchResponse.newBuilder().setWatchId(9).setCreated(true).build().toByteArray();
        r.read(small, 0, small.length); // nothing left over from the previous message
        assertSame(WatchResponse.parseFrom(small), r);
        assertEquals(0, r.eventCount);
    }

    @Test
    void valueShorterThan8Bytes() throws Exception {
        for (int n = 0; n < 8; n++) {
            WatchResponse m = WatchResponse.newBuilder().addEvents(Event.newBuilder()
                    .setKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("k")).setValue(ByteString.copyFrom(new byte[n])))).build();
            WatchResponseReader r = readAndCompare(m.toByteArray());
            assertEquals(1, r.eventCount);
            assertEquals(Long.MIN_VALUE, r.putNanos[0]);
        }
    }

    /** Unknown fields of every wire type (groups nested) at every level; known numbers on other wire types. */
    @Test
    void unknownFieldsAreSkipped() throws Exception {
        UnknownFieldSet inner = UnknownFieldSet.newBuilder()
                .addField(1, UnknownFieldSet.Field.newBuilder().addVarint(-1).build())
                .addField(5, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("x")).build())
                .build();
        UnknownFieldSet unknown = UnknownFieldSet.newBuilder()
                .addField(100, UnknownFieldSet.Field.newBuilder().addVarint(Long.MIN_VALUE).build())
                .addField(101, UnknownFieldSet.Field.newBuilder().addFixed32(0xffffffff).build())
                .addField(102, UnknownFieldSet.Field.newBuilder().addFixed64(-2).build())
                .addField(103, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFrom(new byte[300])).build())
                .addField(104, UnknownFieldSet.Field.newBuilder().addGroup(UnknownFieldSet.newBuilder()
                        .addField(2, UnknownFieldSet.Field.newBuilder().addGroup(inner).build())
                        .addField(3, UnknownFieldSet.Field.newBuilder().addFixed64(1).build()).build()).build())
                .addField(536_870_911, UnknownFieldSet.Field.newBuilder().addVarint(1).build()) // highest field number
                .build();
        KeyValue kv = KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("k")).setValue(WatchStream.encodeNanos(77, 8))
                .setUnknownFields(unknown).build();
        Event ev = Event.newBuilder().setKv(kv).setPrevKv(kv).setUnknownFields(unknown).build();
        WatchResponse m = WatchResponse.newBuilder()
                .setHeader(HEADER.toBuilder().setUnknownFields(unknown))
                .setWatchId(5).setCreated(true).addEvents(ev).addEvents(ev).setUnknownFields(unknown).build();
        WatchResponseReader r = readAndCompare(m.toByteArray());
        assertEquals(2, r.eventCount);
        assertEquals(77, r.putNanos[1]);

        // Known field numbers on the wrong wire type are unknown fields to protobuf-java too.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeFixed64(2, 99);            // watch_id as fixed64
        out.writeString(3, "true");        // created as bytes
        out.writeFixed32(4, 1);             // canceled as fixed32
        out.writeInt64(6, 5);               // cancel_reason as varint
        out.writeInt64(11, 1);              // events as varint
        out.writeInt64(2, 8);               // the real watch_id, then a later one that wins
        out.writeInt64(2, 9);
        out.flush();
        r = readAndCompare(bytes.toByteArray());
        assertEquals(9, r.watchId);
        assertFalse(r.created);
        assertEquals(0, r.eventCount);
    }

    @Test
    void repeatedKvMergesItsValue() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        Event first = put("k", 11, 8, 1);
        Event second = Event.newBuilder().setKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("other"))).build();
        Event third = Event.newBuilder().setKv(KeyValue.newBuilder().setValue(WatchStream.encodeNanos(33, 9))).build();
        byte[] merged = concat(first.toByteArray(), second.toByteArray()); // one event, kv twice: value 11 stays
        byte[] merged2 = concat(first.toByteArray(), third.toByteArray()); // the later value wins: 33
        out.writeByteArray(11, merged);
        out.writeByteArray(11, merged2);
        out.flush();
        WatchResponseReader r = readAndCompare(bytes.toByteArray());
        assertArrayEquals(new long[] {11, 33}, Arrays.copyOf(r.putNanos, r.eventCount));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static byte[] bytes(int... b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = (byte) b[i];
        }
        return r;
    }

    /** Malformed input is an error for both parsers, never a partial or silent result. */
    @Test
    void malformedInput() throws Exception {
        byte[] good = WatchResponse.newBuilder().setHeader(HEADER).setWatchId(7)
                .addEvents(put("k0", 123, 8, 10)).addEvents(put("k1", 456, 8, 11)).build().toByteArray();
        byte[][] bad = {
                Arrays.copyOf(good, good.length - 1),        // truncated inside the last event
                Arrays.copyOf(good, 1),                      // a tag without its field
                bytes(0x10, 0x80),                           // watch_id: varint cut short
                bytes(0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), // varint > 10 bytes
                bytes(0x00, 0x01),                           // field number 0
                bytes(0x5a, 0x05, 0x12, 0x01),               // events: claims 5 bytes, has 2
                bytes(0x5a, 0x02, 0x12, 0x05),               // an event whose kv overruns the event
                bytes(0x0a, 0x02, 0x08),                     // header: claims 2 bytes, 1 left
                bytes(0x0a, 0x01, 0x08, 0x10, 0x01),         // header ends inside its varint
                bytes(0x5a, 0x03, 0x12, 0x01, 0x2a),         // kv ends inside the value's tag... and no length
                bytes(0x5a, 0x04, 0x12, 0x02, 0x2a, 0x05),   // value claims 5 bytes, the kv has none
                bytes(0x0e),                                 // wire type 6
                bytes(0x0f),                                 // wire type 7
                bytes(0xa3, 0x06, 0x08, 0x01),               // group 100 never closed
                bytes(0xa3, 0x06, 0xac, 0x06),               // group 100 closed as 101
                bytes(0xa4, 0x06),                           // an end-group with no group
                bytes(0x5a, 0x02, 0x0c, 0x00),               // an end-group inside an event
                bytes(0x21, 0x01, 0x02, 0x03),               // fixed64 cut short
                bytes(0x25, 0x01),                           // fixed32 cut short
                bytes(0x32, 0x02, 0xc3, 0x28),               // cancel_reason: invalid UTF-8
                bytes(0x32, 0xff, 0xff, 0xff, 0xff, 0x0f),   // a negative length
        };
        for (int i = 0; i < bad.length; i++) {
            byte[] b = bad[i];
            assertThrows(InvalidProtocolBufferException.class, () -> WatchResponse.parseFrom(b), "case " + i + ": protobuf-java");
            WatchResponseReader r = new WatchResponseReader();
            assertThrows(CodecException.class, () -> r.read(b, 0, b.length), "case " + i);
        }
        // Deep groups: protobuf-java's recursion limit (100) holds here too.
        byte[] deep = new byte[2 * 101 * 2];
        for (int i = 0; i < 101 * 2; i++) {
            deep[2 * i] = (byte) 0xa3;
            deep[2 * i + 1] = 0x06;
        }
        assertThrows(CodecException.class, () -> new WatchResponseReader().read(deep, 0, deep.length));
    }

    /** Random corruptions of a real response: both parsers accept it, or both refuse it; when accepted, same reading. */
    @Test
    void randomCorruptionsAgreeWithProtobufJava() throws Exception {
        byte[] good = WatchResponse.newBuilder().setHeader(HEADER).setWatchId(7).setCreated(true)
                .setCancelReason("why").addEvents(put("k0", 123, 8, 10))
                .addEvents(put("k1", 456, 12, 11).toBuilder().setPrevKv(put("k1", 400, 8, 9).getKv()))
                .build().toByteArray();
        Random rnd = new Random(42);
        int refused = 0;
        int overlong = 0;
        for (int n = 0; n < 20_000; n++) {
            byte[] b = good.clone();
            for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            if (rnd.nextInt(4) == 0) {
                b = Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            WatchResponse expected;
            try {
                expected = WatchResponse.parseFrom(b);
            } catch (InvalidProtocolBufferException e) {
                expected = null;
            }
            WatchResponseReader r = new WatchResponseReader();
            String refusal = null;
            try {
                r.read(b, 0, b.length);
            } catch (CodecException e) {
                refusal = e.getMessage();
            }
            if (expected == null) {
                refused++;
                assertTrue(refusal != null, "protobuf-java refused, the reader accepted: " + Arrays.toString(b));
            } else if (refusal != null) {
                // protobuf-java 4's array fast path reads a varint's 10th byte without checking its
                // continuation bit when its low bit is set; the reader refuses any varint over 10 bytes
                assertTrue(refusal.contains("malformed varint"),
                        "protobuf-java accepted, the reader refused (" + refusal + "): " + Arrays.toString(b));
                overlong++;
            } else {
                assertSame(expected, r);
            }
        }
        assertTrue(refused > 1000, "refused " + refused);
        assertTrue(overlong < 100, "overlong varints " + overlong);
    }

    /** decodeNanos and the reader agree on what a value carries. */
    @Test
    void nanosMatchesDecodeNanos() throws IOException {
        for (long v : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, System.nanoTime()}) {
            ByteString b = WatchStream.encodeNanos(v, 8);
            assertEquals(WatchStream.decodeNanos(b), WatchResponseReader.nanos(b.toByteArray(), 0, 8));
            assertEquals(v, WatchResponseReader.nanos(b.toByteArray(), 0, 8));
        }
    }
}
