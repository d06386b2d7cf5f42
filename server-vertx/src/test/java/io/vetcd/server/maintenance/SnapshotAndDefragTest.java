package io.vetcd.server.maintenance;

import static io.vetcd.server.maintenance.PersistentServer.await;
import static io.vetcd.server.maintenance.PersistentServer.bs;
import static io.vetcd.server.maintenance.PersistentServer.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.etcd.jetcd.options.GetOption;
import io.vetcd.server.ServerConfig;
import io.vetcd.server.cli.VetcdCommand;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code Maintenance.Snapshot} streams a point-in-time copy that {@code vetcd snapshot restore} turns
 * into a data dir holding the same history; {@code Maintenance.Defragment} shrinks the backend's size to
 * what is retained after a compaction.
 */
class SnapshotAndDefragTest {
    @TempDir
    Path temp;

    private static GetResponse all(KV kv) {
        return await(kv.get(bs("\0"), GetOption.builder().withRange(bs("\0")).build()));
    }

    @Test
    void aSnapshotRestoresToTheSameHistory() throws Exception {
        Path snapshot = temp.resolve("snap.db");
        GetResponse before;
        int hash;
        long size;
        try (PersistentServer s = PersistentServer.start(ServerConfig.persistentOnFreePort(temp.resolve("a")))) {
            for (int i = 0; i < 200; i++) {
                await(s.kv().put(bs("key" + (i % 50)), bs("value" + i)));
            }
            await(s.kv().delete(bs("key7")));
            await(s.kv().compact(100));
            before = all(s.kv());
            hash = await(s.maintenance().hashKV(s.endpoint(), 0)).getHash();
            try (OutputStream out = Files.newOutputStream(snapshot)) {
                size = await(s.maintenance().snapshot(out));
            }
            await(s.kv().put(bs("after-the-snapshot"), bs("x")));
        }
        assertTrue(size > 0 && size == Files.size(snapshot), size + " bytes streamed");

        Path restored = temp.resolve("restored");
        int exit = new CommandLine(new VetcdCommand()).execute("snapshot", "restore", snapshot.toString(),
                "--data-dir", restored.toString());
        assertEquals(0, exit);
        assertEquals(1, new CommandLine(new VetcdCommand()).execute("snapshot", "restore", snapshot.toString(),
                "--data-dir", restored.toString()), "restore refuses a data dir that exists");
        try (PersistentServer s = PersistentServer.start(ServerConfig.persistentOnFreePort(restored))) {
            GetResponse after = all(s.kv());
            assertEquals(describe(before.getKvs()), describe(after.getKvs()));
            assertEquals(before.getHeader().getRevision(), after.getHeader().getRevision());
            assertEquals(hash, await(s.maintenance().hashKV(s.endpoint(), 0)).getHash());
            assertEquals(100, await(s.maintenance().hashKV(s.endpoint(), 0)).getCompacted());
        }
    }

    @Test
    void restoreRefusesAFileThatIsNotASnapshot() throws Exception {
        Path junk = Files.writeString(temp.resolve("junk.db"), "not a snapshot");
        Path dir = temp.resolve("never");
        assertEquals(1, new CommandLine(new VetcdCommand()).execute("snapshot", "restore", junk.toString(),
                "--data-dir", dir.toString()));
        assertTrue(Files.notExists(dir), "a failed restore leaves no data dir behind");
    }

    @Test
    void defragmentShrinksTheBackendToWhatIsRetained() {
        try (PersistentServer s = PersistentServer.start(ServerConfig.persistentOnFreePort(temp.resolve("d")))) {
            long revision = 0;
            for (int i = 0; i < 300; i++) {
                revision = await(s.kv().put(bs("k" + (i % 10)), bs("v".repeat(500)))).getHeader().getRevision();
            }
            await(s.kv().compact(revision));
            StatusResponse compacted = await(s.maintenance().statusMember(s.endpoint()));
            assertTrue(compacted.getDbSize() > compacted.getDbSizeInUse() * 5,
                    compacted.getDbSize() + " vs in use " + compacted.getDbSizeInUse());
            await(s.maintenance().defragmentMember(s.endpoint()));
            StatusResponse defragmented = await(s.maintenance().statusMember(s.endpoint()));
            assertEquals(defragmented.getDbSizeInUse(), defragmented.getDbSize());
            assertNotEquals(compacted.getDbSize(), defragmented.getDbSize());
            assertEquals(10, all(s.kv()).getCount(), "defragmentation keeps every key");
        }
    }
}
