package io.vetcd.core.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.vetcd.proto.mvccpb.Event;
import io.vetcd.proto.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventTailTest {
    private static List<Event> events(int n) {
        List<Event> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Event.newBuilder().setKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("k"))
                    .setValue(ByteString.copyFromUtf8("v".repeat(i * 50))).setModRevision(10 + i)).build());
        }
        return out;
    }

    @Test
    void isTheListFromItsStartWithTheSizeOfItsEvents() {
        List<Event> whole = events(5);
        for (int from = 0; from <= whole.size(); from++) {
            EventTail tail = EventTail.of(whole, from);
            assertEquals(whole.subList(from, whole.size()), tail);
            assertEquals(from, tail.from());
            long size = whole.subList(from, whole.size()).stream().mapToLong(Event::getSerializedSize).sum();
            assertEquals(size, tail.serializedSize(), "from " + from);
        }
    }

    @Test
    void refusesIndexesOutsideIt() {
        List<Event> whole = events(3);
        assertThrows(IndexOutOfBoundsException.class, () -> EventTail.of(whole, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> EventTail.of(whole, -1));
        EventTail tail = EventTail.of(whole, 1);
        assertThrows(IndexOutOfBoundsException.class, () -> tail.get(2));
        assertThrows(IndexOutOfBoundsException.class, () -> tail.get(-1));
    }
}
