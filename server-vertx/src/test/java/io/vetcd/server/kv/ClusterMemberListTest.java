package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Response;
import io.etcd.jetcd.cluster.Member;
import io.etcd.jetcd.cluster.MemberListResponse;
import io.vetcd.server.ServerConfig;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code Cluster.MemberList} through jetcd's cluster client: one member, with the header's member id,
 * the configured name and peer URLs, and the URL clients reach it at.
 */
class ClusterMemberListTest {
    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();

    @Test
    void oneMemberWhoseIdIsTheHeadersMemberId() {
        MemberListResponse r = await(server.client().getClusterClient().listMember());
        assertEquals(1, r.getMembers().size());
        Member member = r.getMembers().get(0);
        Response.Header kvHeader = await(server.kv().get(bs("x"))).getHeader();
        assertEquals(kvHeader.getMemberId(), member.getId());
        assertEquals(kvHeader.getMemberId(), r.getHeader().getMemberId());
        assertEquals(kvHeader.getClusterId(), r.getHeader().getClusterId());
        assertFalse(member.isLearner());
    }

    @Test
    void memberAdvertisesTheUrlClientsReachItAt() {
        Member member = await(server.client().getClusterClient().listMember()).getMembers().get(0);
        assertEquals(List.of(URI.create(server.endpoint())), member.getClientURIs());
        assertFalse(member.getPeerURIs().isEmpty());
    }

    @Test
    void nameAndPeerUrlsAreTheConfiguredOnes() {
        Member member = await(server.client().getClusterClient().listMember()).getMembers().get(0);
        if (server.isRealEtcd()) {
            assertEquals("ref", member.getName()); // RealEtcd starts etcd with --name ref
            return;
        }
        ServerConfig config = ServerConfig.inMemoryOnFreePort();
        assertEquals(config.name(), member.getName());
        assertEquals(config.peerUrls(), member.getPeerURIs());
        assertTrue(!member.getName().isEmpty());
    }

    @Test
    void theListIsStable() {
        MemberListResponse a = await(server.client().getClusterClient().listMember());
        MemberListResponse b = await(server.newClient().getClusterClient().listMember());
        assertEquals(a.getMembers().get(0).getId(), b.getMembers().get(0).getId());
        assertEquals(a.getMembers().get(0).getName(), b.getMembers().get(0).getName());
        assertEquals(a.getMembers().get(0).getClientURIs(), b.getMembers().get(0).getClientURIs());
    }
}
