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
 * {@code etcdctl snapshot save} (from vetcd) recorded. The file is vetcd's format, not bbolt's: etcd's
 * snapshots do not restore here, nor vetcd's with etcdctl. Like {@code etcdctl snapshot restore}, it
 * refuses a data dir that already exists (and is not empty); the restored member gets new ids.
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
                BackendMeta meta = restore(snapshot, dir, quotaBackendBytes > 0 ? quotaBackendBytes : Quota.DEFAULT_BYTES);
                System.out.println("restored snapshot " + snapshot + " (revision " + meta.revision()
                        + ", compacted at " + meta.compactRevision() + ") into " + dir.toAbsolutePath());
                return 0;
            } catch (IOException | RuntimeException e) {
                System.err.println("Error: " + e.getMessage());
                return 1;
            }
        }

        /** Writes the snapshot into a fresh backend in {@code dir}; on any failure {@code dir} is removed. */
        static BackendMeta restore(Path snapshot, Path dir, long quotaBytes) throws IOException {
            try (InputStream in = Files.newInputStream(snapshot);
                 ChronicleBackend backend = ChronicleBackend.open(dir, quotaBytes)) {
                BackendMeta meta = SnapshotFile.read(in, backend::put);
                backend.commit(meta);
                return meta;
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
