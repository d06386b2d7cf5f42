package io.vetcd.server.differential;

import io.etcd.jetcd.ByteSequence;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

/** DeleteRange against etcd: single keys, intervals, prefixes, from-key, prev_kv, deleting nothing. */
class DifferentialDeleteTest extends AgainstEtcd {
    private void fill(String prefix) {
        for (String k : new String[] {"a", "b", "b1", "c", "d", "e"}) {
            pair.kv("put " + prefix + k, kv -> kv.put(bs(prefix + k), bs("v-" + k))).assertOk();
        }
        pair.kv("overwrite " + prefix + "b", kv -> kv.put(bs(prefix + "b"), bs("v-b2"))).assertOk();
    }

    private void dump(String prefix) {
        pair.kv("what is left under " + prefix, kv -> kv.get(bs(prefix), GetOption.builder().isPrefix(true).build()))
                .assertOk();
    }

    @Test
    void singleKeys() {
        fill("d1/");
        pair.kv("delete existing", kv -> kv.delete(bs("d1/a"))).assertOk();
        pair.kv("delete it again (nothing)", kv -> kv.delete(bs("d1/a"))).assertOk();
        pair.kv("delete missing", kv -> kv.delete(bs("d1/zz"))).assertOk();
        pair.kv("delete with prev_kv", kv -> kv.delete(bs("d1/b"), DeleteOption.builder().withPrevKV(true).build()))
                .assertOk();
        pair.kv("delete missing with prev_kv", kv -> kv.delete(bs("d1/b"),
                DeleteOption.builder().withPrevKV(true).build())).assertOk();
        pair.kv("put after the no-op deletes", kv -> kv.put(bs("d1/a"), bs("again"))).assertOk();
        dump("d1/");
    }

    @Test
    void rangesAndPrefixes() {
        fill("d2/");
        pair.kv("interval with prev_kv", kv -> kv.delete(bs("d2/b"),
                DeleteOption.builder().withRange(bs("d2/c")).withPrevKV(true).build())).assertOk();
        pair.kv("interval end before start", kv -> kv.delete(bs("d2/e"),
                DeleteOption.builder().withRange(bs("d2/a")).build())).assertOk();
        pair.kv("empty interval", kv -> kv.delete(bs("d2/b"), DeleteOption.builder().withRange(bs("d2/c")).build()))
                .assertOk();
        pair.kv("prefix with prev_kv", kv -> kv.delete(bs("d2/d"),
                DeleteOption.builder().isPrefix(true).withPrevKV(true).build())).assertOk();
        dump("d2/");
        pair.kv("prefix of everything left", kv -> kv.delete(bs("d2/"), DeleteOption.builder().isPrefix(true).build()))
                .assertOk();
        pair.kv("prefix of nothing", kv -> kv.delete(bs("d2/"), DeleteOption.builder().isPrefix(true).build()))
                .assertOk();
        dump("d2/");
    }

    @Test
    void fromKey() {
        // "zd/" sorts after every other test's keys, so from-key deletes only touch this test's keys.
        fill("zd/");
        pair.kv("from key with prev_kv", kv -> kv.delete(bs("zd/c"),
                DeleteOption.builder().withRange(FROM_KEY).withPrevKV(true).build())).assertOk();
        pair.kv("from key again (nothing)", kv -> kv.delete(bs("zd/c"),
                DeleteOption.builder().withRange(FROM_KEY).build())).assertOk();
        dump("zd/");
        pair.kv("from key past every key", kv -> kv.delete(bs("zzzz"),
                DeleteOption.builder().withRange(FROM_KEY).build())).assertOk();
        pair.kv("from the first remaining key", kv -> kv.delete(bs("zd/"),
                DeleteOption.builder().withRange(FROM_KEY).withPrevKV(true).build())).assertOk();
        dump("zd/");
    }

    @Test
    void errors() {
        pair.kv("empty key", kv -> kv.delete(ByteSequence.EMPTY))
                .assertError(Status.Code.INVALID_ARGUMENT, "etcdserver: key is not provided");
        pair.raw("raw empty key with a range end", s -> s.deleteRange(DeleteRangeRequest.newBuilder()
                .setRangeEnd(b("x")).build()))
                .assertError(Status.Code.INVALID_ARGUMENT, "etcdserver: key is not provided");
        pair.raw("raw delete of nothing at all", s -> s.deleteRange(DeleteRangeRequest.newBuilder()
                .setKey(b("d4/none")).setPrevKv(true).build())).assertOk();
    }
}
