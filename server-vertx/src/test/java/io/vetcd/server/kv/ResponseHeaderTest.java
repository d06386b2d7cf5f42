package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Response;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every response header carries the cluster id and member id (non-zero, the same on every request and
 * every connection), the raft term (2 for a fresh single member: its first election) and, for KV calls,
 * the revision the call saw or made.
 */
class ResponseHeaderTest {
    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();
    private static long initialRevision;
    private static long firstWrite;

    @BeforeAll
    static void start() {
        initialRevision = await(server.kv().get(bs("anything"))).getHeader().getRevision();
        firstWrite = await(server.kv().put(bs("first"), bs("v"))).getHeader().getRevision();
    }

    @Test
    void aFreshServerIsAtRevisionOneAndItsFirstWriteIsRevisionTwo() {
        assertEquals(1, initialRevision);
        assertEquals(2, firstWrite);
    }

    /** One header of each kind of call, through one client. */
    private static Map<String, Response.Header> headersOfEveryCall(Client client) {
        KV kv = client.getKVClient();
        Map<String, Response.Header> headers = new LinkedHashMap<>();
        headers.put("put", await(kv.put(bs("h/a"), bs("v"))).getHeader());
        headers.put("range", await(kv.get(bs("h/a"))).getHeader());
        headers.put("range at revision 1", await(kv.get(bs("h/a"), GetOption.builder().withRevision(1).build()))
                .getHeader());
        headers.put("delete", await(kv.delete(bs("h/a"))).getHeader());
        headers.put("write txn", await(kv.txn().Then(Op.put(bs("h/b"), bs("v"), PutOption.DEFAULT)).commit())
                .getHeader());
        headers.put("read txn", await(kv.txn().Then(Op.get(bs("h/b"), GetOption.DEFAULT)).commit()).getHeader());
        headers.put("compact", await(kv.compact(1)).getHeader());
        headers.put("status", await(client.getMaintenanceClient().statusMember(server.endpoint())).getHeader());
        headers.put("member list", await(client.getClusterClient().listMember()).getHeader());
        return headers;
    }

    @Test
    void everyCallCarriesTheSameNonZeroIdsAndRaftTermTwo() {
        Map<String, Response.Header> headers = headersOfEveryCall(server.client());
        Response.Header first = headers.get("put");
        assertNotEquals(0, first.getClusterId(), "cluster_id");
        assertNotEquals(0, first.getMemberId(), "member_id");
        assertNotEquals(first.getClusterId(), first.getMemberId(), "cluster and member ids are different ids");
        headers.forEach((call, header) -> {
            assertEquals(first.getClusterId(), header.getClusterId(), "cluster_id of " + call);
            assertEquals(first.getMemberId(), header.getMemberId(), "member_id of " + call);
            assertEquals(2, header.getRaftTerm(), "raft_term of " + call);
        });
    }

    @Test
    void idsAreTheSameOnEveryConnection() {
        Response.Header mine = await(server.kv().get(bs("x"))).getHeader();
        for (int i = 0; i < 2; i++) {
            Client other = server.newClient();
            Response.Header theirs = await(other.getKVClient().get(bs("x"))).getHeader();
            assertEquals(mine.getClusterId(), theirs.getClusterId());
            assertEquals(mine.getMemberId(), theirs.getMemberId());
            assertEquals(mine.getRaftTerm(), theirs.getRaftTerm());
        }
    }

    @Test
    void revisionIsWhatTheCallSawOrMade() {
        long before = await(server.kv().get(bs("r"))).getHeader().getRevision();
        assertEquals(before + 1, await(server.kv().put(bs("r/a"), bs("v"))).getHeader().getRevision(), "put");
        assertEquals(before + 1, await(server.kv().get(bs("r/a"))).getHeader().getRevision(), "range");
        assertEquals(before + 1, await(server.kv().get(bs("r/a"), GetOption.builder().withRevision(before).build()))
                .getHeader().getRevision(), "range at an older revision still reports the current one");
        assertEquals(before + 2, await(server.kv().delete(bs("r/a"))).getHeader().getRevision(), "delete");
        assertEquals(before + 3, await(server.kv().txn().Then(Op.put(bs("r/b"), bs("v"), PutOption.DEFAULT)).commit())
                .getHeader().getRevision(), "write txn");
        assertEquals(before + 3, await(server.kv().txn().Then(Op.get(bs("r/b"), GetOption.DEFAULT)).commit())
                .getHeader().getRevision(), "read txn");
        assertEquals(before + 3, await(server.client().getMaintenanceClient().statusMember(server.endpoint()))
                .getHeader().getRevision(), "status");
    }
}
