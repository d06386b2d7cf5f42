package io.vetcd.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
    void roundTripKeepsTheLeasesInIdOrder() throws IOException {
        List<StoredVersion> read = new ArrayList<>();
        List<long[]> leases = new ArrayList<>();
        BackendMeta meta = SnapshotFile.read(new ByteArrayInputStream(snapshotWithLeases()), read::add,
                (id, ttl) -> leases.add(new long[] {id, ttl}));
        assertEquals(META, meta);
        assertEquals(VERSIONS, read);
        assertEquals(List.of("-5:3", "7:60", "0x1234:2"), leases.stream()
                .map(l -> (l[0] == 0x1234 ? "0x1234" : Long.toString(l[0])) + ":" + l[1]).toList());
        assertEquals(VERSIONS.size(), countVersions(snapshotWithLeases()), "the two-argument read skips the leases");
    }

    @Test
    void layoutIsTheDocumentedOne() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotFile.write(out, new BackendMeta(3, -1, false), List.of(Versions.put(2, 0, "a", "x"))::forEach);
        assertEquals(544, out.size());
        byte[] bytes = out.toByteArray();
        assertEquals("00000002", hex(bytes, 15, 4), "format 2");
        assertEquals("ffffffff" + "0000000000000001" + "00000000", hex(bytes, 65, 16), "end marker, count, no lease");
        for (int i = 81; i < 512; i++) {
            assertEquals(0, bytes[i], "padding at " + i);
        }

        ByteArrayOutputStream withLease = new ByteArrayOutputStream();
        SnapshotFile.write(withLease, new BackendMeta(3, -1, false), List.of(Versions.put(2, 0, "a", "x"))::forEach,
                visitor -> visitor.lease(0x1234, 60));
        byte[] leased = withLease.toByteArray();
        assertEquals(544, leased.length);
        assertEquals("00000001" + "0000000000001234" + "000000000000003c", hex(leased, 77, 20));
        for (int i = 97; i < 512; i++) {
            assertEquals(0, leased[i], "padding at " + i);
        }
    }

    /** A snapshot saved with etcdctl from vetcd before snapshots kept leases: lease 0x1234 on key "leased". */
    @Test
    void aFormat1SnapshotStillReadsWithNoLease() throws IOException {
        byte[] old;
        try (InputStream in = SnapshotFileTest.class.getResourceAsStream("format1-with-lease.db")) {
            old = in.readAllBytes();
        }
        assertEquals("00000001", hex(old, 15, 4), "the fixture is format 1");
        List<StoredVersion> read = new ArrayList<>();
        List<Long> leases = new ArrayList<>();
        BackendMeta meta = SnapshotFile.read(new ByteArrayInputStream(old), read::add, (id, ttl) -> leases.add(id));
        assertEquals(new BackendMeta(3, -1, false), meta);
        assertEquals(List.of("leased", "plain"), read.stream().map(v -> v.kv().getKey().toStringUtf8()).toList());
        assertEquals(0x1234, read.get(0).kv().getLease(), "the key still names its lease");
        assertEquals(List.of(), leases);
    }

    @Test
    void anUnknownFormatIsRefused() throws IOException {
        byte[] bytes = snapshot();
        bytes[18] = 3;
        IOException e = assertThrows(IOException.class, () -> SnapshotFile.read(new ByteArrayInputStream(bytes), v -> {}));
        assertEquals("unsupported vetcd snapshot format 3 (this vetcd reads 1 and 2)", e.getMessage());
    }

    @Test
    void leasesThatCannotBeRestoredAreNotWritten() {
        assertThrows(IllegalArgumentException.class, () -> SnapshotFile.write(new ByteArrayOutputStream(), META,
                VERSIONS::forEach, visitor -> visitor.lease(0, 5)));
        assertThrows(IllegalArgumentException.class, () -> SnapshotFile.write(new ByteArrayOutputStream(), META,
                VERSIONS::forEach, visitor -> visitor.lease(9, 0)));
        assertThrows(IllegalArgumentException.class, () -> SnapshotFile.write(new ByteArrayOutputStream(), META,
                VERSIONS::forEach, visitor -> {
                    visitor.lease(9, 5);
                    visitor.lease(9, 6);
                }));
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
        for (byte[] whole : List.of(snapshot(), snapshotWithLeases())) {
            int leasesEnd = 15 + 4 + 17; // the records follow; find the end of the leases from the padding
            while (leasesEnd < 512 && !allZero(whole, leasesEnd, 512)) {
                leasesEnd++;
            }
            for (int length : new int[] {20, whole.length / 2, leasesEnd - 9, leasesEnd - 1, whole.length - 40,
                    whole.length - 1}) {
                IOException e = assertThrows(IOException.class,
                        () -> SnapshotFile.read(new ByteArrayInputStream(Arrays.copyOf(whole, length)), v -> {}));
                assertEquals("snapshot truncated", e.getMessage(), "cut at " + length);
            }
        }
    }

    @Test
    void aFlippedByteInTheLeasesFailsTheChecksum() throws IOException {
        byte[] bytes = snapshotWithLeases();
        int leasesEnd = 512;
        while (bytes[leasesEnd - 1] == 0) {
            leasesEnd--;
        }
        bytes[leasesEnd - 1] ^= 0x40; // the last lease's TTL (0x1234's 2) becomes 66, still a valid lease
        IOException e = assertThrows(IOException.class,
                () -> SnapshotFile.read(new ByteArrayInputStream(bytes), v -> {}, (id, ttl) -> {}));
        assertEquals("snapshot checksum mismatch", e.getMessage());
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

    /** META and VERSIONS with leases 7 (TTL 60), 0x1234 (TTL 2) and -5 (TTL 3), handed out in no order. */
    private static byte[] snapshotWithLeases() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotFile.write(out, META, VERSIONS::forEach, visitor -> {
            visitor.lease(7, 60);
            visitor.lease(0x1234, 2);
            visitor.lease(-5, 3);
        });
        return out.toByteArray();
    }

    private static int countVersions(byte[] snapshot) throws IOException {
        int[] n = {0};
        SnapshotFile.read(new ByteArrayInputStream(snapshot), v -> n[0]++);
        return n[0];
    }

    private static boolean allZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static String hex(byte[] bytes, int from, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = from; i < from + length; i++) {
            s.append(String.format("%02x", bytes[i] & 0xff));
        }
        return s.toString();
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
