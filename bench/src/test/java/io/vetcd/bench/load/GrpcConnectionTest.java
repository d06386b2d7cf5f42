package io.vetcd.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import io.vetcd.proto.etcdserverpb.CompactionRequest;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.KVGrpcClient;
import io.vetcd.proto.etcdserverpb.KVGrpcService;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.PutResponse;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.ResponseHeader;
import io.vetcd.proto.etcdserverpb.WatchCreateRequest;
import io.vetcd.proto.etcdserverpb.WatchGrpcClient;
import io.vetcd.proto.etcdserverpb.WatchGrpcService;
import io.vetcd.proto.etcdserverpb.WatchRequest;
import io.vetcd.proto.etcdserverpb.WatchResponse;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The load tool's gRPC transport against a Vert.x gRPC server whose answers the test chooses. */
@Timeout(30)
class GrpcConnectionTest {
    static final String UNICODE_MESSAGE = "etcdserver: 100% ünïcode, 'quoted' + spaced";

    private Vertx vertx;
    private HttpServer server;
    private Connections conns;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        GrpcServer grpc = GrpcServer.server(vertx);
        // Put: the revision echoes the value's length, so each answer names its request.
        grpc.callHandler(KVGrpcService.Put, call -> call.handler(req -> call.response().end(PutResponse.newBuilder()
                .setHeader(ResponseHeader.newBuilder().setRevision(req.getValue().size())).build())));
        grpc.callHandler(KVGrpcService.Range, call -> call.handler(req ->
                call.response().status(GrpcStatus.FAILED_PRECONDITION).statusMessage(UNICODE_MESSAGE).end()));
        grpc.callHandler(KVGrpcService.DeleteRange, call -> call.handler(req -> call.response().cancel()));
        grpc.callHandler(KVGrpcService.Compact, call -> { }); // never answers
        // Watch: two responses per request, the stream ends when the client half-closes.
        grpc.callHandler(WatchGrpcService.Watch, call -> {
            call.handler(req -> {
                for (int i = 0; i < 2; i++) {
                    call.response().write(WatchResponse.newBuilder().setWatchId(i)
                            .setCancelReason(req.getCreateRequest().getKey().toStringUtf8()).build());
                }
            });
            call.endHandler(v -> call.response().end());
        });
        server = vertx.createHttpServer().requestHandler(grpc).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        conns = new Connections(List.of("127.0.0.1:" + server.actualPort()), 2, 2000);
    }

    @AfterEach
    void stop() throws Exception {
        conns.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void concurrentUnaryCallsEachGetTheirOwnAnswer() throws Exception {
        List<Future<PutResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            calls.add(conns.get(i).unary(KVGrpcClient.Put, PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))
                    .setValue(ByteString.copyFrom(new byte[i])).build()));
        }
        for (int i = 0; i < calls.size(); i++) {
            assertEquals(i, await(calls.get(i)).getHeader().getRevision());
        }
    }

    @Test
    void aStatusArrivesWithGrpcGosTextAndTheMessageDecoded() {
        Exception e = assertThrows(Exception.class,
                () -> await(conns.get(0).unary(KVGrpcClient.Range, RangeRequest.getDefaultInstance())));
        assertEquals("rpc error: code = FailedPrecondition desc = " + UNICODE_MESSAGE, e.getCause().getMessage());
    }

    @Test
    void aResetStreamFailsThatCallOnlyAndTheConnectionStaysUsable() throws Exception {
        Exception e = assertThrows(Exception.class,
                () -> await(conns.get(0).unary(KVGrpcClient.DeleteRange, DeleteRangeRequest.getDefaultInstance())));
        assertTrue(e.getCause().getMessage().startsWith("rpc error: code = Internal desc = stream terminated by RST_STREAM"),
                e.getCause().getMessage());
        assertEquals(3, await(conns.get(0).unary(KVGrpcClient.Put,
                PutRequest.newBuilder().setValue(ByteString.copyFromUtf8("abc")).build())).getHeader().getRevision());
    }

    @Test
    void aStreamDeliversEveryMessageInOrderThenClosesCleanly() throws Exception {
        Connections.Conn conn = conns.get(1);
        List<String> received = new ArrayList<>();
        CompletableFuture<Connections.RpcException> closed = new CompletableFuture<>();
        CountDownLatch all = new CountDownLatch(6);
        conn.context.runOnContext(v -> {
            GrpcConnection.Call<WatchRequest> call = conn.stream(WatchGrpcClient.Watch, new GrpcConnection.Listener<>() {
                @Override
                public void onMessage(WatchResponse m) {
                    received.add(m.getCancelReason() + "#" + m.getWatchId());
                    all.countDown();
                }

                @Override
                public void onClose(Connections.RpcException error) {
                    closed.complete(error);
                }
            });
            for (String key : List.of("a", "b", "c")) {
                call.write(WatchRequest.newBuilder().setCreateRequest(
                        WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))).build(), false);
            }
            conn.context.owner().setTimer(200, t -> call.halfClose()); // on this connection's loop
        });
        assertTrue(all.await(10, TimeUnit.SECONDS));
        assertEquals(null, closed.get(10, TimeUnit.SECONDS), "status OK");
        assertEquals(List.of("a#0", "a#1", "b#0", "b#1", "c#0", "c#1"), received);
    }

    @Test
    void callsPendingWhenTheServerGoesAwayFailAsUnavailable() throws Exception {
        Future<?> pending = conns.get(0).unary(KVGrpcClient.Compact, CompactionRequest.getDefaultInstance());
        Thread.sleep(200); // the request is on the server
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        Exception e = assertThrows(Exception.class, () -> await(pending));
        assertTrue(e.getCause().getMessage().startsWith("rpc error: code = Unavailable"), e.getCause().getMessage());
    }

    @Test
    void dialingAPortNobodyListensOnFailsAsUnavailable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String endpoint = "127.0.0.1:" + port;
        Connections.RpcException e = assertThrows(Connections.RpcException.class,
                () -> new Connections(List.of(endpoint), 1, 2000));
        assertTrue(e.getMessage().startsWith("rpc error: code = Unavailable desc = "), e.getMessage());
    }
}
