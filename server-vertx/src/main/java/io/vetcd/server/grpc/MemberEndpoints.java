package io.vetcd.server.grpc;

import io.vertx.grpc.server.GrpcServer;
import io.vetcd.core.KvStore;
import io.vetcd.core.MemberIdentity;
import io.vetcd.proto.etcdserverpb.ClusterGrpcService;
import io.vetcd.proto.etcdserverpb.Member;
import io.vetcd.proto.etcdserverpb.MemberListResponse;
import io.vetcd.proto.etcdserverpb.ResponseHeader;
import java.net.URI;
import java.util.List;
import java.util.function.Supplier;

/**
 * What a single-member cluster says about itself: {@code Cluster.MemberList} (so {@code etcdctl member
 * list} works). The member is always its own leader.
 */
public final class MemberEndpoints {
    /** The etcd API level vetcd implements; also what {@code /version} reports. */
    public static final String SERVER_VERSION = "3.5.0";

    private MemberEndpoints() {}

    /** @param clientUrls the client URLs to report, asked at each call (bound ports are known only once listening) */
    public static void bind(GrpcServer server, KvStore store, MemberIdentity identity, String name,
                            List<URI> peerUrls, Supplier<List<URI>> clientUrls) {
        long max = store.limits().maxGrpcMessageBytes();
        Replies.unary(server, ClusterGrpcService.MemberList, max, request -> MemberListResponse.newBuilder()
                .setHeader(header(identity))
                .addMembers(Member.newBuilder()
                        .setID(identity.memberId())
                        .setName(name)
                        .addAllPeerURLs(peerUrls.stream().map(URI::toString).toList())
                        .addAllClientURLs(clientUrls.get().stream().map(URI::toString).toList()))
                .build());
    }

    /** etcd's cluster-level header: ids and term, no revision. */
    static ResponseHeader.Builder header(MemberIdentity identity) {
        return ResponseHeader.newBuilder()
                .setClusterId(identity.clusterId())
                .setMemberId(identity.memberId())
                .setRaftTerm(identity.raftTerm());
    }
}
