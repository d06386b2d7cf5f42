package io.vetcd.server.cli;

import static io.vetcd.server.cli.EtcdAndVetcd.cmd;
import static io.vetcd.server.cli.EtcdAndVetcd.stdin;

import org.junit.jupiter.api.Test;

/**
 * {@code etcdctl compaction} (plain and {@code --physical}) and what reads at old revisions do afterwards,
 * against a real etcd and vetcd: compacting the future, compacting again at or below the compacted revision,
 * reading below it (in a get and in a txn) and at it.
 */
class EtcdctlCompactionTest extends EtcdctlAgainstEtcd {
    @Test
    void compactionAndCompactedRevisions() {
        servers.compare(
                // r+1 .. r+6
                cmd("put", "c/x", "1"),
                cmd("put", "c/y", "2"),
                cmd("put", "c/x", "3"),
                cmd("put", "c/y", "4"),
                cmd("put", "c/x", "5"),
                cmd("del", "c/y"),
                // the future cannot be compacted
                cmd("compaction", "{r+7}").exits(1),
                cmd("compaction", "{r+1000}", "--physical").exits(1),
                // before any compaction, every revision is readable
                cmd("get", "c/x", "--rev", "{r+1}", "-w", "json"),
                cmd("compaction", "{r+2}"),
                cmd("get", "c/x", "--rev", "{r+1}").exits(1),
                cmd("get", "c/x", "--rev", "{r+1}", "-w", "json").exits(1),
                cmd("get", "c/", "--prefix", "--rev", "{r+2}", "-w", "json"),
                cmd("get", "c/", "--prefix", "--rev", "{r+3}"),
                // at or below the compacted revision again
                cmd("compaction", "{r+2}").exits(1),
                cmd("compaction", "{r+1}", "--physical").exits(1),
                cmd("compaction", "0").exits(1),
                cmd("compaction", "{r+4}", "--physical"),
                cmd("get", "c/", "--prefix", "--rev", "{r+3}").exits(1),
                cmd("get", "c/", "--prefix", "--rev", "{r+4}", "-w", "json"),
                cmd("get", "c/y", "--rev", "{r+5}", "-w", "fields"),
                cmd("get", "c/", "--prefix", "--rev", "0", "-w", "json"),
                // reads inside a txn at a compacted revision
                stdin("\nget --rev {r+3} c/x\n\n\n", "txn", "-i").exits(1),
                stdin("\nget --rev {r+4} c/x\n\n\n", "txn", "-i", "-w", "json"),
                // up to the current revision, the deleted key's history goes, the live key stays
                cmd("compaction", "{r+6}"),
                cmd("get", "c/y", "--rev", "{r+5}").exits(1),
                cmd("get", "c/", "--prefix", "-w", "json"),
                cmd("get", "c/", "--prefix", "--rev", "{r+6}", "-w", "json"),
                cmd("compaction", "{r+6}", "--physical").exits(1),
                // writes go on after compaction
                cmd("put", "c/x", "7", "--prev-kv", "-w", "json"),
                cmd("compaction", "{r+7}", "--physical"),
                cmd("get", "c/x", "-w", "fields"),
                // argument errors are etcdctl's own
                cmd("compaction", "abc").exits(1),
                cmd("compaction").exits(128));
    }
}
