package io.vetcd.core.backend;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vetcd.proto.mvccpb.Event;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A {@link StoredVersion} as the backend stores it: the bytes of an {@code mvccpb.Event}, PUT with the
 * whole KeyValue or DELETE with the tombstone's key and mod revision (what etcd's {@code key} bucket
 * holds is a KeyValue; the Event type carries the tombstone flag in a standard message). The revision
 * itself is the map key ({@link RevisionKey}), not repeated here.
 *
 * <p>The bytes are written field by field, exactly as {@code Event.toByteArray()} would write them but
 * without building an Event: PUT is {@code 12 len kv...} (type PUT is proto3's default, so it is
 * omitted); DELETE is {@code 08 01 12 len kv...}. Worked example: a tombstone of key {@code "a"} at
 * revision 7 has kv {@code 0a 01 61 18 07} (5 bytes), so the event is {@code 08 01 12 05 0a 01 61 18 07},
 * 9 bytes - the smallest event there is; the backend counts it as 16 + 9 = 25 bytes.
 */
final class EventCodec {
    private static final int DELETE = Event.EventType.DELETE_VALUE;

    private EventCodec() {}

    /** Bytes of the encoded event, from the KeyValue's memoized size (no encoding). */
    static int encodedSize(StoredVersion v) {
        int size = CodedOutputStream.computeMessageSize(Event.KV_FIELD_NUMBER, v.kv());
        return v.tombstone() ? size + CodedOutputStream.computeEnumSize(Event.TYPE_FIELD_NUMBER, DELETE) : size;
    }

    /** What the backend counts a version as: its 16-byte revision key plus its encoded event. */
    static long storedBytes(StoredVersion v) {
        return RevisionKey.BYTES + encodedSize(v);
    }

    static byte[] encode(StoredVersion v) {
        byte[] out = new byte[encodedSize(v)];
        CodedOutputStream cos = CodedOutputStream.newInstance(out);
        try {
            if (v.tombstone()) {
                cos.writeEnum(Event.TYPE_FIELD_NUMBER, DELETE);
            }
            cos.writeMessage(Event.KV_FIELD_NUMBER, v.kv());
            cos.checkNoSpaceLeft();
        } catch (IOException e) { // only if the KeyValue changed size while being written
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * The version stored at {@code (main, sub)} as {@code event[0..length)}.
     *
     * @throws InvalidProtocolBufferException the bytes are no Event, or not one stored at this revision
     *                                        (its mod revision is not {@code main})
     */
    static StoredVersion decode(long main, int sub, byte[] event, int length) throws InvalidProtocolBufferException {
        Event e = Event.parser().parseFrom(event, 0, length);
        if (e.getKv().getModRevision() != main || e.getKv().getKey().isEmpty()) {
            throw new InvalidProtocolBufferException("the event stored at revision " + main
                    + " has key \"" + e.getKv().getKey().toStringUtf8() + "\" and mod revision "
                    + e.getKv().getModRevision());
        }
        return new StoredVersion(main, sub, e.getKv(), e.getType() == Event.EventType.DELETE);
    }
}
