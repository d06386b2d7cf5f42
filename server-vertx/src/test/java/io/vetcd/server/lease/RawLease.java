package io.vetcd.server.lease;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.vetcd.proto.etcdserverpb.LeaseGrantRequest;
import io.vetcd.proto.etcdserverpb.LeaseGrantResponse;
import io.vetcd.proto.etcdserverpb.LeaseKeepAliveRequest;
import io.vetcd.proto.etcdserverpb.LeaseKeepAliveResponse;
import io.vetcd.proto.etcdserverpb.LeaseLeasesRequest;
import io.vetcd.proto.etcdserverpb.LeaseLeasesResponse;
import io.vetcd.proto.etcdserverpb.LeaseRevokeRequest;
import io.vetcd.proto.etcdserverpb.LeaseRevokeResponse;
import io.vetcd.proto.etcdserverpb.LeaseTimeToLiveRequest;
import io.vetcd.proto.etcdserverpb.LeaseTimeToLiveResponse;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.PutResponse;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RangeResponse;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import io.vetcd.proto.etcdserverpb.TxnResponse;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.DeleteRangeResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * etcd's Lease service (and the two KV calls the lease tests need) called with grpc-java over vetcd's
 * own copy of etcd's messages: every field of etcd's rpc.proto, and LeaseLeases, which jetcd 0.8.7 lacks.
 * A failure surfaces as grpc-java's {@code StatusRuntimeException}, code and description untouched.
 */
final class RawLease {
    static final MethodDescriptor<LeaseGrantRequest, LeaseGrantResponse> GRANT = unary("etcdserverpb.Lease",
            "LeaseGrant", LeaseGrantRequest.getDefaultInstance(), LeaseGrantResponse.getDefaultInstance());
    static final MethodDescriptor<LeaseRevokeRequest, LeaseRevokeResponse> REVOKE = unary("etcdserverpb.Lease",
            "LeaseRevoke", LeaseRevokeRequest.getDefaultInstance(), LeaseRevokeResponse.getDefaultInstance());
    static final MethodDescriptor<LeaseTimeToLiveRequest, LeaseTimeToLiveResponse> TIME_TO_LIVE = unary(
            "etcdserverpb.Lease", "LeaseTimeToLive", LeaseTimeToLiveRequest.getDefaultInstance(),
            LeaseTimeToLiveResponse.getDefaultInstance());
    static final MethodDescriptor<LeaseLeasesRequest, LeaseLeasesResponse> LEASES = unary("etcdserverpb.Lease",
            "LeaseLeases", LeaseLeasesRequest.getDefaultInstance(), LeaseLeasesResponse.getDefaultInstance());
    static final MethodDescriptor<LeaseKeepAliveRequest, LeaseKeepAliveResponse> KEEP_ALIVE =
            MethodDescriptor.<LeaseKeepAliveRequest, LeaseKeepAliveResponse>newBuilder()
                    .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
                    .setFullMethodName("etcdserverpb.Lease/LeaseKeepAlive")
                    .setRequestMarshaller(ProtoUtils.marshaller(LeaseKeepAliveRequest.getDefaultInstance()))
                    .setResponseMarshaller(ProtoUtils.marshaller(LeaseKeepAliveResponse.getDefaultInstance()))
                    .build();
    static final MethodDescriptor<PutRequest, PutResponse> PUT = unary("etcdserverpb.KV", "Put",
            PutRequest.getDefaultInstance(), PutResponse.getDefaultInstance());
    static final MethodDescriptor<RangeRequest, RangeResponse> RANGE = unary("etcdserverpb.KV", "Range",
            RangeRequest.getDefaultInstance(), RangeResponse.getDefaultInstance());
    static final MethodDescriptor<TxnRequest, TxnResponse> TXN = unary("etcdserverpb.KV", "Txn",
            TxnRequest.getDefaultInstance(), TxnResponse.getDefaultInstance());
    static final MethodDescriptor<DeleteRangeRequest, DeleteRangeResponse> DELETE_RANGE = unary("etcdserverpb.KV",
            "DeleteRange", DeleteRangeRequest.getDefaultInstance(), DeleteRangeResponse.getDefaultInstance());

    private static final long TIMEOUT_SECONDS = 20;
    private final Channel channel;

    RawLease(Channel channel) {
        this.channel = channel;
    }

    private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> unary(String service, String name,
                                                                                     Q request, R response) {
        return MethodDescriptor.<Q, R>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(service, name))
                .setRequestMarshaller(ProtoUtils.marshaller(request))
                .setResponseMarshaller(ProtoUtils.marshaller(response))
                .build();
    }

    private <Q, R> R call(MethodDescriptor<Q, R> method, Q request) {
        return ClientCalls.blockingUnaryCall(channel, method,
                CallOptions.DEFAULT.withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS), request);
    }

    LeaseGrantResponse grant(long id, long ttl) {
        return call(GRANT, LeaseGrantRequest.newBuilder().setID(id).setTTL(ttl).build());
    }

    LeaseRevokeResponse revoke(long id) {
        return call(REVOKE, LeaseRevokeRequest.newBuilder().setID(id).build());
    }

    LeaseTimeToLiveResponse timeToLive(long id, boolean keys) {
        return call(TIME_TO_LIVE, LeaseTimeToLiveRequest.newBuilder().setID(id).setKeys(keys).build());
    }

    LeaseLeasesResponse leases() {
        return call(LEASES, LeaseLeasesRequest.getDefaultInstance());
    }

    PutResponse put(PutRequest r) {
        return call(PUT, r);
    }

    RangeResponse range(RangeRequest r) {
        return call(RANGE, r);
    }

    TxnResponse txn(TxnRequest r) {
        return call(TXN, r);
    }

    DeleteRangeResponse deleteRange(DeleteRangeRequest r) {
        return call(DELETE_RANGE, r);
    }

    /** What one keep-alive call answered: a response per request, in order, then its final status. */
    record KeepAlives(List<LeaseKeepAliveResponse> responses, Status status) {}

    /**
     * One LeaseKeepAlive call: sends each id and waits for its response before the next (so a response
     * missing is seen as such), then ends its requests and waits for the server's status.
     */
    KeepAlives keepAlive(long... ids) {
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        CompletableFuture<Status> end = new CompletableFuture<>();
        StreamObserver<LeaseKeepAliveRequest> requests = ClientCalls.asyncBidiStreamingCall(
                channel.newCall(KEEP_ALIVE, CallOptions.DEFAULT.withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)),
                new StreamObserver<>() {
                    @Override
                    public void onNext(LeaseKeepAliveResponse r) {
                        received.add(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                        end.complete(Status.fromThrowable(t));
                        received.add(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        end.complete(Status.OK);
                        received.add(Status.OK);
                    }
                });
        List<LeaseKeepAliveResponse> responses = new ArrayList<>();
        try {
            for (long id : ids) {
                requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(id).build());
                Object next = received.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (!(next instanceof LeaseKeepAliveResponse r)) {
                    return new KeepAlives(responses, next instanceof Status s ? s
                            : Status.DEADLINE_EXCEEDED.withDescription("no response to keep-alive " + id));
                }
                responses.add(r);
            }
            requests.onCompleted();
            return new KeepAlives(responses, end.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new AssertionError("keep-alive stream: " + e, e);
        }
    }
}
