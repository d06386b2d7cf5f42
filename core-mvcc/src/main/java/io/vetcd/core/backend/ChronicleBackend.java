package io.vetcd.core.backend;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;

/**
 * The persistent backend: the MVCC history in memory-mapped Chronicle Map files that survive
 * {@code kill -9} without an fsync per write (the page cache holds every completed write; the OS writes
 * it back). Power loss is outside the contract, as with etcd's {@code --unsafe-no-fsync}.
 *
 * <p>Files, under {@code <data-dir>/member/vetcd/}:
 * <ul>
 *   <li>{@code revisions.cm}: every retained version, key {@link RevisionKey} (16 bytes: main, sub),
 *       value the encoded {@code mvccpb.Event} ({@link EventCodec}); sized by {@link MapSizing}.
 *   <li>{@code meta.dat}: the committed {@link BackendMeta}, in two checksummed slots ({@link MetaFile}).
 *   <li>{@code clean-shutdown}: an empty marker, written by {@link #close} and deleted by {@link #open}.
 *       Missing at open means the last process died with the files open: its Chronicle segment locks
 *       may still be held (a normal open would wait a minute on them), so the map is opened in
 *       Chronicle's recovery mode, which resets them and repairs what a kill left half-written.
 *   <li>{@code lock}: an OS file lock held while a process has the store open, so that a second server
 *       on the same data dir is refused instead of writing the same maps.
 *   <li>{@code revisions.cm.defrag}: a {@link #defragment} in progress; a leftover is deleted at open.
 * </ul>
 *   <li>{@code leases.cm}: the granted leases, id to granted TTL in seconds ({@link #putLease}); a grant
 *       is written at once, a revoke only after the meta of its batch ({@link #commit}), so a crash
 *       never leaves live keys attached to a forgotten lease. Created empty when missing (a store from
 *       before leases). Opened in recovery mode under the same rule as the revisions map.
 * </ul>
 * Auth will get a map of its own here ({@code auth.cm}), under the same lock, marker and commit.
 *
 * <p>Cost on the write path: {@link #put} is one Chronicle insert (a 16-byte key written into a reused
 * array, the event encoded into one exact-size array); {@link #commit} copies 64 bytes into the mapped
 * meta file, with the revisions file's length (so that a truncated file is noticed at the next open),
 * re-read only when Chronicle has grown the file.
 *
 * <p>Threading: one writer at a time calls every method, as {@link Backend} says; {@link #size} and
 * {@link #sizeInUse} may be read from any thread.
 */
public final class ChronicleBackend implements Backend {
    static {
        ChronicleEnvironment.apply();
    }

    static final String REVISIONS = "revisions.cm";
    static final String LEASES = "leases.cm";
    /** Room in leases.cm before Chronicle adds tiers (up to {@code LEASE_BLOAT} times as many). */
    private static final long LEASE_ENTRIES = 1 << 20;
    private static final double LEASE_BLOAT = 8;
    static final String META = "meta.dat";
    static final String CLEAN_SHUTDOWN = "clean-shutdown";
    static final String LOCK = "lock";
    static final String DEFRAGMENT_SUFFIX = ".defrag";

    private final Path dir;
    private final long quotaBytes;
    private final FileChannel lockChannel;
    private final MetaFile metaFile;
    private final File revisionsFile;
    private final SizeAccounting sizes = new SizeAccounting();
    /** The key of the version being put or removed: Chronicle copies it into the map, so one array serves. */
    private final byte[] key = new byte[RevisionKey.BYTES];
    private ChronicleMap<byte[], byte[]> revisions;
    private final ChronicleMap<Long, Long> leases;
    /** Revoked leases to remove from {@link #leases} once the meta of their batch is written. */
    private final List<Long> leasesToRemove = new ArrayList<>();
    /** What {@link #commit} records as the revisions file's length, re-read when Chronicle maps more of it. */
    private long revisionsFileLength;
    private long mappedAtLastLength = -1;
    private boolean closed;

    private ChronicleBackend(Path dir, long quotaBytes, FileChannel lockChannel, MetaFile metaFile,
                             ChronicleMap<byte[], byte[]> revisions, ChronicleMap<Long, Long> leases) {
        this.leases = leases;
        this.dir = dir;
        this.quotaBytes = quotaBytes;
        this.lockChannel = lockChannel;
        this.metaFile = metaFile;
        this.revisionsFile = dir.resolve(REVISIONS).toFile();
        this.revisions = revisions;
    }

