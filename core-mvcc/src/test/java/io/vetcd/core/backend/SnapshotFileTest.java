package io.vetcd.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotFileTest {
    private static final BackendMeta META = new BackendMeta(9, 4, true);
    private static final List<StoredVersion> VERSIONS = List.of(
            Versions.put(9, 1, "b", "second"), Versions.put(5, 0, "a", ""), Versions.tombstone(9, 0, "a"));

    @Test
    void roundTripKeepsMetaAndEveryVersion() throws IOException {
        List<StoredVersion> read = new ArrayList<>();
        assertEquals(META, SnapshotFile.read(new ByteArrayInputStream(snapshot()), read::add));
        assertEquals(VERSIONS, read);
    }

    @Test
    void layoutIsTheDocumentedOne() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotFile.write(out, new BackendMeta(3, -1, false), List.of(Versions.put(2, 0, "a", "x"))::forEach);
        assertEquals(544, out.size());
        byte[] bytes = out.toByteArray();
        for (int i = 77; i < 512; i++) {
            assertEquals(0, bytes[i], "padding at " + i);
        }
    }

    /** etcdctl 3.4 keeps a downloaded snapshot only if its length is a multiple of 512 plus 32. */
    @Test
    void everySnapshotHasTheLengthEtcdctlAccepts() throws IOException {
        for (int n = 0; n < 40; n++) {
            List<StoredVersion> versions = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                versions.add(Versions.put(2 + i, 0, "key" + i, "v".repeat(i * 7)));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            SnapshotFile.write(out, new BackendMeta(2 + n, -1, false), versions::forEach);
            assertEquals(32, out.size() % 512, n + " versions: " + out.size() + " bytes");
            List<StoredVersion> read = new ArrayList<>();
            SnapshotFile.read(new ByteArrayInputStream(out.toByteArray()), read::add);
            assertEquals(versions, read);
        }
    }

    @Test
    void truncatedAnywhereIsReportedAsTruncated() throws IOException {
        byte[] whole = snapshot();
        for (int length : new int[] {20, whole.length / 2, whole.length - 40, whole.length - 1}) {
            IOException e = assertThrows(IOException.class,
                    () -> SnapshotFile.read(new ByteArrayInputStream(Arrays.copyOf(whole, length)), v -> {}));
            assertEquals("snapshot truncated", e.getMessage(), "cut at " + length);
        }
    }

    @Test
    void aFlippedByteFailsTheChecksum() throws IOException {
        byte[] bytes = snapshot();
        int inSecondValue = indexOf(bytes, "second".getBytes());
        bytes[inSecondValue] ^= 0x20;
        IOException e = assertThrows(IOException.class, () -> SnapshotFile.read(new ByteArrayInputStream(bytes), v -> {}));
        assertEquals("snapshot checksum mismatch", e.getMessage());
        byte[] digestFlipped = snapshot();
        digestFlipped[digestFlipped.length - 1] ^= 1;
        assertThrows(IOException.class, () -> SnapshotFile.read(new ByteArrayInputStream(digestFlipped), v -> {}));
    }

    @Test
    void anotherFileIsNoSnapshot() {
        IOException e = assertThrows(IOException.class,
                () -> SnapshotFile.read(new ByteArrayInputStream("SQLite format 3\0 and more".getBytes()), v -> {}));
        assertEquals("not a vetcd snapshot (bad magic)", e.getMessage());
        assertThrows(IOException.class, () -> SnapshotFile.read(new ByteArrayInputStream(new byte[0]), v -> {}));
    }

    private static byte[] snapshot() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotFile.write(out, META, VERSIONS::forEach);
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
