package io.vetcd.core.backend;

import net.openhft.chronicle.map.ChronicleMapBuilder;

/**
 * How big a revisions map is made: enough for {@code quotaBytes} of retained versions however small or
 * large they are, without making a fresh store slow to create or heavy in memory.
 *
 * <p>Chronicle Map's layout: {@code segments} hash segments, each a chain of tiers; a tier has a hash
 * lookup for {@value #ENTRIES_PER_TIER} entries and {@value #CHUNKS_PER_TIER} chunks of
 * {@value #CHUNK_BYTES} bytes (2 MiB: also the largest entry). The first tier of every segment is laid
 * out when the file is created - Chronicle reads through its hash lookup and free list, ~100 KB a tier,
 * which is what creation costs in time and resident memory - and extra tiers come from a shared pool,
 * in bulks, as segments fill, up to {@code maxBloatFactor x segments} of them. The files are sparse, so
 * entry space costs disk only once written.
 *
 * <p>So: first tiers for twice the current entries (at least {@value #MIN_FIRST_TIER_ENTRIES}, which
 * creates in ~50 ms with ~6 MB resident), and a pool of extra tiers for the quota filled with the
 * smallest entries there are. Those need the most tiers: an entry counts as 16 key bytes plus its
 * encoded event, at least {@value #SMALLEST_ENTRY_BYTES} bytes ({@link EventCodec}), so a tier holds at
 * most 4096 x 25 = 100 KiB of quota. Large values fill a tier's chunks first but bring more bytes per
 * tier: 2 MiB / (4 KiB + 38 bytes of overhead) = 507 entries = ~2 MiB of quota per tier.
 *
 * <p>Worked example, the default 2 GiB quota on a fresh store: 262144 first-tier entries = 64 segments;
 * 2 GiB / 100 KiB = 20972 tiers, so maxBloatFactor = 20972 / 64 = 327.7 (Chronicle allows up to 1000;
 * beyond that the segments grow instead). Puts slow down as chains grow (a new key is looked up in every
 * tier of its segment): a store far beyond its first tiers wants a {@link ChronicleBackend#defragment},
 * which sizes the first tiers for the content again.
 *
 * @param segments       Chronicle's segments (a power of two)
 * @param maxBloatFactor extra tiers allowed, in multiples of {@code segments}
 */
record MapSizing(int segments, double maxBloatFactor) {
    static final int ENTRIES_PER_TIER = 4096;
    static final int CHUNK_BYTES = 32;
    static final int CHUNKS_PER_TIER = 65_536;
    static final int SMALLEST_ENTRY_BYTES = 25;
    static final long MIN_FIRST_TIER_ENTRIES = 256 * 1024;
    private static final double MAX_BLOAT_FACTOR = 1000;

    /** The sizing for a map about to hold {@code entries} entries, with room for {@code quotaBytes}. */
    static MapSizing forContent(long entries, long quotaBytes) {
        long firstTierEntries = Math.max(MIN_FIRST_TIER_ENTRIES, 2 * entries);
        long tiersForQuota = ceilDiv(quotaBytes, (long) SMALLEST_ENTRY_BYTES * ENTRIES_PER_TIER);
        long segments = Math.max(powerOfTwoAtLeast(ceilDiv(firstTierEntries, ENTRIES_PER_TIER)),
                powerOfTwoAtLeast(ceilDiv(tiersForQuota, (long) MAX_BLOAT_FACTOR)));
        double bloat = Math.max(1.0, tiersForQuota / (double) segments);
        return new MapSizing(Math.toIntExact(segments), bloat);
    }

    /**
     * A builder for a map of this size: 16-byte keys ({@link RevisionKey}), byte[] values (encoded events),
     * sparse files, and no close-on-exit hook - only {@link ChronicleBackend#close} closes the map, so a
     * map closed by anything else is never mistaken for a cleanly closed one. When a map file already
     * exists Chronicle takes its layout from the file's header and ignores the sizes here.
     */
    ChronicleMapBuilder<byte[], byte[]> builder() {
        return ChronicleMapBuilder.of(byte[].class, byte[].class)
                .name("vetcd-revisions")
                .constantKeySizeBySample(new byte[RevisionKey.BYTES])
                .averageValueSize((double) CHUNK_BYTES * CHUNKS_PER_TIER / ENTRIES_PER_TIER)
                .entries((long) segments * ENTRIES_PER_TIER)
                .actualSegments(segments)
                .entriesPerSegment(ENTRIES_PER_TIER)
                .actualChunkSize(CHUNK_BYTES)
                .actualChunksPerSegmentTier(CHUNKS_PER_TIER)
                .maxBloatFactor(maxBloatFactor)
                .sparseFile(true)
                .skipCloseOnExitHook(true)
                .putReturnsNull(true)
                .removeReturnsNull(true);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static long powerOfTwoAtLeast(long n) {
        return n <= 1 ? 1 : Long.highestOneBit(n - 1) << 1;
    }
}
