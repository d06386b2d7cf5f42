package io.vetcd.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.etcd.jetcd.ByteSequence;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.etcd.jetcd.options.GetOption;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Range against etcd: single keys, prefixes, intervals, from-key, limit/more/count, every sort order
 * and target, past/current/future revisions, keys_only, count_only and the revision filters.
 *
 * <p>The sorted sets hold at most 7 keys: Go sorts up to 12 elements with a stable insertion sort, so
 * ties keep key order there as they do in Java's stable sort; beyond that Go's order of ties is not
 * specified and no comparison would be fair.
 */
class DifferentialGetTest extends AgainstEtcd {
    /** The revision after each setup write, oldest first. */
    private final List<Long> history = new ArrayList<>();
    private long current;

    @BeforeAll
    void fill() {
        put("g/a", "3");
        put("g/b", "1");
        put("g/b", "1");
        put("g/c", "2");
        put("g/b", "5");
        put("g/d", "1");
        put("g/c", "4");
        put("g/e", "0");
        pair.kv("delete g/e", kv -> kv.delete(bs("g/e"))).assertOk();
        put("g/e", "7");
        put("g/f", "9");
        put("g0", "outside");
        put("f/z", "before");
        put("g/\u00ff", "high byte");
        current = history.get(history.size() - 1);
        pair.assertNoMismatch();
    }

    private void put(String key, String value) {
        history.add(pair.kv("put " + key, kv -> kv.put(bs(key), bs(value))).revision());
    }

    private Outcome get(String step, String key, GetOption option) {
        return pair.kv(step, kv -> kv.get(bs(key), option));
    }

    private static GetOption.Builder prefix() {
        return GetOption.builder().isPrefix(true);
    }

    @Test
    void singleKeys() {
        pair.kv("existing", kv -> kv.get(bs("g/b"))).assertOk();
        pair.kv("missing", kv -> kv.get(bs("g/zz"))).assertOk();
        pair.kv("deleted and recreated", kv -> kv.get(bs("g/e"))).assertOk();
        pair.kv("non-ASCII", kv -> kv.get(bs("g/\u00ff"))).assertOk();
        pair.kv("empty key", kv -> kv.get(ByteSequence.EMPTY))
                .assertError(Status.Code.INVALID_ARGUMENT, "etcdserver: key is not provided");
        pair.raw("empty key with a from-key range end", s -> s.range(RangeRequest.newBuilder()
                .setRangeEnd(b("\0")).build()))
                .assertError(Status.Code.INVALID_ARGUMENT, "etcdserver: key is not provided");
    }

    @Test
    void ranges() {
        get("prefix", "g/", prefix().build()).assertOk();
        get("prefix of nothing", "nothing/", prefix().build()).assertOk();
        get("interval", "g/b", GetOption.builder().withRange(bs("g/e")).build()).assertOk();
        get("interval end before start", "g/e", GetOption.builder().withRange(bs("g/b")).build()).assertOk();
        get("interval end equals start", "g/c", GetOption.builder().withRange(bs("g/c")).build()).assertOk();
        get("from key", "g/c", GetOption.builder().withRange(FROM_KEY).build()).assertOk();
        pair.kv("every key", kv -> kv.get(FROM_KEY, GetOption.builder().withRange(FROM_KEY).build())).assertOk();
        get("from a key past every key", "zzz", GetOption.builder().withRange(FROM_KEY).build()).assertOk();
    }

    @Test
    void limitMoreAndCount() {
        for (long limit : new long[] {1, 2, 6, 7, 8, 100}) {
            get("prefix limit " + limit, "g/", prefix().withLimit(limit).build()).assertOk();
        }
        get("from key limit 3", "g/", GetOption.builder().withRange(FROM_KEY).withLimit(3).build()).assertOk();
        get("single key limit 1", "g/a", GetOption.builder().withLimit(1).build()).assertOk();
        pair.raw("negative limit", s -> s.range(RangeRequest.newBuilder()
                .setKey(b("g/")).setRangeEnd(b("g0")).setLimit(-1).build())).assertOk();
    }

    @Test
    void sortEveryOrderAndTarget() {
        for (GetOption.SortTarget target : GetOption.SortTarget.values()) {
            for (GetOption.SortOrder order : GetOption.SortOrder.values()) {
                get("sort " + target + " " + order, "g/",
                        prefix().withSortField(target).withSortOrder(order).build()).assertOk();
                get("sort " + target + " " + order + " limit 2", "g/",
                        prefix().withSortField(target).withSortOrder(order).withLimit(2).build()).assertOk();
                get("sort " + target + " " + order + " keys only", "g/",
                        prefix().withSortField(target).withSortOrder(order).withKeysOnly(true).build()).assertOk();
            }
        }
    }