    /**
     * Opens (or creates) the store under {@code <dataDir>/member/vetcd/}, with room for
     * {@code quotaBytes} of retained versions (etcd's {@code --quota-backend-bytes}). Files sized for a
     * smaller quota by an earlier run are rewritten for this one ({@link #defragment}).
     *
     * @throws IllegalStateException a data file is missing, corrupt or truncated (the message names it), or
     *                               another process has the store open
     * @throws UncheckedIOException  the files cannot be read or written
     */
    public static ChronicleBackend open(Path dataDir, long quotaBytes) {
        if (quotaBytes <= 0) {
            throw new IllegalArgumentException("quota must be positive: " + quotaBytes);
        }
        Path dir = dataDir.resolve("member").resolve("vetcd");
        FileChannel lockChannel = lock(dir);
        try {
            Files.deleteIfExists(dir.resolve(REVISIONS + DEFRAGMENT_SUFFIX)); // revisions.cm is still whole
            MetaFile metaFile = openMeta(dir, quotaBytes);
            try {
                ChronicleMap<byte[], byte[]> revisions = openRevisions(dir, metaFile, quotaBytes);
                ChronicleMap<Long, Long> leases;
                try {
                    leases = openLeases(dir);
                } catch (IOException | RuntimeException e) {
                    revisions.close();
                    throw e;
                }
                Files.deleteIfExists(dir.resolve(CLEAN_SHUTDOWN));
                ChronicleBackend backend = new ChronicleBackend(dir, quotaBytes, lockChannel, metaFile, revisions,
                        leases);
                if (quotaBytes > metaFile.state().sizedForQuotaBytes()) {
                    try {
                        backend.defragment();
                    } catch (RuntimeException e) {
                        backend.close();
                        throw e;
                    }
                }
                return backend;
            } catch (IOException | RuntimeException e) {
                metaFile.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(lockChannel, e);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot open the store in " + dir + ": " + e.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
    }

    /** Takes the directory's lock file, creating the directory first. */
    private static FileChannel lock(Path dir) {
        try {
            Files.createDirectories(dir);
            FileChannel channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this very process
            }
            if (lock == null) {
                channel.close();
                throw new IllegalStateException("the store in " + dir + " is in use by another vetcd");
            }
            return channel;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + dir.resolve(LOCK) + ": " + e.getMessage(), e);
        }
    }

    /**
     * The meta file, created (before any revisions file) for a new store. A revisions file without one is
     * damage: creation never leaves that behind.
     */
    private static MetaFile openMeta(Path dir, long quotaBytes) {
        Path meta = dir.resolve(META);
        if (Files.exists(meta)) {
            return MetaFile.open(meta);
        }
        if (Files.exists(dir.resolve(REVISIONS))) {
            throw new IllegalStateException("corrupt data file " + meta + ": missing, but "
                    + dir.resolve(REVISIONS) + " exists");
        }
        return MetaFile.create(meta, new MetaFile.State(BackendMeta.EMPTY, 0, quotaBytes));
    }

