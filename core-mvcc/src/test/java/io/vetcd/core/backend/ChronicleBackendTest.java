package io.vetcd.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.map.ChronicleMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChronicleBackendTest {
    private static final long QUOTA = 2L << 30;

    @TempDir
    Path dataDir;

    @Test
    void versionsTombstonesAndMetaSurviveCloseAndReopen() {
        List<StoredVersion> written = List.of(Versions.put(2, 0, "a", "1"), Versions.put(3, 0, "b", "2"),
                Versions.tombstone(4, 0, "a"), Versions.put(4, 1, "c", ""), Versions.put(5, 0, "b", "3"));
        BackendMeta meta = new BackendMeta(5, 3, true);
        long inUse;
        try (ChronicleBackend backend = ChronicleBackend.open(dataDir, QUOTA)) {
            assertEquals(BackendMeta.EMPTY, backend.load(v -> { throw new AssertionError("fresh store replayed " + v); }));
            for (int i = written.size() - 1; i >= 0; i--) { // any order in, (main, sub) order out
                backend.put(written.get(i));
            }
            backend.commit(meta);
            inUse = backend.sizeInUse();
            assertEquals(written.stream().mapToLong(EventCodec::storedBytes).sum(), inUse);
        }
        try (ChronicleBackend backend = ChronicleBackend.open(dataDir, QUOTA)) {
            List<StoredVersion> replayed = new ArrayList<>();
            assertEquals(meta, backend.load(replayed::add));
            assertEquals(written, replayed);
            assertEquals(inUse, backend.sizeInUse());
            assertEquals(inUse, backend.size());
        }
        assertTrue(Files.exists(dataDir.resolve("member/vetcd/revisions.cm")));
        assertTrue(Files.exists(dataDir.resolve("member/vetcd/clean-shutdown")));
    }

    @Test
    void loadDropsAndForgetsVersionsAboveTheCommittedRevision() {
        try (ChronicleBackend backend = ChronicleBackend.open(dataDir, QUOTA)) {
            backend.load(v -> {});
            backend.put(Versions.put(2, 0, "a", "1"));
            backend.put(Versions.put(3, 0, "b", "1"));
            backend.commit(new BackendMeta(3, -1, false));
            backend.put(Versions.put(4, 0, "a", "2")); // its batch never commits
        }
        for (int run = 0; run < 2; run++) {
            try (ChronicleBackend backend = ChronicleBackend.open(dataDir, QUOTA)) {
                List<StoredVersion> replayed = new ArrayList<>();
                assertEquals(new BackendMeta(3, -1, false), backend.load(replayed::add));
                assertEquals(List.of(Versions.put(2, 0, "a", "1"), Versions.put(3, 0, "b", "1")), replayed);
                assertEquals(EventCodec.storedBytes(replayed.get(0)) + EventCodec.storedBytes(replayed.get(1)),
                        backend.sizeInUse());
            }
        }
    }

    @Test
    void removeForgetsAVersionAndSizeIsAHighWaterMark() {
        StoredVersion a = Versions.put(2, 0, "a", "1");
        StoredVersion b = Versions.put(3, 0, "b", "22");
        try (ChronicleBackend backend = ChronicleBackend.open(dataDir, QUOTA)) {
            backend.load(v -> {});
            backend.put(a);
            backend.put(b);
            backend.put(b); // the same revision again replaces
            long both = EventCodec.storedBytes(a) + EventCodec.storedBytes(b);
            assertEquals(both, backend.sizeInUse());
            backend.remove(a);
            backend.remove(a); // already gone: nothing happens
            backend.remove(Versions.put(7, 3, "never", "put"));
            backend.commit(new BackendMeta(3, 2, false));
            assertEquals(EventCodec.storedBytes(b), backend.sizeInUse());
            assertEquals(both, backend.size());
        }
        try (ChronicleBackend backend = ChronicleBackend.open(dataDir, QUOTA)) {
            List<StoredVersion> replayed = new ArrayList<>();
            backend.load(replayed::add);
            assertEquals(List.of(b), replayed);
        }
    }

    @Test
    void defragmentKeepsTheContentAndBringsSizeDownToWhatIsInUse() {
        List<StoredVersion> kept = new ArrayList<>();
        try (ChronicleBackend backend = ChronicleBackend.open(dataDir, QUOTA)) {
            backend.load(v -> {});
            for (int rev = 2; rev < 2002; rev++) {
                StoredVersion v = Versions.put(rev, 0, "k" + rev, "value of " + rev);
                backend.put(v);
                if (rev % 10 == 0) {
                    kept.add(v);
                }
            }
            for (int rev = 2; rev < 2002; rev++) {
                if (rev % 10 != 0) {
                    backend.remove(Versions.put(rev, 0, "k" + rev, "value of " + rev));
                }
            }
            backend.commit(new BackendMeta(2001, 1999, false));
            long inUse = backend.sizeInUse();
            assertTrue(backend.size() > 5 * inUse);
            backend.defragment();
            assertEquals(inUse, backend.size());
            assertEquals(inUse, backend.sizeInUse());
            assertFalse(Files.exists(dataDir.resolve("member/vetcd/revisions.cm.defrag")));
            backend.put(Versions.put(2002, 0, "after", "defragment"));
            kept.add(Versions.put(2002, 0, "after", "defragment"));
            backend.commit(new BackendMeta(2002, 1999, false));
        }
        try (ChronicleBackend backend = ChronicleBackend.open(dataDir, QUOTA)) {
            List<StoredVersion> replayed = new ArrayList<>();
            assertEquals(new BackendMeta(2002, 1999, false), backend.load(replayed::add));
            assertEquals(kept, replayed);
        }
    }

    @Test
    void holdsTheQuotaInLargeValues() {
        assertHoldsQuota(ByteString.copyFrom(new byte[4096]));
    }

    @Test
    void holdsTheQuotaInTinyValuesThenSaysFull() {
        long quota = 20L << 20;
        try (ChronicleBackend backend = ChronicleBackend.open(dataDir, quota)) {
            backend.load(v -> {});
            long rev = 2;
            while (backend.sizeInUse() < quota) {
                backend.put(Versions.tombstone(rev++, 0, "k"));
            }
            BackendFullException full = assertThrows(BackendFullException.class, () -> {
                for (long r = 1L << 40; r < (1L << 40) + 50 * (quota / MapSizing.SMALLEST_ENTRY_BYTES); r++) {
                    backend.put(Versions.tombstone(r, 0, "k"));
                }
            });
            assertTrue(full.getMessage().contains("revisions.cm"), full.getMessage());
            long inUse = backend.sizeInUse();
            backend.remove(Versions.tombstone(2, 0, "k"));
            assertEquals(inUse - MapSizing.SMALLEST_ENTRY_BYTES, backend.sizeInUse(), "still usable after refusing");
        }
    }

    private void assertHoldsQuota(ByteString value) {
        long quota = 20L << 20;
        try (ChronicleBackend backend = ChronicleBackend.open(dataDir, quota)) {
            backend.load(v -> {});
            for (long rev = 2; backend.sizeInUse() < quota; rev++) {
                backend.put(Versions.put(rev, 0, "key" + rev, value));
            }
        }
    }

    @Test
    void aStoreSizedForASmallerQuotaIsRewrittenForTheNewOne() {
        try (ChronicleBackend backend = ChronicleBackend.open(dataDir, 1 << 20)) {
            backend.load(v -> {});
            backend.put(Versions.put(2, 0, "a", "1"));
            backend.commit(new BackendMeta(2, -1, false));
        }
        long quota = 20L << 20; // more than a store sized for 1 MiB takes: 128 tiers x 4096 x 25 bytes = 13 MB
        try (ChronicleBackend backend = ChronicleBackend.open(dataDir, quota)) {
            List<StoredVersion> replayed = new ArrayList<>();
            backend.load(replayed::add);
            assertEquals(List.of(Versions.put(2, 0, "a", "1")), replayed);
            for (long rev = 3; backend.sizeInUse() < quota; rev++) {
                backend.put(Versions.tombstone(rev, 0, "a"));
            }
        }
    }

    @Test
    void aStoreNotClosedIsRecoveredOnOpen() throws Exception {
        try (ChronicleBackend backend = ChronicleBackend.open(dataDir, QUOTA)) {
            backend.load(v -> {});
            backend.put(Versions.put(2, 0, "a", "1"));
            backend.commit(new BackendMeta(2, -1, false));
        }
        Files.delete(dataDir.resolve("member/vetcd/clean-shutdown")); // as if the process had been killed
        try (ChronicleBackend backend = ChronicleBackend.open(dataDir, QUOTA)) {
            List<StoredVersion> replayed = new ArrayList<>();
            backend.load(replayed::add);
            assertEquals(List.of(Versions.put(2, 0, "a", "1")), replayed);
            assertFalse(Files.exists(dataDir.resolve("member/vetcd/clean-shutdown")), "deleted while open");
        }
    }

    @Test
    void aSecondOpenOfTheSameStoreIsRefused() {
        try (ChronicleBackend backend = ChronicleBackend.open(dataDir, QUOTA)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ChronicleBackend.open(dataDir, QUOTA));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        ChronicleBackend.open(dataDir, QUOTA).close(); // the lock went with the close
    }

    @Test
    void closeTwiceIsFine() {
        ChronicleBackend backend = ChronicleBackend.open(dataDir, QUOTA);
        backend.close();
        backend.close();
    }

    @Test
    void aTruncatedRevisionsFileIsCorrupt() throws Exception {
        Path revisions = storeWithData();
        try (RandomAccessFile raf = new RandomAccessFile(revisions.toFile(), "rw")) {
            raf.setLength(raf.length() / 2);
        }
        assertCorrupt(revisions);
        Files.delete(dataDir.resolve("member/vetcd/clean-shutdown")); // also in recovery mode
        assertCorrupt(revisions);
    }

    @Test
    void garbageOverTheRevisionsFileHeaderIsCorrupt() throws Exception {
        Path revisions = storeWithData();
        try (RandomAccessFile raf = new RandomAccessFile(revisions.toFile(), "rw")) {
            raf.write("this is not a Chronicle Map".getBytes());
        }
        assertCorrupt(revisions);
        Files.delete(dataDir.resolve("member/vetcd/clean-shutdown"));
        assertCorrupt(revisions);
        Files.write(revisions, new byte[4096]); // zeros: a header "not complete" Chronicle would wait on
        assertCorrupt(revisions);
    }

    @Test
    void aValueThatIsNoEventIsCorruptAtLoad() throws Exception {
        Path revisions = storeWithData();
        try (ChronicleMap<byte[], byte[]> map = MapSizing.forContent(0, QUOTA).builder().createPersistedTo(revisions.toFile())) {
            byte[] key = new byte[RevisionKey.BYTES];
            RevisionKey.write(key, 2, 0);
            map.put(key, new byte[] {(byte) 0xff, (byte) 0xff});
        }
        try (ChronicleBackend backend = ChronicleBackend.open(dataDir, QUOTA)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> backend.load(v -> {}));
            assertTrue(e.getMessage().startsWith("corrupt data file " + revisions), e.getMessage());
        }
    }

    @Test
    void aMissingMetaFileIsCorrupt() throws Exception {
        storeWithData();
        Path meta = dataDir.resolve("member/vetcd/meta.dat");
        Files.delete(meta);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ChronicleBackend.open(dataDir, QUOTA));
        assertTrue(e.getMessage().startsWith("corrupt data file " + meta), e.getMessage());
    }

    @Test
    void aFreshTwoGigabyteStoreOpensFast() {
        ChronicleBackend.open(dataDir.resolve("warm-up"), QUOTA).close(); // class loading is not the point here
        long start = System.nanoTime();
        ChronicleBackend backend = ChronicleBackend.open(dataDir.resolve("fresh"), QUOTA);
        long openMillis = (System.nanoTime() - start) / 1_000_000;
        backend.close();
        System.out.println("fresh 2 GiB-quota store: create+open " + openMillis + " ms");
        assertTrue(openMillis < 1000, openMillis + " ms");
    }

    private Path storeWithData() {
        try (ChronicleBackend backend = ChronicleBackend.open(dataDir, QUOTA)) {
            backend.load(v -> {});
            for (int rev = 2; rev < 1000; rev++) {
                backend.put(Versions.put(rev, 0, "k" + rev, "v"));
            }
            backend.commit(new BackendMeta(999, -1, false));
        }
        return dataDir.resolve("member/vetcd/revisions.cm");
    }

    private void assertCorrupt(Path file) {
        long start = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try (ChronicleBackend backend = ChronicleBackend.open(dataDir, QUOTA)) {
                backend.load(v -> {});
            }
        });
        assertTrue(e.getMessage().startsWith("corrupt data file " + file), e.getMessage());
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "failed fast");
    }
}
