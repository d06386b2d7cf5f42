package io.vetcd.core.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RevisionOrderTest {
    private static final Comparator<StoredVersion> BY_REVISION =
            Comparator.comparingLong(StoredVersion::main).thenComparingInt(StoredVersion::sub);

    @Test
    void sortsByMainThenSub() {
        StoredVersion[] versions = {Versions.put(7, 0, "a", ""), Versions.put(5, 1, "b", ""), Versions.put(5, 0, "c", "")};
        RevisionOrder.sort(versions);
        assertArrayEquals(new StoredVersion[] {Versions.put(5, 0, "c", ""), Versions.put(5, 1, "b", ""),
                Versions.put(7, 0, "a", "")}, versions);
    }

    @Test
    void agreesWithTheComparatorForPackedAndUnpackableRevisions() {
        SplittableRandom random = new SplittableRandom(7);
        for (long mainRange : new long[] {10, 1L << 30, Long.MAX_VALUE / 2}) {
            StoredVersion[] versions = new StoredVersion[5000];
            for (int i = 0; i < versions.length; i++) {
                long main = 1 + random.nextLong(mainRange);
                versions[i] = Versions.tombstone(main, random.nextInt(i % 7 == 0 ? Integer.MAX_VALUE : 3), "k");
            }
            StoredVersion[] expected = versions.clone();
            Arrays.sort(expected, BY_REVISION);
            RevisionOrder.sort(versions);
            assertArrayEquals(expected, versions, "main range " + mainRange);
        }
    }
}
