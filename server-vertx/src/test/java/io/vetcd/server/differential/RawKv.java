package io.vetcd.server.differential;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.vetcd.proto.etcdserverpb.CompactionRequest;
import io.vetcd.proto.etcdserverpb.CompactionResponse;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.DeleteRangeResponse;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.PutResponse;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RangeResponse;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import io.vetcd.proto.etcdserverpb.TxnResponse;
import java.util.concurrent.TimeUnit;

/**
 * etcd's KV service called with grpc-java over vetcd's own copy of etcd's messages, for what jetcd
 * cannot say (ignore_value/ignore_lease, LEASE compares, range_end compares, raw sort fields...).
 * A failure surfaces as grpc-java's {@code StatusRuntimeException}, code and description untouched.
 */
final class RawKv {
    private static final MethodDescriptor<RangeRequest, RangeResponse> RANGE =
            method("Range", RangeRequest.getDefaultInstance(), RangeResponse.getDefaultInstance());
    private static final MethodDescriptor<PutRequest, PutResponse> PUT =
            method("Put", PutRequest.getDefaultInstance(), PutResponse.getDefaultInstance());
    private static final MethodDescriptor<DeleteRangeRequest, DeleteRangeResponse> DELETE_RANGE =
            method("DeleteRange", DeleteRangeRequest.getDefaultInstance(), DeleteRangeResponse.getDefaultInstance());
    private static final MethodDescriptor<TxnRequest, TxnResponse> TXN =
            method("Txn", TxnRequest.getDefaultInstance(), TxnResponse.getDefaultInstance());
    private static final MethodDescriptor<CompactionRequest, CompactionResponse> COMPACT =
            method("Compact", CompactionRequest.getDefaultInstance(), CompactionResponse.getDefaultInstance());

    private final Channel channel;
    private final long timeoutSeconds;

    RawKv(Channel channel, long timeoutSeconds) {
        this.channel = channel;
        this.timeoutSeconds = timeoutSeconds;
    }

    private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> method(String name, Q request,
                                                                                      R response) {
        return MethodDescriptor.<Q, R>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName("etcdserverpb.KV", name))
                .setRequestMarshaller(ProtoUtils.marshaller(request))
                .setResponseMarshaller(ProtoUtils.marshaller(response))
                .build();
    }

    private <Q, R> R call(MethodDescriptor<Q, R> method, Q request) {
        return ClientCalls.blockingUnaryCall(channel, method,
                CallOptions.DEFAULT.withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS), request);
    }

    RangeResponse range(RangeRequest r) {
        return call(RANGE, r);
    }

    PutResponse put(PutRequest r) {
        return call(PUT, r);
    }

    DeleteRangeResponse deleteRange(DeleteRangeRequest r) {
        return call(DELETE_RANGE, r);
    }

    TxnResponse txn(TxnRequest r) {
        return call(TXN, r);
    }

    CompactionResponse compact(CompactionRequest r) {
        return call(COMPACT, r);
    }
}
