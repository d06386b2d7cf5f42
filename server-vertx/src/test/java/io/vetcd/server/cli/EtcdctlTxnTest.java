package io.vetcd.server.cli;

import static io.vetcd.server.cli.EtcdAndVetcd.cmd;
import static io.vetcd.server.cli.EtcdAndVetcd.stdin;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@code etcdctl txn -i}: compares, then the success requests, then the failure requests, each section
 * ended by an empty line, fed on standard input; in the simple, json and fields output formats, against a
 * real etcd and vetcd.
 */
class EtcdctlTxnTest extends EtcdctlAgainstEtcd {
    /** The stdin of {@code txn -i}: compares, success and failure requests, one per line. */
    private static String txn(String compares, String success, String failure) {
        return section(compares) + section(success) + section(failure);
    }

    private static String section(String lines) {
        return lines.isEmpty() ? "\n" : lines + "\n\n";
    }

    @Test
    void comparesAndBothBranches() {
        servers.compare(
                // r+1 k1 = v1, r+2 k2 = v2, r+3 k1 = v1b (k1: create r+1, mod r+3, version 2)
                cmd("put", "txn/k1", "v1"),
                cmd("put", "txn/k2", "v2"),
                cmd("put", "txn/k1", "v1b"),
                // value compare true: success branch with put, get, del
                stdin(txn("value(\"txn/k1\") = \"v1b\"", "put txn/k3 v3\nget txn/k1\ndel txn/k2",
                        "put txn/fail 1"), "txn", "-i"),
                cmd("get", "txn/", "--prefix", "-w", "json"),
                // the same txn again, json: k2 is gone now, so the delete deletes nothing
                stdin(txn("value(\"txn/k1\") = \"v1b\"", "put txn/k3 v3\nget txn/k1\ndel txn/k2",
                        "put txn/fail 1"), "txn", "-i", "-w", "json"),
                // version, mod and create compares, all true
                stdin(txn("version(\"txn/k1\") = \"2\"\nmod(\"txn/k1\") > \"{r+2}\"\ncreate(\"txn/k1\") < \"{r+2}\"",
                        "get txn/k --prefix", "get txn/fail"), "txn", "-i"),
                stdin(txn("mod(\"txn/k1\") = \"{r+3}\"\ncreate(\"txn/k1\") = \"{r+1}\"\nversion(\"txn/k1\") != \"5\"",
                        "get txn/k --prefix --keys-only", ""), "txn", "-i", "-w", "json"),
                // one compare false: the failure branch
                stdin(txn("version(\"txn/k1\") = \"5\"", "put txn/x y",
                        "get txn/k1\nput txn/f 1\ndel txn/k3"), "txn", "-i"),
                stdin(txn("version(\"txn/k1\") = \"2\"\nvalue(\"txn/k1\") = \"nope\"", "put txn/x y",
                        "get txn/k1\nput txn/f 2\ndel txn/k3"), "txn", "-i", "-w", "json"),
                stdin(txn("value(\"txn/missing\") = \"a\"", "", "get txn/f"), "txn", "-i", "-w", "fields"),
                // compares on a missing key: create/version/mod are 0, a value compare is false
                stdin(txn("create(\"txn/missing\") = \"0\"\nversion(\"txn/missing\") = \"0\"\nmod(\"txn/missing\") < \"1\"",
                        "put --prev-kv txn/f 3", ""), "txn", "-i", "-w", "json"),
                stdin(txn("value(\"txn/missing\") != \"a\"", "put txn/s 1", "put txn/s 2"), "txn", "-i"),
                // request flags inside a txn
                stdin(txn("value(\"txn/k1\") > \"a\"\nvalue(\"txn/k1\") < \"zz\"",
                        "del --prev-kv txn/f\nget --keys-only --prefix txn/k\nput --prev-kv txn/k1 v1c", ""),
                        "txn", "-i"),
                stdin(txn("", "get --prefix --limit 1 --order DESCEND --sort-by MODIFY txn/\n"
                        + "get --rev {r+2} txn/k2\ndel --prefix txn/s", ""), "txn", "-i", "-w", "json"),
                stdin(txn("mod(\"txn/k1\") = \"{r+3}\"", "get --rev {r+2} txn/k1", ""), "txn", "-i", "-w", "json"),
                stdin(txn("", "get txn/k1 --rev 100000", ""), "txn", "-i").exits(1),
                // --hex output of keys and values
                stdin(txn("value(\"txn/k1\") = \"v1c\"", "get txn/k1", ""), "txn", "-i", "--hex"),
                // an empty txn succeeds and writes nothing
                stdin(txn("", "", ""), "txn", "-i"),
                stdin(txn("", "", ""), "txn", "-i", "-w", "json"),
                cmd("get", "txn/", "--prefix", "-w", "json"));
    }

    @Test
    void refusedTxns() {
        String ops128 = IntStream.rangeClosed(1, 128).mapToObj(i -> "put txn-many/a" + i + " v")
                .collect(Collectors.joining("\n"));
        String ops129 = IntStream.rangeClosed(1, 129).mapToObj(i -> "put txn-many/b" + i + " v")
                .collect(Collectors.joining("\n"));
        servers.compare(
                stdin(txn("", "put txn-bad/a b\nput txn-bad/a c", ""), "txn", "-i").exits(1),
                stdin(txn("", "put txn-bad/a b", "del txn-bad/a\nput txn-bad/a c"), "txn", "-i", "-w", "json").exits(1),
                stdin(txn("", "put txn-bad/a b\ndel txn-bad/ --prefix", ""), "txn", "-i").exits(1),
                stdin(txn("", "get txn-bad/a\nget txn-bad/a\nput txn-bad/b 1", ""), "txn", "-i"),
                stdin(txn("", ops129, ""), "txn", "-i").exits(1),
                stdin(txn("", ops128, ""), "txn", "-i"),
                cmd("get", "txn-many/", "--prefix", "--keys-only", "--limit", "3", "-w", "json"),
                stdin(txn("", "", ops129), "txn", "-i", "-w", "json").exits(1),
                stdin(txn("", "put txn-bad/x y --ignore-value", ""), "txn", "-i").exits(128),
                stdin(txn("", "put \"\" v", ""), "txn", "-i").exits(1),
                // malformed input is etcdctl's own error
                stdin("bogus\n\n\n\n", "txn", "-i").exits(3),
                cmd("get", "txn-bad/", "--prefix", "-w", "json"));
    }
}
