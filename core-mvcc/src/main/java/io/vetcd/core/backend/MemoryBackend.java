package io.vetcd.core.backend;

import java.util.function.Consumer;

/**
 * The backend of {@code --in-memory}: keeps nothing across restarts (every start is a fresh store), but
 * counts sizes exactly as {@link ChronicleBackend} does - 16 bytes of revision key plus the encoded
 * {@code mvccpb.Event} per retained version - so that {@code --quota-backend-bytes}, the NOSPACE alarm,
 * {@code db_size} and defragmentation behave the same with and without a data dir.
 *
 * <p>It holds no version ({@link #remove} is told the version it forgets, so its size is computed
 * again): the revision index in memory already holds them.
 *
 * <p>Threading: one writer calls every method; the size getters may be read from any thread.
 */
public final class MemoryBackend implements Backend {
    private final SizeAccounting sizes = new SizeAccounting();

    /** Nothing was kept: replays nothing and returns {@link BackendMeta#EMPTY}. */
    @Override
    public BackendMeta load(Consumer<StoredVersion> replay) {
        return BackendMeta.EMPTY;
    }

    @Override
    public void put(StoredVersion version) {
        sizes.add(EventCodec.storedBytes(version));
    }

    @Override
    public void remove(StoredVersion version) {
        sizes.subtract(EventCodec.storedBytes(version));
    }

    /** Nothing to keep: the lessor holds its leases in memory, for as long as the process lives. */
    @Override
    public void putLease(long id, long ttlSeconds) {}

    @Override
    public void removeLease(long id) {}

    /** Nothing was kept (as for the versions): a fresh start has no lease. */
    @Override
    public void loadLeases(LeaseVisitor visitor) {}

    /** Nothing to write: the meta lives only as long as the process. */
    @Override
    public void commit(BackendMeta meta) {}

    @Override
    public long sizeInUse() {
        return sizes.inUse();
    }

    /** The most {@link #sizeInUse} has been since the start or the last {@link #defragment}. */
    @Override
    public long size() {
        return sizes.highWater();
    }

    /** Nothing to rewrite; {@link #size} comes down to {@link #sizeInUse}. */
    @Override
    public void defragment() {
        sizes.shrinkHighWaterToInUse();
    }

    @Override
    public void close() {}
}
