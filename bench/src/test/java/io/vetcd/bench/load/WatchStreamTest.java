package io.vetcd.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.GrpcServer;
import io.vetcd.proto.etcdserverpb.WatchGrpcClient;
import io.vetcd.proto.etcdserverpb.WatchRequest;
import io.vetcd.proto.etcdserverpb.WatchResponse;
import io.vetcd.proto.mvccpb.Event;
import io.vetcd.proto.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * WatchStream over the load tool's transport with the light reader, against a server that writes raw
 * response bytes: a response split over DATA frames, many small ones, a canceled creation, a malformed one.
 */
@Timeout(30)
class WatchStreamTest {
    static final int BIG = 3000;
    static final int SMALL = 200;

    private Vertx vertx;
    private Connections conns;

    private static Buffer bytes(WatchResponse r) {
        return Buffer.buffer(r.toByteArray());
    }

    private static Event put(long nanos) {
        return Event.newBuilder().setKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("key"))
                .setModRevision(nanos).setValue(WatchStream.encodeNanos(nanos, 8))).build();
    }

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        GrpcServer grpc = GrpcServer.server(vertx);
        ServiceMethod<WatchRequest, Buffer> raw = ServiceMethod.server(WatchGrpcClient.Watch.serviceName(), "Watch",
                GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.decoder(WatchRequest.getDefaultInstance()));
        grpc.callHandler(raw, call -> call.handler(req -> {
            String key = req.getCreateRequest().getKey().toStringUtf8();
            switch (key) {
                case "bad" -> call.response().write(Buffer.buffer(new byte[] {0x5a, 0x05, 0x12, 0x01}));
                case "cancel" -> call.response().write(bytes(WatchResponse.newBuilder().setWatchId(-1).setCreated(true)
                        .setCanceled(true).setCancelReason("etcdserver: no").build()));
                default -> {
                    call.response().write(bytes(WatchResponse.newBuilder().setWatchId(5).setCreated(true).build()));
                    WatchResponse.Builder big = WatchResponse.newBuilder().setWatchId(5);
                    for (int i = 0; i < BIG; i++) {
                        big.addEvents(put(i));
                    }
                    call.response().write(bytes(big.build())); // over 16 KiB: several DATA frames
                    for (int i = 0; i < SMALL; i++) {
                        call.response().write(bytes(WatchResponse.newBuilder().setWatchId(5).addEvents(put(BIG + i)).build()));
                    }
                }
            }
        }));
        HttpServer server = vertx.createHttpServer().requestHandler(grpc).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        conns = new Connections(List.of("127.0.0.1:" + server.actualPort()), 1, 2000);
    }

    @AfterEach
    void stop() throws Exception {
        conns.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static <T> T create(WatchStream s, String key) throws Exception {
        Promise<Long> p = Promise.promise();
        s.conn().context.runOnContext(v -> s.create(ByteString.copyFromUtf8(key)).onComplete(p));
        @SuppressWarnings("unchecked")
        T id = (T) p.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return id;
    }

    @Test
    void everyEventArrivesInOrderWithItsPutTime() throws Exception {
        List<Long> nanos = new ArrayList<>();
        CountDownLatch all = new CountDownLatch(BIG + SMALL);
        WatchStream s = new WatchStream(conns.get(0), (putNanos, count) -> {
            for (int i = 0; i < count; i++) {
                nanos.add(putNanos[i]);
                all.countDown();
            }
        });
        assertEquals(5L, (Long) create(s, "k"));
        assertTrue(all.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < BIG + SMALL; i++) {
            assertEquals(i, nanos.get(i));
        }
        s.close();
    }

    @Test
    void aCanceledCreationFailsWithTheReason() {
        WatchStream s = new WatchStream(conns.get(0), (putNanos, count) -> { });
        Exception e = assertThrows(Exception.class, () -> create(s, "cancel"));
        assertEquals("watch canceled: etcdserver: no", e.getCause().getMessage());
    }

    @Test
    void aMalformedResponseFailsTheStream() throws Exception {
        WatchStream s = new WatchStream(conns.get(0), (putNanos, count) -> { });
        Exception e = assertThrows(Exception.class, () -> create(s, "bad"));
        String m = e.getCause().getMessage();
        assertTrue(m.startsWith("rpc error: code = Internal desc = grpc: failed to unmarshal the received message: "), m);
        assertTrue(m.toLowerCase(Locale.ROOT).contains("truncated"), m);
        // later creations on that stream fail with the same error
        Future<Long> again = Future.future(p -> s.conn().context.runOnContext(v -> s.create(ByteString.copyFromUtf8("k")).onComplete(p)));
        Exception e2 = assertThrows(Exception.class, () -> again.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals(m, e2.getCause().getMessage());
    }
}
