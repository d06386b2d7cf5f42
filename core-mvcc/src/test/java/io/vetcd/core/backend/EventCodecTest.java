package io.vetcd.core.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vetcd.proto.mvccpb.Event;
import org.junit.jupiter.api.Test;

class EventCodecTest {
    @Test
    void encodesExactlyWhatEventWrites() {
        StoredVersion put = Versions.put(7, 0, "k", "v");
        StoredVersion del = Versions.tombstone(9, 2, "k");
        assertArrayEquals(Event.newBuilder().setType(Event.EventType.PUT).setKv(put.kv()).build().toByteArray(),
                EventCodec.encode(put));
        assertArrayEquals(Event.newBuilder().setType(Event.EventType.DELETE).setKv(del.kv()).build().toByteArray(),
                EventCodec.encode(del));
        assertEquals(EventCodec.encode(put).length, EventCodec.encodedSize(put));
        assertEquals(EventCodec.encode(del).length, EventCodec.encodedSize(del));
    }

    @Test
    void smallestEntryIsTwentyFiveBytesAsMapSizingAssumes() {
        StoredVersion smallest = Versions.tombstone(7, 0, "a");
        assertArrayEquals(new byte[] {0x08, 0x01, 0x12, 0x05, 0x0a, 0x01, 0x61, 0x18, 0x07}, EventCodec.encode(smallest));
        assertEquals(MapSizing.SMALLEST_ENTRY_BYTES, EventCodec.storedBytes(smallest));
    }

    @Test
    void decodesWhatItEncodedAndRefusesAnEventOfAnotherRevision() throws Exception {
        StoredVersion del = Versions.tombstone(9, 2, "k");
        byte[] bytes = EventCodec.encode(del);
        assertEquals(del, EventCodec.decode(9, 2, bytes, bytes.length));
        assertThrows(InvalidProtocolBufferException.class, () -> EventCodec.decode(10, 2, bytes, bytes.length));
        assertThrows(InvalidProtocolBufferException.class, () -> EventCodec.decode(9, 2, new byte[] {(byte) 0xff}, 1));
    }
}
