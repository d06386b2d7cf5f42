package io.vetcd.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetaFileTest {
    @TempDir
    Path dir;

    @Test
    void aTornCommitFallsBackToThePreviousOne() throws Exception {
        Path path = dir.resolve("meta.dat");
        MetaFile.State first = new MetaFile.State(new BackendMeta(7, 3, false), 4096, 1 << 20);
        MetaFile.State second = new MetaFile.State(new BackendMeta(8, 3, true), 8192, 1 << 20);
        try (MetaFile meta = MetaFile.create(path, new MetaFile.State(BackendMeta.EMPTY, 0, 1 << 20))) {
            assertTrue(meta.neverCommitted());
            meta.write(first);  // commit #1: slot 1
            meta.write(second); // commit #2: slot 0
        }
        try (MetaFile meta = MetaFile.open(path)) {
            assertEquals(second, meta.state());
            assertFalse(meta.neverCommitted());
        }
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
            raf.seek(16); // commit #2's revision, as if the copy had been cut short
            raf.writeLong(9);
        }
        try (MetaFile meta = MetaFile.open(path)) {
            assertEquals(first, meta.state());
        }
    }

    @Test
    void bothSlotsDamagedOrAShortFileIsCorrupt() throws Exception {
        Path path = dir.resolve("meta.dat");
        MetaFile.create(path, new MetaFile.State(BackendMeta.EMPTY, 0, 1)).close();
        Files.write(path, new byte[MetaFile.FILE_BYTES]);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> MetaFile.open(path));
        assertTrue(e.getMessage().startsWith("corrupt data file " + path), e.getMessage());
        Files.write(path, new byte[10]);
        e = assertThrows(IllegalStateException.class, () -> MetaFile.open(path));
        assertTrue(e.getMessage().startsWith("corrupt data file " + path), e.getMessage());
    }
}
