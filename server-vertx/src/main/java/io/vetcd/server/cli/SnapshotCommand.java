package io.vetcd.server.cli;

import io.vetcd.core.apply.Quota;
import io.vetcd.core.backend.BackendMeta;
import io.vetcd.core.backend.ChronicleBackend;
import io.vetcd.core.backend.SnapshotFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vetcd snapshot restore FILE --data-dir DIR}: a new data dir holding what a snapshot saved with
 * {@code etcdctl snapshot save} (from vetcd) recorded: the keys and their history, the compaction point,
 * the alarm and the leases (id and granted TTL; a server started on the data dir gives each its full TTL
 * again and expires it, with its keys, as etcd does after its own restore). The file is vetcd's format, not
 * bbolt's: etcd's snapshots do not restore here, nor vetcd's with etcdctl. Like {@code etcdctl snapshot
 * restore}, it refuses a data dir that already exists (and is not empty); the restored member gets new ids.
 */
@Command(name = "snapshot", description = "Snapshot tools.", mixinStandardHelpOptions = true,
        subcommands = SnapshotCommand.Restore.class)
final class SnapshotCommand {
    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Restores a vetcd snapshot into a new data directory.")
    static final class Restore implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "The snapshot file.")
        Path snapshot;

        @Option(names = "--name", description = "Human-readable name for this member (default: ${DEFAULT-VALUE}).")
        String name = "default";

        @Option(names = "--data-dir", description = "Path to the data directory (default: ./<name>.vetcd).")
        Path dataDir;

        @Option(names = "--quota-backend-bytes", description = "Backend size quota in bytes (default: ${DEFAULT-VALUE}).")
        long quotaBackendBytes = Quota.DEFAULT_BYTES;

        @Override
        public Integer call() {
            Path dir = dataDir != null ? dataDir : Path.of(name + ".vetcd");
            try {
                if (Files.isDirectory(dir) && !isEmpty(dir) || Files.exists(dir) && !Files.isDirectory(dir)) {
                    System.err.println("Error: data-dir \"" + dir + "\" exists");
                    return 1;
                }
                Restored restored = restore(snapshot, dir, quotaBackendBytes > 0 ? quotaBackendBytes : Quota.DEFAULT_BYTES);
                BackendMeta meta = restored.meta();
                System.out.println("restored snapshot " + snapshot + " (revision " + meta.revision()
                        + ", compacted at " + meta.compactRevision() + ", " + restored.leases()
                        + (restored.leases() == 1 ? " lease" : " leases") + ") into " + dir.toAbsolutePath());
                return 0;
            } catch (IOException | RuntimeException e) {
                System.err.println("Error: " + e.getMessage());
                return 1;
            }
        }

        /** What a restore wrote: the snapshot's meta and how many leases it carried. */
        record Restored(BackendMeta meta, long leases) {}

        /**
         * Writes the snapshot's versions and leases into a fresh backend in {@code dir}, committed with its
         * meta; on any failure {@code dir} is removed.
         */
        static Restored restore(Path snapshot, Path dir, long quotaBytes) throws IOException {
            try (InputStream in = Files.newInputStream(snapshot);
                 ChronicleBackend backend = ChronicleBackend.open(dir, quotaBytes)) {
                long[] leases = {0};
                BackendMeta meta = SnapshotFile.read(in, backend::put, (id, ttl) -> {
                    backend.putLease(id, ttl);
                    leases[0]++;
                });
                backend.commit(meta);
                return new Restored(meta, leases[0]);
            } catch (IOException | RuntimeException e) {
                deleteTree(dir);
                throw e;
            }
        }

        private static boolean isEmpty(Path dir) throws IOException {
            try (Stream<Path> entries = Files.list(dir)) {
                return entries.findAny().isEmpty();
            }
        }

        private static void deleteTree(Path dir) {
            if (!Files.exists(dir)) {
                return;
            }
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (IOException | UncheckedIOException e) {
                System.err.println("warning: cannot remove " + dir + ": " + e.getMessage());
            }
        }
    }
}
