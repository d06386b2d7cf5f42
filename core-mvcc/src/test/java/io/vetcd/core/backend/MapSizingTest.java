package io.vetcd.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import net.openhft.chronicle.map.ChronicleMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MapSizingTest {
    @TempDir
    Path dir;

    @Test
    void tiersCoverTheQuotaInTheSmallestEntries() {
        for (long quota : new long[] {1L << 20, 20L << 20, 2L << 30, 8L << 30, 100L << 30}) {
            for (long entries : new long[] {0, 1_000_000, 50_000_000}) {
                MapSizing sizing = MapSizing.forContent(entries, quota);
                long tiers = sizing.segments() + extraTiers(sizing);
                assertTrue(tiers * MapSizing.ENTRIES_PER_TIER * MapSizing.SMALLEST_ENTRY_BYTES >= quota, sizing + " for " + quota);
                assertTrue((long) sizing.segments() * MapSizing.ENTRIES_PER_TIER >= Math.max(2 * entries, MapSizing.MIN_FIRST_TIER_ENTRIES));
                assertTrue(sizing.maxBloatFactor() <= 1000, sizing.toString());
            }
        }
        assertEquals(new MapSizing(64, 20972 / 64.0), MapSizing.forContent(0, 2L << 30), "the worked example");
    }

    @Test
    void chronicleAllowsTheExtraTiersPlanned() throws Exception {
        MapSizing sizing = MapSizing.forContent(0, 2L << 30);
        try (ChronicleMap<byte[], byte[]> map = sizing.builder().createPersistedTo(dir.resolve("m.cm").toFile())) {
            assertEquals(sizing.segments(), map.segments());
            assertEquals(extraTiers(sizing), map.remainingAutoResizes());
        }
    }

    /** Chronicle's maxExtraTiers: (maxBloatFactor - 1) x segments, plus segments for uneven filling. */
    private static long extraTiers(MapSizing sizing) {
        return Math.round((sizing.maxBloatFactor() - 1) * sizing.segments()) + sizing.segments();
    }
}
