package io.vetcd.server.watch;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;

/** The writes the watch tests watch, through jetcd; each returns the revision it was applied at. */
public final class Writes {
    private final KV kv;

    public Writes(KV kv) {
        this.kv = kv;
    }


    public static String str(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    public long put(String key, String value) {
        return await(kv.put(bs(key), bs(value))).getHeader().getRevision();
    }

    public long delete(String key) {
        return await(kv.delete(bs(key))).getHeader().getRevision();
    }

    public long deletePrefix(String prefix) {
        return await(kv.delete(bs(prefix), DeleteOption.builder().isPrefix(true).build())).getHeader().getRevision();
    }

    /** Puts every {@code key, value, key, value...} pair in one transaction: one revision. */
    public long putAll(String... keyValues) {
        Op[] ops = new Op[keyValues.length / 2];
        for (int i = 0; i < ops.length; i++) {
            ops[i] = Op.put(bs(keyValues[2 * i]), bs(keyValues[2 * i + 1]), PutOption.DEFAULT);
        }
        return await(kv.txn().Then(ops).commit()).getHeader().getRevision();
    }

    public void compact(long revision) {
        await(kv.compact(revision, CompactOption.newBuilder().withCompactPhysical(true).build()));
    }

    public long currentRevision() {
        return await(kv.get(bs("\0revision-probe"))).getHeader().getRevision();
    }

}
