package io.vetcd.bench.floor;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.server.GrpcServer;
import io.vetcd.proto.etcdserverpb.KVGrpcService;
import io.vetcd.proto.etcdserverpb.PutResponse;
import io.vetcd.proto.etcdserverpb.RangeResponse;
import io.vetcd.proto.etcdserverpb.ResponseHeader;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The floor: a gRPC server that answers KV.Put and KV.Range with a canned response and does nothing
 * else (every other method: UNIMPLEMENTED), on a Vert.x HttpServer + GrpcServer with default settings
 * in one verticle, i.e. one event loop, as vetcd serves. What the load tool measures against it is
 * what the transport (Vert.x HTTP/2 + gRPC framing + protobuf) alone allows on this machine.
 *
 * <pre>
 *   java -cp vetcd-bench.jar io.vetcd.bench.floor.FloorServer --listen-client-urls http://127.0.0.1:23790
 *   java -jar vetcd-bench.jar floor --listen-client-urls http://127.0.0.1:23790
 * </pre>
 */
@Command(name = "floor", mixinStandardHelpOptions = true,
        description = "Serve canned KV.Put/KV.Range answers (the transport floor) until killed.")
public final class FloorServer implements Callable<Integer>, AutoCloseable {
    static final ResponseHeader HEADER = ResponseHeader.newBuilder()
            .setClusterId(0x1c7a6e8b5a2d3f4eL).setMemberId(0x4f3e2d1c0b0a0908L).setRevision(1).setRaftTerm(2).build();
    static final PutResponse PUT = PutResponse.newBuilder().setHeader(HEADER).build();
    static final RangeResponse RANGE = RangeResponse.newBuilder().setHeader(HEADER).build();

    @Option(names = "--listen-client-urls", defaultValue = "http://127.0.0.1:2379", split = ",",
            description = "URL to listen on (the first one is used) (default ${DEFAULT-VALUE})")
    List<URI> listen;

    private Vertx vertx;
    private int port;

    /** The verticle: one HttpServer, one GrpcServer, two canned handlers. */
    static final class FloorVerticle extends AbstractVerticle {
        private final String host;
        private final int port;
        HttpServer server;

        FloorVerticle(String host, int port) {
            this.host = host;
            this.port = port;
        }

        @Override
        public void start(Promise<Void> started) {
            GrpcServer grpc = GrpcServer.server(vertx);
            grpc.callHandler(KVGrpcService.Put, call -> call.handler(req -> call.response().end(PUT)));
            grpc.callHandler(KVGrpcService.Range, call -> call.handler(req -> call.response().end(RANGE)));
            vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
                    .requestHandler(grpc)
                    .listen()
                    .onSuccess(s -> server = s)
                    .<Void>mapEmpty()
                    .onComplete(started);
        }
    }

    /** Starts the floor; {@code port} 0 picks a free port (see {@link #port()}). */
    public static FloorServer start(String host, int port) {
        FloorServer f = new FloorServer();
        f.startOn(host, port);
        return f;
    }

    private void startOn(String host, int wantedPort) {
        vertx = Vertx.vertx();
        FloorVerticle v = new FloorVerticle(host, wantedPort);
        try {
            vertx.deployVerticle(v).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            close();
            throw new IllegalStateException("floor: cannot listen on " + host + ":" + wantedPort, e);
        }
        port = v.server.actualPort();
    }

    public int port() {
        return port;
    }

    @Override
    public Integer call() throws Exception {
        URI url = listen.get(0);
        startOn(url.getHost(), url.getPort());
        System.out.println("floor listening on " + url.getScheme() + "://" + url.getHost() + ":" + port
                + " (KV.Put, KV.Range: canned answers)");
        CountDownLatch forever = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(this::close));
        forever.await();
        return 0;
    }

    @Override
    public void close() {
        if (vertx != null) {
            Future<Void> f = vertx.close();
            vertx = null;
            try {
                f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }

    public static void main(String[] args) {
        System.setProperty("vertx.disableDnsResolver", "true");
        System.exit(new CommandLine(new FloorServer()).execute(args));
    }
}
