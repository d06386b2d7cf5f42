package io.vetcd.server.maintenance;

import static io.vetcd.server.maintenance.PersistentServer.describe;
import static io.vetcd.server.maintenance.PersistentServer.failure;
import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.vetcd.server.ServerConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member restarted on its data dir is the member it was: every key with its value, version, create
 * and mod revisions; the revision and the compaction point; old revisions above the compaction point;
 * the cluster and member ids; the history hash. The next write continues at the next revision.
 */
class RestartTest {
    @TempDir
    Path dataDir;

    private PersistentServer start() {
        return PersistentServer.start(ServerConfig.persistentOnFreePort(dataDir));
    }

    private static GetResponse all(KV kv) {
        return await(kv.get(bs("\0"), GetOption.builder().withRange(bs("\0")).build()));
    }

    private static GetResponse allAt(KV kv, long revision) {
        return await(kv.get(bs("\0"), GetOption.builder().withRange(bs("\0")).withRevision(revision).build()));
    }

    @Test
    void aRestartedMemberHasEverythingItHadAndContinuesAtTheNextRevision() {
        GetResponse before;
        GetResponse beforeAtOld;
        long oldRevision;
        long compactedAt;
        int hash;
        try (PersistentServer s = start()) {
            KV kv = s.kv();
            await(kv.put(bs("a"), bs("1")));
            await(kv.put(bs("a"), bs("2")));
            compactedAt = await(kv.put(bs("b"), bs("1"))).getHeader().getRevision();
            await(kv.put(bs("gone"), bs("x")));
            await(kv.delete(bs("gone")));
            oldRevision = await(kv.put(bs("a"), bs("3"))).getHeader().getRevision();
            await(kv.txn().If(new Cmp(bs("a"), Cmp.Op.EQUAL, CmpTarget.value(bs("3"))))
                    .Then(Op.put(bs("c"), bs("txn"), PutOption.DEFAULT), Op.put(bs("d"), bs("txn"), PutOption.DEFAULT),
                            Op.delete(bs("b"), io.etcd.jetcd.options.DeleteOption.DEFAULT))
                    .commit());
            await(kv.put(bs("a"), bs("4")));
            await(kv.compact(compactedAt));
            before = all(kv);
            beforeAtOld = allAt(kv, oldRevision);
            hash = await(s.maintenance().hashKV(s.endpoint(), 0)).getHash();
        }
        try (PersistentServer s = start()) {
            KV kv = s.kv();
            GetResponse after = all(kv);
            assertEquals(describe(before.getKvs()), describe(after.getKvs()), "keys, values, versions and revisions");
            assertEquals(before.getHeader().getRevision(), after.getHeader().getRevision(), "the revision");
            assertEquals(before.getHeader().getClusterId(), after.getHeader().getClusterId(), "the cluster id");
            assertEquals(before.getHeader().getMemberId(), after.getHeader().getMemberId(), "the member id");
            assertEquals(describe(beforeAtOld.getKvs()), describe(allAt(kv, oldRevision).getKvs()), "a read at an older revision");
            assertEquals(hash, await(s.maintenance().hashKV(s.endpoint(), 0)).getHash(), "HashKV");
            assertEquals(compactedAt, await(s.maintenance().hashKV(s.endpoint(), 0)).getCompacted());
            Throwable compacted = failure(kv.get(bs("a"), GetOption.builder().withRevision(compactedAt - 1).build()));
            assertTrue(String.valueOf(compacted.getMessage()).contains("required revision has been compacted"),
                    String.valueOf(compacted));
            long next = await(kv.put(bs("e"), bs("new"))).getHeader().getRevision();
            assertEquals(before.getHeader().getRevision() + 1, next, "the next write takes the next revision");
            List<String> keys = all(kv).getKvs().stream().map(k -> k.getKey().toString()).toList();
            assertEquals(List.of("a", "c", "d", "e"), keys);
        }
        try (PersistentServer s = start()) {
            assertEquals(List.of("a", "c", "d", "e"), all(s.kv()).getKvs().stream().map(k -> k.getKey().toString()).toList(),
                    "a second restart keeps the write made after the first");
        }
    }

    @Test
    void anEmptyDataDirStartsAtRevisionOne() {
        try (PersistentServer s = start()) {
            assertEquals(1, all(s.kv()).getHeader().getRevision());
        }
        try (PersistentServer s = start()) {
            assertEquals(1, all(s.kv()).getHeader().getRevision(), "a restart of an empty store writes nothing");
            assertEquals(2, await(s.kv().put(bs("k"), bs("v"))).getHeader().getRevision());
        }
    }
}