    @Test
    void sortWithoutJetcdDefaults() {
        // jetcd always sends both fields; raw requests can leave the order out (NONE) for each target.
        for (RangeRequest.SortTarget target : new RangeRequest.SortTarget[] {RangeRequest.SortTarget.KEY,
                RangeRequest.SortTarget.VERSION, RangeRequest.SortTarget.CREATE, RangeRequest.SortTarget.MOD,
                RangeRequest.SortTarget.VALUE}) {
            pair.raw("raw sort target " + target + " without order", s -> s.range(RangeRequest.newBuilder()
                    .setKey(b("g/")).setRangeEnd(b("g0")).setSortTarget(target).setLimit(3).build())).assertOk();
            pair.raw("raw sort target " + target + " descending", s -> s.range(RangeRequest.newBuilder()
                    .setKey(b("g/")).setRangeEnd(b("g0")).setSortTarget(target)
                    .setSortOrder(RangeRequest.SortOrder.DESCEND).build())).assertOk();
        }
    }

    @Test
    void revisions() {
        for (long rev : history) {
            get("prefix at " + rev, "g/", prefix().withRevision(rev).build()).assertOk();
            get("g/e at " + rev, "g/e", GetOption.builder().withRevision(rev).build()).assertOk();
        }
        get("at revision 1", "g/", prefix().withRevision(1).build()).assertOk();
        get("at the current revision", "g/", prefix().withRevision(current).build()).assertOk();
        get("count only at a past revision", "g/", prefix().withRevision(history.get(3)).withCountOnly(true).build())
                .assertOk();
        get("limit at a past revision", "g/", prefix().withRevision(history.get(6)).withLimit(2).build()).assertOk();
        String future = "etcdserver: mvcc: required revision is a future revision";
        get("future revision", "g/", prefix().withRevision(current + 1).build())
                .assertError(Status.Code.OUT_OF_RANGE, future);
        get("far future revision", "g/a", GetOption.builder().withRevision(current + 1000).build())
                .assertError(Status.Code.OUT_OF_RANGE, future);
        pair.raw("negative revision reads the latest", s -> s.range(RangeRequest.newBuilder()
                .setKey(b("g/")).setRangeEnd(b("g0")).setRevision(-5).build())).assertOk();
    }

    @Test
    void keysOnlyAndCountOnly() {
        get("keys only", "g/", prefix().withKeysOnly(true).build()).assertOk();
        get("count only", "g/", prefix().withCountOnly(true).build()).assertOk();
        get("count only with limit", "g/", prefix().withCountOnly(true).withLimit(2).build()).assertOk();
        get("count and keys only", "g/", prefix().withCountOnly(true).withKeysOnly(true).build()).assertOk();
        get("keys only, single", "g/a", GetOption.builder().withKeysOnly(true).build()).assertOk();
        get("count only, missing", "g/zz", GetOption.builder().withCountOnly(true).build()).assertOk();
        get("keys only with limit", "g/", prefix().withKeysOnly(true).withLimit(2).build()).assertOk();
        pair.raw("serializable", s -> s.range(RangeRequest.newBuilder()
                .setKey(b("g/")).setRangeEnd(b("g0")).setSerializable(true).build())).assertOk();
    }

    @Test
    void revisionFilters() {
        long a = history.get(2);
        long b = history.get(7);
        get("min mod", "g/", prefix().withMinModRevision(a).build()).assertOk();
        get("max mod", "g/", prefix().withMaxModRevision(b).build()).assertOk();
        get("min and max mod", "g/", prefix().withMinModRevision(a).withMaxModRevision(b).build()).assertOk();
        get("min create", "g/", prefix().withMinCreateRevision(a).build()).assertOk();
        get("max create", "g/", prefix().withMaxCreateRevision(b).build()).assertOk();
        get("min and max create", "g/", prefix().withMinCreateRevision(a).withMaxCreateRevision(b).build())
                .assertOk();
        get("all four", "g/", prefix().withMinModRevision(a).withMaxModRevision(current)
                .withMinCreateRevision(1).withMaxCreateRevision(b).build()).assertOk();
        get("filter with limit (more, count)", "g/", prefix().withMinModRevision(a).withLimit(2).build()).assertOk();
        get("filter with limit 1 and sort", "g/", prefix().withMaxCreateRevision(b).withLimit(1)
                .withSortField(GetOption.SortTarget.VALUE).withSortOrder(GetOption.SortOrder.DESCEND).build())
                .assertOk();
        get("filter with count only", "g/", prefix().withMinModRevision(a).withCountOnly(true).build()).assertOk();
        get("filter excluding everything", "g/", prefix().withMinModRevision(current + 5).build()).assertOk();
        get("filter at a past revision", "g/", prefix().withRevision(history.get(5)).withMinModRevision(a).build())
                .assertOk();
        Outcome o = get("filter on a single key", "g/b", GetOption.builder().withMaxModRevision(a).build());
        assertEquals(0, ((io.etcd.jetcd.kv.GetResponse) o.response()).getKvs().size());
    }
}
