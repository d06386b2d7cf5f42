package io.vetcd.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VersionSizesTest {
    @Test
    void agreesWithAHashMapThroughGrowthAndShrinking() {
        VersionSizes table = new VersionSizes();
        Map<List<Long>, Integer> model = new HashMap<>();
        SplittableRandom random = new SplittableRandom(42);
        for (int step = 0; step < 200_000; step++) {
            long main = random.nextInt(5_000);
            int sub = random.nextInt(4);
            List<Long> key = List.of(main, (long) sub);
            if (step < 100_000 ? random.nextInt(3) > 0 : random.nextInt(3) == 0) {
                int size = 1 + random.nextInt(1000);
                Integer old = model.put(key, size);
                assertEquals(old == null ? 0 : old, table.put(main, sub, size));
            } else {
                Integer old = model.remove(key);
                assertEquals(old == null ? 0 : old, table.remove(main, sub));
            }
            assertEquals(model.size(), table.count());
        }
        for (Map.Entry<List<Long>, Integer> e : model.entrySet()) {
            assertEquals(e.getValue(), table.remove(e.getKey().get(0), e.getKey().get(1).intValue()));
        }
        assertEquals(0, table.count());
    }
}
