package io.vetcd.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryBackendTest {
    @Test
    void keepsNothingButCountsLikeChronicle() {
        MemoryBackend backend = new MemoryBackend();
        List<StoredVersion> replayed = new ArrayList<>();
        assertEquals(BackendMeta.EMPTY, backend.load(replayed::add));
        assertEquals(List.of(), replayed);

        StoredVersion a = Versions.put(2, 0, "a", "1");
        StoredVersion b = Versions.tombstone(3, 0, "a");
        backend.put(a);
        backend.put(b);
        long both = 16 + EventCodec.encode(a).length + 16 + EventCodec.encode(b).length;
        assertEquals(both, backend.sizeInUse());
        assertEquals(both, backend.size());

        backend.remove(a);
        assertEquals(16 + EventCodec.encode(b).length, backend.sizeInUse());
        assertEquals(both, backend.size(), "size() is a high-water mark");

        backend.commit(new BackendMeta(3, -1, false));
        backend.defragment();
        assertEquals(backend.sizeInUse(), backend.size());
        backend.close();
        assertEquals(BackendMeta.EMPTY, new MemoryBackend().load(replayed::add), "nothing survives");
    }
}
