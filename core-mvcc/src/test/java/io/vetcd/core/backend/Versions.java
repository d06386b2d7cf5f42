package io.vetcd.core.backend;

import com.google.protobuf.ByteString;
import io.vetcd.proto.mvccpb.KeyValue;

/** Versions for the backend tests, built as the MVCC layer builds them. */
final class Versions {
    private Versions() {}

    /** A put of {@code key=value} at {@code (main, sub)}, created at {@code main}. */
    static StoredVersion put(long main, int sub, String key, String value) {
        return put(main, sub, key, ByteString.copyFromUtf8(value));
    }

    static StoredVersion put(long main, int sub, String key, ByteString value) {
        KeyValue kv = KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(value)
                .setCreateRevision(main).setModRevision(main).setVersion(1).build();
        return new StoredVersion(main, sub, kv, false);
    }

    /** The deletion of {@code key} at {@code (main, sub)}: only key and mod revision, as MvccStore writes it. */
    static StoredVersion tombstone(long main, int sub, String key) {
        KeyValue kv = KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(key)).setModRevision(main).build();
        return new StoredVersion(main, sub, kv, true);
    }
}
