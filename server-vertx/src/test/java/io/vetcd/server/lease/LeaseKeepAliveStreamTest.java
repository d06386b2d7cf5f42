package io.vetcd.server.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.vetcd.proto.etcdserverpb.LeaseKeepAliveRequest;
import io.vetcd.proto.etcdserverpb.LeaseKeepAliveResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The LeaseKeepAlive stream itself: one response per request, in order; a lease the server does not hold
 * answered as etcd 3.4 answers it (its ID, TTL 0) without ending the stream; the end of the requests ends
 * the call with OK; bytes that are not a request end the call with grpc-go's INTERNAL status, not a
 * broken stream, and the server keeps serving.
 */
class LeaseKeepAliveStreamTest {
    private static LeaseServer server;

    @BeforeAll
    static void start() {
        server = LeaseServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void serverKeepsServing() {
        long id = server.raw.grant(0, 30).getID();
        assertEquals(List.of(30L), server.raw.keepAlive(id).responses().stream()
                .map(LeaseKeepAliveResponse::getTTL).toList());
        server.raw.revoke(id);
    }

    @Test
    void oneResponsePerRequestInOrderAndUnknownLeasesAnsweredWithTtlZero() {
        long a = server.raw.grant(0, 30).getID();
        long b = server.raw.grant(0, 45).getID();
        RawLease.KeepAlives r = server.raw.keepAlive(a, 0x5eed_1234L, b, 0, a, -3);
        assertEquals(Status.Code.OK, r.status().getCode(), "the end of the requests ends the call: " + r.status());
        assertEquals(List.of(a, 0x5eed_1234L, b, 0L, a, -3L),
                r.responses().stream().map(LeaseKeepAliveResponse::getID).toList());
        assertEquals(List.of(30L, 0L, 45L, 0L, 30L, 0L),
                r.responses().stream().map(LeaseKeepAliveResponse::getTTL).toList());
        long revision = server.raw.range(io.vetcd.proto.etcdserverpb.RangeRequest.newBuilder()
                .setKey(com.google.protobuf.ByteString.copyFromUtf8("x")).build()).getHeader().getRevision();
        for (LeaseKeepAliveResponse response : r.responses()) {
            assertTrue(response.hasHeader(), "every response has a header");
            assertEquals(revision, response.getHeader().getRevision());
            assertTrue(response.getHeader().getMemberId() != 0);
        }
        server.raw.revoke(a);
        server.raw.revoke(b);
        assertEquals(List.of(0L), server.raw.keepAlive(a).responses().stream()
                .map(LeaseKeepAliveResponse::getTTL).toList(), "a revoked lease");
    }

    @Test
    void manyRequestsOnOneStream() {
        long id = server.raw.grant(0, 10).getID();
        long[] ids = new long[500];
        java.util.Arrays.fill(ids, id);
        RawLease.KeepAlives r = server.raw.keepAlive(ids);
        assertEquals(Status.Code.OK, r.status().getCode());
        assertEquals(500, r.responses().size());
        assertTrue(r.responses().stream().allMatch(x -> x.getID() == id && x.getTTL() == 10));
        server.raw.revoke(id);
    }

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private static final MethodDescriptor<byte[], byte[]> RAW_KEEP_ALIVE = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
            .setFullMethodName("etcdserverpb.Lease/LeaseKeepAlive")
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();

    @Test
    void aMalformedRequestEndsTheCallWithInternal() throws Exception {
        long id = server.raw.grant(0, 20).getID();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        try {
            LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
            StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(
                    channel.newCall(RAW_KEEP_ALIVE, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS)),
                    new StreamObserver<>() {
                        @Override
                        public void onNext(byte[] value) {
                            received.add(value);
                        }

                        @Override
                        public void onError(Throwable t) {
                            received.add(Status.fromThrowable(t));
                        }

                        @Override
                        public void onCompleted() {
                            received.add(Status.OK);
                        }
                    });
            requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(id).build().toByteArray());
            Object first = received.poll(20, TimeUnit.SECONDS);
            assertTrue(first instanceof byte[], "a response to the good request, got " + first);
            assertEquals(20, LeaseKeepAliveResponse.parseFrom((byte[]) first).getTTL());
            // field 1 (ID) as a varint that never ends
            requests.onNext(new byte[] {0x08, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            Object end = received.poll(20, TimeUnit.SECONDS);
            assertTrue(end instanceof Status, "a status, got " + end);
            Status status = (Status) end;
            assertEquals(Status.Code.INTERNAL, status.getCode(), "got " + status);
            assertTrue(status.getDescription().startsWith("grpc: failed to unmarshal the received message"),
                    "got " + status.getDescription());
        } finally {
            channel.shutdownNow();
        }
        server.raw.revoke(id);
    }
}
