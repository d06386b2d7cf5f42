package io.vetcd.core.backend;

import java.util.function.Consumer;

/**
 * Where the MVCC history outlives the process (etcd's {@code backend}): every retained version by
 * revision, plus {@link BackendMeta}, plus the granted leases (id and TTL). The revision index in memory answers every read; the backend is
 * written by the writer and read once, at start-up.
 *
 * <p>Threading: one thread at a time (the holder of the writer lock) calls every method; the size
 * getters may be read from any thread (metrics, Status).
 *
 * <p>Crash contract: after {@link #commit} returns, everything {@link #put} and {@link #remove}d
 * before it survives {@code kill -9} of the process. A crash between two commits may leave versions
 * of an unacknowledged batch behind (above the committed revision); {@link #load} drops them.
 *
 * <p>Worked example. Batch 1 puts a@(2,0), b@(3,0) and commits (3, -1); batch 2 puts a@(4,0) and the
 * process is killed before its commit. {@link #load} replays (2,0) and (3,0), drops (4,0) and returns
 * revision 3: the restarted store gives its next write revision 4, as etcd would.
 */
public interface Backend extends AutoCloseable {
    /**
     * Replays what an earlier run kept: each version at or below the committed revision, in (main, sub)
     * order, then returns the committed meta ({@link BackendMeta#EMPTY} for a new backend). Called once,
     * before any write.
     *
     * @throws IllegalStateException a data file is corrupt or truncated; the message names the file
     */
    BackendMeta load(Consumer<StoredVersion> replay);

    /** Keeps one change; it survives a crash once the next {@link #commit} returns. */
    void put(StoredVersion version);

    /**
     * Forgets {@code version}, a change this backend holds (dropped by a compaction, or put by a request
     * that was then aborted). A backend finds it by its revision (main, sub); one that only counts sizes
     * counts it from the version itself.
     */
    void remove(StoredVersion version);

    /** Receives the kept leases at start-up. */
    @FunctionalInterface
    interface LeaseVisitor {
        void lease(long id, long ttlSeconds);
    }

    /** Receives a live key and the lease it is attached to. */
    @FunctionalInterface
    interface KeyLease {
        void accept(com.google.protobuf.ByteString key, long lease);
    }

    /**
     * Keeps a granted lease: its id and granted TTL (seconds). Deadlines are not kept: on start-up every
     * lease gets its full TTL again (etcd's rule). Survives a crash once the next {@link #commit} returns.
     */
    void putLease(long id, long ttlSeconds);

    /**
     * Forgets a revoked lease. A backend may defer it until the next {@link #commit} has written the meta,
     * so that a crash never leaves keys (whose deletion was not committed) attached to a lease it forgot;
     * the opposite leftover, a lease whose keys are gone, is harmless: it expires again.
     */
    void removeLease(long id);

    /** Start-up, after {@link #load}: every lease kept. */
    void loadLeases(LeaseVisitor visitor);

    /** Ends a batch: writes {@code meta}; afterwards the batch survives {@code kill -9}. */
    void commit(BackendMeta meta);

    /** Bytes the retained changes take (etcd's {@code db_size_in_use}); the quota is checked against it. */
    long sizeInUse();

    /** Bytes the backend's files take (etcd's {@code db_size}); shrinks only by {@link #defragment}. */
    long size();

    /** Rewrites the files to fit what is retained now (etcd's defragmentation). */
    void defragment();

    /** Releases the files; a later open finds them cleanly closed. */
    @Override
    void close();
}
