package io.vetcd.core.backend;

import java.nio.file.Path;

/**
 * A child JVM for {@link ChronicleCrashTest}: opens the store in {@code args[0]}, then puts and commits one
 * version per revision, printing each revision once its commit returned, until it is killed
 * ({@code args[1]} = "forever") or has written {@code args[1]} revisions and closes the store.
 */
public final class CrashingWriter {
    private CrashingWriter() {}

    public static void main(String[] args) {
        long revisions = args[1].equals("forever") ? Long.MAX_VALUE : Long.parseLong(args[1]);
        ChronicleBackend backend = ChronicleBackend.open(Path.of(args[0]), 64L << 20);
        BackendMeta meta = backend.load(v -> {});
        for (long i = 0, rev = meta.revision() + 1; i < revisions; i++, rev++) {
            backend.put(Versions.put(rev, 0, "key" + (rev % 100), "value " + rev));
            backend.put(Versions.tombstone(rev, 1, "gone" + rev));
            backend.commit(new BackendMeta(rev, -1, false));
            System.out.println(rev);
        }
        backend.close();
    }
}
