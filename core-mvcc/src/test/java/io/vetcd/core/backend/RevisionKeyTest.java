package io.vetcd.core.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RevisionKeyTest {
    @Test
    void bigEndianMainThenSub() {
        byte[] key = new byte[RevisionKey.BYTES];
        RevisionKey.write(key, 5, 1);
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 1}, key);
        RevisionKey.write(key, Long.MAX_VALUE, Integer.MAX_VALUE);
        assertEquals(Long.MAX_VALUE, RevisionKey.main(key));
        assertEquals(Integer.MAX_VALUE, RevisionKey.sub(key));
        assertTrue(RevisionKey.isValid(key));
        key[8] = 1; // a sub beyond int
        assertFalse(RevisionKey.isValid(key));
        assertFalse(RevisionKey.isValid(new byte[15]));
    }
}