    /**
     * The revisions map: created if nothing was ever committed and the file is missing or empty (a new
     * store, or one whose creation was interrupted), else checked and opened - in recovery mode when the
     * last process did not close it.
     */
    private static ChronicleMap<byte[], byte[]> openRevisions(Path dir, MetaFile metaFile, long quotaBytes)
            throws IOException {
        Path path = dir.resolve(REVISIONS);
        long length = Files.exists(path) ? Files.size(path) : -1;
        MapSizing sizing = MapSizing.forContent(0, quotaBytes);
        if (length <= 0 && metaFile.neverCommitted()) {
            Files.deleteIfExists(path);
            return sizing.builder().createPersistedTo(path.toFile());
        }
        if (length < 0) {
            throw new IllegalStateException("corrupt data file " + path + ": missing");
        }
        if (length < metaFile.state().revisionsFileLength()) {
            throw new IllegalStateException("corrupt data file " + path + ": truncated to " + length
                    + " bytes (it had " + metaFile.state().revisionsFileLength() + " at the last commit)");
        }
        boolean recover = !Files.exists(dir.resolve(CLEAN_SHUTDOWN));
        ChronicleHeader.verify(path, recover);
        try {
            return recover
                    ? sizing.builder().recoverPersistedTo(path.toFile(), false)
                    : sizing.builder().createPersistedTo(path.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("corrupt data file " + path + ": " + e.getMessage(), e);
        }
    }

    /** The leases map: created when missing, else opened (in recovery mode after an unclean stop). */
    private static ChronicleMap<Long, Long> openLeases(Path dir) throws IOException {
        Path path = dir.resolve(LEASES);
        var builder = ChronicleMap.of(Long.class, Long.class)
                .name("vetcd-leases")
                .entries(LEASE_ENTRIES)
                .maxBloatFactor(LEASE_BLOAT)
                .sparseFile(true)
                .skipCloseOnExitHook(true)
                .putReturnsNull(true)
                .removeReturnsNull(true);
        if (!Files.exists(path) || Files.size(path) == 0) {
            Files.deleteIfExists(path);
            return builder.createPersistedTo(path.toFile());
        }
        boolean recover = !Files.exists(dir.resolve(CLEAN_SHUTDOWN));
        try {
            return recover ? builder.recoverPersistedTo(path.toFile(), false)
                    : builder.createPersistedTo(path.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("corrupt data file " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Replays the committed versions in (main, sub) order and removes those above the committed revision
     * (a batch whose commit never returned). Computes {@link #sizeInUse}; {@link #size} starts there.
     *
     * @throws IllegalStateException an entry is not a version this backend wrote (names the file)
     */
    @Override
    public BackendMeta load(Consumer<StoredVersion> replay) {
        BackendMeta meta = metaFile.state().meta();
        List<StoredVersion> kept = new ArrayList<>(Math.toIntExact(revisions.longSize()));
        List<byte[]> uncommitted = new ArrayList<>();
        long[] bytes = {0};
        byte[][] buffer = {new byte[256]};
        revisions.forEachEntry(entry -> {
            byte[] k = entry.key().getUsing(new byte[RevisionKey.BYTES]);
            if (!RevisionKey.isValid(k)) {
                throw corruptEntry("a key of " + k.length + " bytes", null);
            }
            long main = RevisionKey.main(k);
            int sub = RevisionKey.sub(k);
            if (main > meta.revision()) {
                uncommitted.add(k);
                return;
            }
            Data<byte[]> value = entry.value();
            int size = Math.toIntExact(value.size());
            if (buffer[0].length < size) {
                buffer[0] = new byte[Math.max(size, 2 * buffer[0].length)];
            }
            value.bytes().read(value.offset(), buffer[0], 0, size);
            try {
                kept.add(EventCodec.decode(main, sub, buffer[0], size));
            } catch (InvalidProtocolBufferException e) {
                throw corruptEntry("the value at revision (" + main + ", " + sub + ")", e);
            }
            bytes[0] += RevisionKey.BYTES + size;
        });
        for (byte[] k : uncommitted) {
            revisions.remove(k);
        }
        StoredVersion[] ordered = kept.toArray(new StoredVersion[0]);
        kept.clear();
        RevisionOrder.sort(ordered);
        sizes.reset(bytes[0]);
        for (StoredVersion v : ordered) {
            replay.accept(v);
        }
        return meta;
    }

    private IllegalStateException corruptEntry(String what, Exception cause) {
        return new IllegalStateException("corrupt data file " + revisionsFile + ": " + what
                + " is not a version vetcd wrote" + (cause == null ? "" : " (" + cause.getMessage() + ")"), cause);
    }

    /** @throws BackendFullException the map has no tier left for the entry */
    @Override
    public void put(StoredVersion version) {
        RevisionKey.write(key, version.main(), version.sub());
        byte[] event = EventCodec.encode(version);
        try (ExternalMapQueryContext<byte[], byte[], ?> q = revisions.queryContext(key)) {
            q.updateLock().lock();
            MapEntry<byte[], byte[]> old = q.entry();
            if (old == null) {
                q.insert(q.absentEntry(), q.wrapValueAsData(event));
            } else {
                sizes.subtract(RevisionKey.BYTES + old.value().size());
                q.replaceValue(old, q.wrapValueAsData(event));
            }
        } catch (IllegalStateException e) {
            if (String.valueOf(e.getMessage()).contains("extra segment tier")) {
                throw new BackendFullException("the backend is full: " + revisionsFile + " holds "
                        + sizes.inUse() + " bytes and has no room for more", e);
            }
            throw e;
        }
        sizes.add(RevisionKey.BYTES + event.length);
    }

    @Override
    public void remove(StoredVersion version) {
        RevisionKey.write(key, version.main(), version.sub());
        try (ExternalMapQueryContext<byte[], byte[], ?> q = revisions.queryContext(key)) {
            q.updateLock().lock();
            MapEntry<byte[], byte[]> entry = q.entry();
            if (entry != null) {
                long bytes = RevisionKey.BYTES + entry.value().size();
                q.remove(entry);
                sizes.subtract(bytes);
            }
        }
    }

    @Override
    public void putLease(long id, long ttlSeconds) {
        leasesToRemove.remove((Long) id); // revoked and granted again in one batch (rare)
        leases.put(id, ttlSeconds);
    }

    @Override
    public void removeLease(long id) {
        leasesToRemove.add(id);
    }

    @Override
    public void loadLeases(LeaseVisitor visitor) {
        leases.forEach(visitor::lease);
    }

    @Override
    public void commit(BackendMeta meta) {
        long mapped = revisions.offHeapMemoryUsed(); // grows exactly when the file does: a new tier bulk
        if (mapped != mappedAtLastLength) {
            mappedAtLastLength = mapped;
            revisionsFileLength = revisionsFile.length(); // a stat costs ~1.5 us here: not once a batch
        }
        metaFile.write(new MetaFile.State(meta, revisionsFileLength, metaFile.state().sizedForQuotaBytes()));
        if (!leasesToRemove.isEmpty()) {
            for (Long id : leasesToRemove) {
                leases.remove(id);
            }
            leasesToRemove.clear();
        }
    }

    @Override
    public long sizeInUse() {
        return sizes.inUse();
    }

    /** The most {@link #sizeInUse} has been since the open or the last {@link #defragment}. */
    @Override
    public long size() {
        return sizes.highWater();
    }

    /**
     * Rewrites the revisions map into a fresh file sized for what it holds now and for the quota, then
     * swaps it in with a rename. A crash before the rename leaves the old file whole and a
     * {@code .defrag} leftover that the next open deletes; after it, the new file is complete (it was
     * closed before the rename).
     */
    @Override
    public void defragment() {
        Path current = revisionsFile.toPath();
        Path fresh = dir.resolve(REVISIONS + DEFRAGMENT_SUFFIX);
        MapSizing sizing = MapSizing.forContent(revisions.longSize(), quotaBytes);
        try {
            Files.deleteIfExists(fresh);
            try (ChronicleMap<byte[], byte[]> copy = sizing.builder().createPersistedTo(fresh.toFile())) {
                revisions.forEachEntry(e -> copy.put(e.key().getUsing(null), e.value().getUsing(null)));
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(fresh, e);
            throw failure("cannot defragment " + current, e);
        }
        MetaFile.State before = metaFile.state();
        long freshLength = fresh.toFile().length();
        // Until the rename either file may be there: record the length both have.
        metaFile.write(new MetaFile.State(before.meta(), Math.min(before.revisionsFileLength(), freshLength),
                before.sizedForQuotaBytes()));
        revisions.close();
        IOException moveFailure = null;
        try {
            Files.move(fresh, current, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            moveFailure = e;
            deleteQuietly(fresh, e);
        }
        try {
            revisions = MapSizing.forContent(0, quotaBytes).builder().createPersistedTo(revisionsFile);
        } catch (IOException e) {
            throw failure("cannot reopen " + current + " after defragmenting it", e);
        }
        if (moveFailure != null) {
            throw failure("cannot defragment " + current, moveFailure);
        }
        mappedAtLastLength = revisions.offHeapMemoryUsed();
        revisionsFileLength = revisionsFile.length();
        metaFile.write(new MetaFile.State(before.meta(), revisionsFileLength, quotaBytes));
        sizes.shrinkHighWaterToInUse();
    }

    /** Closes the map and the meta file, then marks the store cleanly closed and unlocks it. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            revisions.close();
            leases.close();
            metaFile.close();
            Files.write(dir.resolve(CLEAN_SHUTDOWN), new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot mark " + dir + " cleanly closed: " + e.getMessage(), e);
        } finally {
            closeQuietly(lockChannel, null);
        }
    }

    private static RuntimeException failure(String what, Exception e) {
        return e instanceof IOException io
                ? new UncheckedIOException(what + ": " + e.getMessage(), io)
                : new IllegalStateException(what + ": " + e.getMessage(), e);
    }

    private static void deleteQuietly(Path path, Exception failure) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    private static void closeQuietly(FileChannel channel, Exception failure) {
        try {
            channel.close(); // releases the lock
        } catch (IOException e) {
            if (failure != null) {
                failure.addSuppressed(e);
            }
        }
    }
}
