package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RangeResponse;
import io.vetcd.server.testing.Jetcd;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Garbage on the wire, sent with a raw Vert.x HTTP/2 client to {@code /etcdserverpb.KV/Range} and
 * {@code /etcdserverpb.KV/Put}. etcd (grpc-go) answers every such stream with a gRPC status in the
 * trailers, never by resetting the stream or leaving it open, and keeps serving:
 *
 * <ul>
 *   <li>bytes that are not a valid message: INTERNAL "grpc: error unmarshalling request: ...";</li>
 *   <li>a frame whose compressed flag is set without a grpc-encoding: INTERNAL "grpc: compressed flag set
 *       with identity or empty encoding";</li>
 *   <li>a stream that ends inside a frame: UNKNOWN "unexpected EOF" (any error status is accepted here).</li>
 * </ul>
 */
class MalformedRequestTest {
    /** A local server answers a few bytes at once; this long without an answer is a stream left hanging. */
    private static final long ANSWER_SECONDS = 30;
    private static final int OK = 0;
    private static final int UNKNOWN = 2;
    private static final int INTERNAL = 13;

    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        await(server.kv().put(bs("k"), bs("v")));
        // load the client's and server's HTTP/2 classes once, so that never counts against the time a
        // test gives the server to answer its bad request
        assertEquals(OK, call("/etcdserverpb.KV/Range", frame(RangeRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8("k")).build().toByteArray())).grpcStatus());
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private static HttpClient newClient() {
        return vertx.createHttpClient(new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false)); // prior knowledge, as gRPC clients speak h2c
    }

    /** What came back on one stream. */
    record Reply(int httpStatus, Integer grpcStatus, String grpcMessage, Buffer body) {}

    /** Sends one unary gRPC request whose body is {@code frames}, exactly as given. */
    private static Reply call(String method, byte[] frames) {
        // The response future is taken before the body is written: the server may answer a bad frame
        // before the client has finished sending, and that answer must not be missed.
        HttpClient http = newClient(); // one connection per call: a call never depends on an earlier one
        Future<Reply> reply = http.request(HttpMethod.POST, server.port(), "127.0.0.1", method)
                .compose(req -> {
                    Future<HttpClientResponse> response = req.response();
                    req.putHeader("content-type", "application/grpc").putHeader("te", "trailers")
                            .end(Buffer.buffer(frames));
                    return response;
                })
                .compose(resp -> resp.body().map(body -> reply(resp, body)));
        try {
            return reply.await(ANSWER_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return fail("no answer within " + ANSWER_SECONDS + " s: the stream was left open");
        } catch (Exception e) {
            return fail("no gRPC status, the stream broke instead: " + e, e);
        } finally {
            http.close();
        }
    }

    private static Reply reply(HttpClientResponse resp, Buffer body) {
        String status = resp.getTrailer("grpc-status");
        String message = resp.getTrailer("grpc-message");
        if (status == null) { // a trailers-only response carries the status in its headers
            status = resp.getHeader("grpc-status");
            message = resp.getHeader("grpc-message");
        }
        return new Reply(resp.statusCode(), status == null ? null : Integer.valueOf(status), message, body);
    }

    /** The gRPC length-prefixed frame of {@code message}. */
    private static byte[] frame(int compressedFlag, int declaredLength, byte[] message) {
        byte[] out = new byte[5 + message.length];
        out[0] = (byte) compressedFlag;
        out[1] = (byte) (declaredLength >>> 24);
        out[2] = (byte) (declaredLength >>> 16);
        out[3] = (byte) (declaredLength >>> 8);
        out[4] = (byte) declaredLength;
        System.arraycopy(message, 0, out, 5, message.length);
        return out;
    }

    private static byte[] frame(byte[] message) {
        return frame(0, message.length, message);
    }

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    private static void assertStatus(int expected, Reply r) {
        assertEquals(200, r.httpStatus(), "HTTP status");
        assertNotNull(r.grpcStatus(), "grpc-status");
        assertEquals(expected, r.grpcStatus(), () -> "grpc-status (grpc-message: " + r.grpcMessage() + ")");
    }

    @AfterEach
    void serverKeepsServing() throws Exception {
        assertEquals(1, await(server.kv().get(bs("k"))).getCount(), "jetcd after the bad request");
        assertGoodRangeAnswers();
    }

    /** Control: the raw client and framing work, so the failures below are about the bytes sent. */
    @Test
    void goodRangeAnswersOnTheRawClient() throws Exception {
        assertGoodRangeAnswers();
    }

    private static void assertGoodRangeAnswers() throws Exception {
        Reply r = call("/etcdserverpb.KV/Range",
                frame(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build().toByteArray()));
        assertStatus(OK, r);
        RangeResponse range = RangeResponse.parseFrom(r.body().getBytes(5, r.body().length()));
        assertEquals(1, range.getCount());
        assertEquals("v", range.getKvs(0).getValue().toStringUtf8());
    }

    @Test
    void invalidWireTypeIsInternal() {
        // tag 0x0f: field 1 with wire type 7, which does not exist
        assertStatus(INTERNAL, call("/etcdserverpb.KV/Range", frame(bytes(0x0f, 0x01))));
    }

    @Test
    void allOnesIsInternal() {
        assertStatus(INTERNAL, call("/etcdserverpb.KV/Range", frame(bytes(0xff, 0xff, 0xff, 0xff, 0xff))));
    }

    @Test
    void fieldLongerThanTheMessageIsInternal() {
        // field 1 (key), length-delimited, claims 5 bytes but 1 follows
        assertStatus(INTERNAL, call("/etcdserverpb.KV/Range", frame(bytes(0x0a, 0x05, 'a'))));
    }

    @Test
    void garbageToAWriteMethodIsInternalAndWritesNothing() {
        long before = Jetcd.currentRevision(server.kv());
        assertStatus(INTERNAL, call("/etcdserverpb.KV/Put", frame(bytes(0x0a, 0x7f, 'a', 'b'))));
        assertEquals(before, Jetcd.currentRevision(server.kv()));
    }

    @Test
    void compressedFlagWithoutAnEncodingIsInternal() {
        byte[] message = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build().toByteArray();
        assertStatus(INTERNAL, call("/etcdserverpb.KV/Range", frame(1, message.length, message)));
    }

    @Test
    void streamEndingInsideAFrameGetsAnErrorStatus() {
        // the prefix announces 9 bytes, 1 follows, then the stream ends (etcd: UNKNOWN "unexpected EOF")
        Reply r = call("/etcdserverpb.KV/Range", frame(0, 9, bytes(0x0a)));
        assertEquals(200, r.httpStatus());
        assertNotNull(r.grpcStatus(), "grpc-status");
        assertNotEquals(OK, r.grpcStatus(), "grpc-status");
    }

    @Test
    void streamEndingInsideTheLengthPrefixGetsAnErrorStatus() {
        Reply r = call("/etcdserverpb.KV/Range", bytes(0, 0));
        assertEquals(200, r.httpStatus());
        assertNotNull(r.grpcStatus(), "grpc-status");
        assertNotEquals(OK, r.grpcStatus(), "grpc-status (etcd: " + UNKNOWN + ")");
    }
}
