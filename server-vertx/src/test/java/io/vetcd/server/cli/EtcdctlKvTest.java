package io.vetcd.server.cli;

import static io.vetcd.server.cli.EtcdAndVetcd.cmd;
import static io.vetcd.server.cli.EtcdAndVetcd.stdin;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code etcdctl put}, {@code get} and {@code del} with every flag etcdctl 3.4 has, in the simple, json and
 * fields output formats, against a real etcd and vetcd: vetcd must print what etcd prints. The tests share
 * one pair of servers and run in a fixed order ({@code get} first, on an empty keyspace, so its
 * {@code --from-key ""} ranges see only its own keys).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EtcdctlKvTest extends EtcdctlAgainstEtcd {
    @Test
    @Order(1)
    void getWithEveryFlag() {
        servers.compare(
                // r+1 .. r+11; versions: foo 3, k2 2, the others 1 (9 keys: fewer than 12, so etcd's
                // sort of equal versions is stable and the comparison deterministic)
                cmd("put", "get/foo", "bar"),
                cmd("put", "get/foo", "bar2"),
                cmd("put", "get/k1", "v1"),
                cmd("put", "get/k2", "v2"),
                cmd("put", "get/k3", "v3"),
                cmd("put", "get/a/1", "x"),
                cmd("put", "get/a/2", "y"),
                cmd("put", "get/a/3", "z"),
                cmd("put", "get/b", "0"),
                cmd("put", "get/foo", "v4"),
                cmd("put", "get/k2", "v2b"),
                // one key, every output format
                cmd("get", "get/foo"),
                cmd("get", "get/foo", "-w", "simple"),
                cmd("get", "get/foo", "-w", "json"),
                cmd("get", "get/foo", "-w", "fields"),
                cmd("get", "get/foo", "--hex"),
                cmd("get", "get/foo", "--hex", "-w", "fields"),
                cmd("get", "get/foo", "-w", "table").exits(4),
                cmd("get", "get/missing"),
                cmd("get", "get/missing", "-w", "json"),
                cmd("get", "get/missing", "-w", "fields"),
                // ranges
                cmd("get", "get/a/", "--prefix"),
                cmd("get", "get/a/", "--prefix", "-w", "json"),
                cmd("get", "get/a/", "--prefix", "-w", "fields"),
                cmd("get", "get/k1", "get/k3"),
                cmd("get", "get/k1", "get/k3", "-w", "json"),
                cmd("get", "get/k3", "get/k1"),
                cmd("get", "get/k", "--from-key"),
                cmd("get", "get/k", "--from-key", "-w", "json"),
                cmd("get", "", "--from-key", "--keys-only"),
                cmd("get", "", "--prefix", "-w", "json"),
                cmd("get", "get/nothing/", "--prefix", "-w", "json"),
                // --limit
                cmd("get", "get/a/", "--prefix", "--limit", "2"),
                cmd("get", "get/a/", "--prefix", "--limit", "2", "-w", "json"),
                cmd("get", "get/a/", "--prefix", "--limit", "2", "-w", "fields"),
                cmd("get", "get/a/", "--prefix", "--limit", "3", "-w", "json"),
                cmd("get", "get/a/", "--prefix", "--limit", "0", "-w", "json"),
                // --order and --sort-by
                cmd("get", "get/a/", "--prefix", "--order", "DESCEND"),
                cmd("get", "get/a/", "--prefix", "--order", "ASCEND"),
                cmd("get", "get/a/", "--prefix", "--order", "DESCEND", "-w", "json"),
                cmd("get", "", "--from-key", "--sort-by", "KEY"),
                cmd("get", "", "--from-key", "--sort-by", "KEY", "--order", "DESCEND"),
                cmd("get", "", "--from-key", "--sort-by", "VALUE"),
                cmd("get", "", "--from-key", "--sort-by", "VALUE", "--order", "DESCEND"),
                cmd("get", "", "--from-key", "--sort-by", "VERSION"),
                cmd("get", "", "--from-key", "--sort-by", "VERSION", "--order", "DESCEND"),
                cmd("get", "", "--from-key", "--sort-by", "VERSION", "--order", "ASCEND", "-w", "json"),
                cmd("get", "", "--from-key", "--sort-by", "CREATE"),
                cmd("get", "", "--from-key", "--sort-by", "CREATE", "--order", "DESCEND"),
                cmd("get", "", "--from-key", "--sort-by", "MODIFY"),
                cmd("get", "", "--from-key", "--sort-by", "MODIFY", "--order", "DESCEND", "-w", "json"),
                cmd("get", "", "--from-key", "--sort-by", "VALUE", "--limit", "3"),
                cmd("get", "", "--from-key", "--sort-by", "VALUE", "--limit", "3", "--order", "DESCEND"),
                cmd("get", "", "--from-key", "--sort-by", "MODIFY", "--limit", "2", "--order", "DESCEND", "-w", "json"),
                cmd("get", "get/a/", "--prefix", "--order", "BOGUS").exits(4),
                cmd("get", "get/a/", "--prefix", "--sort-by", "BOGUS").exits(4),
                // --rev
                cmd("get", "get/foo", "--rev", "{r+1}"),
                cmd("get", "get/foo", "--rev", "{r+2}", "-w", "json"),
                cmd("get", "get/foo", "--rev", "{r+9}", "-w", "fields"),
                cmd("get", "get/foo", "--rev", "{r+0}"),
                cmd("get", "get/k", "--from-key", "--rev", "{r+4}", "-w", "json"),
                cmd("get", "get/", "--prefix", "--rev", "{r+8}", "--limit", "2", "--order", "DESCEND", "--sort-by", "CREATE"),
                cmd("get", "get/foo", "--rev", "{r+11}", "-w", "json"),
                cmd("get", "get/foo", "--rev", "0", "-w", "json"),
                cmd("get", "get/foo", "--rev", "{r+12}").exits(1),
                cmd("get", "get/foo", "--rev", "{r+1000}", "-w", "json").exits(1),
                // --keys-only, --print-value-only
                cmd("get", "get/a/", "--prefix", "--keys-only"),
                cmd("get", "get/a/", "--prefix", "--keys-only", "-w", "json"),
                cmd("get", "get/a/", "--prefix", "--keys-only", "--limit", "1", "-w", "fields"),
                cmd("get", "get/foo", "--print-value-only"),
                cmd("get", "get/a/", "--prefix", "--print-value-only"),
                cmd("get", "get/a/", "--prefix", "--print-value-only", "--keys-only"),
                // --consistency
                cmd("get", "get/foo", "--consistency", "s"),
                cmd("get", "get/foo", "--consistency", "l", "-w", "json"),
                cmd("get", "get/a/", "--prefix", "--consistency", "s", "-w", "json"),
                cmd("get", "get/foo", "--consistency", "x").exits(4),
                // client-side argument errors (same binary, so this checks the step list itself)
                cmd("get", "get/a/", "--prefix", "--from-key").exits(128),
                cmd("get").exits(128),
                cmd("get", "", "-w", "json").exits(1));
    }

    @Test
    @Order(2)
    void putWithEveryFlag() {
        String oneMegabyte = "m".repeat(1_000_000);
        String twoMegabytes = "b".repeat(2 * 1024 * 1024);
        servers.compare(
                cmd("put", "put/a", "1"),
                cmd("put", "put/a", "2", "--prev-kv"),
                cmd("put", "put/a", "3", "--prev-kv", "-w", "json"),
                cmd("put", "put/a", "4", "--prev-kv", "-w", "fields"),
                cmd("put", "put/a", "5", "-w", "json"),
                cmd("put", "put/new", "x", "--prev-kv"),
                cmd("put", "put/new2", "y", "--prev-kv", "-w", "json"),
                // --ignore-value: keep the value, bump version and mod revision
                cmd("put", "put/a", "--ignore-value"),
                cmd("get", "put/a", "-w", "json"),
                cmd("put", "put/a", "--ignore-value", "--prev-kv", "-w", "json"),
                cmd("put", "put/missing", "--ignore-value").exits(1),
                cmd("put", "put/a", "other", "--ignore-value").exits(128),
                // --ignore-lease: keep the lease (none here), set the value
                cmd("put", "put/a", "6", "--ignore-lease"),
                cmd("put", "put/a", "7", "--ignore-lease", "--prev-kv", "-w", "json"),
                cmd("put", "put/a", "--ignore-value", "--ignore-lease", "-w", "fields"),
                cmd("get", "put/a", "-w", "fields"),
                cmd("put", "put/missing", "x", "--ignore-lease").exits(1),
                cmd("put", "put/a", "x", "--ignore-lease", "--lease", "1").exits(1),
                cmd("get", "put/missing", "-w", "json"),
                // lease 0 is no lease
                cmd("put", "put/nolease", "v", "--lease", "0"),
                cmd("get", "put/nolease", "-w", "json"),
                // values: after --, from stdin, empty, large, too large
                cmd("put", "--", "put/dash", "-v"),
                cmd("get", "put/dash"),
                stdin("from stdin\n", "put", "put/stdin"),
                cmd("get", "put/stdin", "-w", "json"),
                cmd("put", "put/empty", ""),
                cmd("get", "put/empty", "-w", "json"),
                stdin(oneMegabyte, "put", "put/large"),
                cmd("get", "put/large", "--print-value-only"),
                stdin(twoMegabytes, "put", "put/toolarge").exits(1),
                cmd("get", "put/toolarge", "-w", "json"),
                cmd("put", "", "v").exits(1),
                cmd("put", "put/only-key").exits(128),
                cmd("get", "put/", "--prefix", "--keys-only", "-w", "json"));
    }

    @Test
    @Order(3)
    void delWithEveryFlag() {
        servers.compare(
                cmd("put", "del/k1", "v1"),
                cmd("put", "del/k2", "v2"),
                cmd("put", "del/k3", "v3"),
                cmd("put", "del/k4", "v4"),
                cmd("put", "del/a/1", "x"),
                cmd("put", "del/a/2", "y"),
                cmd("put", "del/a/3", "z"),
                cmd("put", "del/z", "last"),
                cmd("del", "del/missing"),
                cmd("del", "del/missing", "-w", "json"),
                cmd("del", "del/missing", "--prev-kv", "-w", "fields"),
                cmd("del", "del/k1", "--prev-kv"),
                cmd("del", "del/k1", "--prev-kv", "-w", "json"),
                cmd("del", "del/k2", "--prev-kv", "-w", "json"),
                cmd("del", "del/a/", "--prefix", "--prev-kv"),
                cmd("put", "del/a/1", "again"),
                cmd("put", "del/a/2", "again"),
                cmd("del", "del/a/", "--prefix", "-w", "json"),
                cmd("del", "del/a/", "--prefix", "-w", "fields"),
                // [key, range_end)
                cmd("del", "del/k3", "del/k4"),
                cmd("get", "del/k", "--prefix", "-w", "json"),
                cmd("del", "del/k9", "del/k0"),
                cmd("del", "del/k0", "del/k9", "--prev-kv", "-w", "json"),
                // --from-key: "~" sorts after every other test's keys, so this deletes only these
                cmd("put", "~del/1", "1"),
                cmd("put", "~del/2", "2"),
                cmd("put", "~del/3", "3"),
                cmd("del", "~del/2", "--from-key", "--prev-kv", "-w", "fields"),
                cmd("get", "~", "--from-key", "-w", "json"),
                cmd("del", "~del/", "--from-key"),
                cmd("get", "~", "--from-key", "-w", "json"),
                cmd("put", "del/again", "1"),
                cmd("del", "del/", "--prefix", "--from-key").exits(128),
                cmd("del", "").exits(1),
                cmd("del").exits(128),
                cmd("del", "del/", "--prefix", "--prev-kv", "-w", "json"),
                cmd("get", "del/", "--prefix", "-w", "json"));
    }

    @Test
    @Order(4)
    void unusualKeysValuesAndLimits() {
        servers.compare(
                cmd("put", "odd/key with space", "v a l"),
                cmd("put", "odd/ключ", "значение"),
                cmd("put", "odd/nl\nkey", "multi\nline"),
                cmd("put", "odd/\u00ff\u0001", "bytes"),
                cmd("get", "odd/", "--prefix"),
                cmd("get", "odd/", "--prefix", "-w", "json"),
                cmd("get", "odd/", "--prefix", "--hex"),
                cmd("get", "odd/", "--prefix", "-w", "fields"),
                cmd("get", "odd/", "--prefix", "--hex", "-w", "fields"),
                cmd("get", "odd/ключ", "--print-value-only"),
                cmd("get", "odd/", "--prefix", "--limit", "-1"),
                cmd("get", "odd/", "--prefix", "--limit", "1000000000000", "-w", "json"),
                cmd("get", "odd/", "--prefix", "--sort-by", "VALUE", "--limit", "1", "--keys-only", "-w", "json"),
                cmd("get", "odd/", "--rev", "9223372036854775807").exits(1),
                cmd("get", "odd/z", "odd/a", "-w", "json"),
                cmd("del", "odd/z", "odd/a", "--prev-kv", "-w", "json"),
                cmd("del", "odd/", "--prefix", "--prev-kv", "--hex"));
    }

    /**
     * A put naming a lease the server does not have is refused with {@code NotFound: etcdserver: requested
     * lease not found}, alone or inside a txn. Last in the class: if vetcd accepts the write, its revision
     * runs ahead of etcd's and later comparisons in this class would differ for that reason alone.
     */
    @Test
    @Order(5)
    void putWithAnUnknownLeaseIsRefused() {
        servers.compare(
                cmd("put", "lease/k", "v", "--lease", "1234").exits(1),
                cmd("put", "lease/k", "v", "--lease", "ffff", "--prev-kv", "-w", "json").exits(1),
                stdin("\nput lease/t v --lease=1234\n\n\n", "txn", "-i").exits(1),
                cmd("get", "lease/", "--prefix", "-w", "json"));
    }
}
