package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.currentRevision;
import static io.vetcd.server.testing.Jetcd.single;
import static io.vetcd.server.testing.Jetcd.str;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.PutResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Put: each put is one new revision; create revision, mod revision and version as etcd keeps them. */
class PutTest {
    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();

    @Test
    void newKeyGetsTheNextRevisionAndVersionOne() {
        long before = currentRevision(server.kv());
        PutResponse put = await(server.kv().put(bs("new"), bs("v1")));
        assertEquals(before + 1, put.getHeader().getRevision());
        assertFalse(put.hasPrevKv(), "no prev_kv unless asked for");
        KeyValue kv1 = single(await(server.kv().get(bs("new"))));
        assertEquals("v1", str(kv1.getValue()));
        assertEquals(before + 1, kv1.getCreateRevision());
        assertEquals(before + 1, kv1.getModRevision());
        assertEquals(1, kv1.getVersion());
        assertEquals(0, kv1.getLease());
    }

    @Test
    void overwriteBumpsVersionAndModRevisionButKeepsCreateRevision() {
        long created = await(server.kv().put(bs("over"), bs("v1"))).getHeader().getRevision();
        long second = await(server.kv().put(bs("over"), bs("v2"))).getHeader().getRevision();
        long third = await(server.kv().put(bs("over"), bs("v3"))).getHeader().getRevision();
        assertEquals(created + 2, third);
        KeyValue now = single(await(server.kv().get(bs("over"))));
        assertEquals("v3", str(now.getValue()));
        assertEquals(created, now.getCreateRevision());
        assertEquals(third, now.getModRevision());
        assertEquals(3, now.getVersion());
        assertTrue(second > created && second < third);
    }

    @Test
    void sameValueAgainIsStillANewRevision() {
        long first = await(server.kv().put(bs("same"), bs("v"))).getHeader().getRevision();
        long again = await(server.kv().put(bs("same"), bs("v"))).getHeader().getRevision();
        assertEquals(first + 1, again);
        assertEquals(2, single(await(server.kv().get(bs("same")))).getVersion());
    }

    @Test
    void putAfterDeleteStartsANewGeneration() {
        await(server.kv().put(bs("gen"), bs("v1")));
        await(server.kv().put(bs("gen"), bs("v2")));
        long deleted = await(server.kv().delete(bs("gen"))).getHeader().getRevision();
        long recreated = await(server.kv().put(bs("gen"), bs("v3"))).getHeader().getRevision();
        assertEquals(deleted + 1, recreated);
        KeyValue now = single(await(server.kv().get(bs("gen"))));
        assertEquals(1, now.getVersion());
        assertEquals(recreated, now.getCreateRevision());
        assertEquals(recreated, now.getModRevision());
    }

    @Test
    void emptyValueIsAValue() {
        await(server.kv().put(bs("empty"), bs("x")));
        await(server.kv().put(bs("empty"), ByteSequence.EMPTY));
        KeyValue now = single(await(server.kv().get(bs("empty"))));
        assertTrue(now.getValue().isEmpty());
        assertEquals(2, now.getVersion());
    }

    @Test
    void binaryKeysAndValuesRoundTrip() {
        byte[] key = {'b', 0, 1, (byte) 0x80, (byte) 0xff};
        byte[] value = {0, (byte) 0xff, (byte) 0xfe, 0, 10, 13};
        await(server.kv().put(ByteSequence.from(key), ByteSequence.from(value)));
        KeyValue now = single(await(server.kv().get(ByteSequence.from(key))));
        assertArrayEquals(key, now.getKey().getBytes());
        assertArrayEquals(value, now.getValue().getBytes());
    }

    @Test
    void largeValueBelowTheLimitRoundTrips() {
        byte[] value = new byte[1024 * 1024];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (i * 31);
        }
        await(server.kv().put(bs("large"), ByteSequence.from(value)));
        assertArrayEquals(value, single(await(server.kv().get(bs("large")))).getValue().getBytes());
    }
}
