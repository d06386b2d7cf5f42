package io.vetcd.server;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vetcd.core.KvStore;
import io.vetcd.core.MemberIdentity;
import io.vetcd.core.apply.Quota;
import io.vetcd.core.backend.Backend;
import io.vetcd.core.backend.ChronicleBackend;
import io.vetcd.core.backend.MemoryBackend;
import io.vetcd.server.grpc.ElectionEndpoint;
import io.vetcd.server.grpc.GrpcFrames;
import io.vetcd.server.grpc.KvEndpoint;
import io.vetcd.server.grpc.LeaseEndpoint;
import io.vetcd.server.grpc.LockEndpoint;
import io.vetcd.server.grpc.MaintenanceEndpoint;
import io.vetcd.server.grpc.MemberEndpoints;
import io.vetcd.server.grpc.WatchEndpoint;
import io.vetcd.server.grpc.WireEncoding;
import io.vetcd.server.http.FlushCoalescing;
import io.vetcd.server.http.HttpEndpoints;
import io.vetcd.server.http.LenientAuthority;
import io.vetcd.server.metrics.MetricsEndpoint;
import io.vetcd.proto.etcdserverpb.Rpc;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * One vetcd member, embeddable: {@code VetcdServer.start(config)} serves etcd's gRPC API and the HTTP
 * endpoints on every listen URL (gRPC and HTTP/1.1 share each port), {@link #close()} stops it.
 *
 * <pre>{@code
 * try (VetcdServer server = VetcdServer.start(ServerConfig.inMemoryOnFreePort())) {
 *     String endpoint = server.endpoint(); // http://127.0.0.1:<port>
 * }
 * }</pre>
 */
public final class VetcdServer implements AutoCloseable {
    /** Streams a client may cancel per 30 s before its connection is closed (Netty's default: 200). */
    private static final int RST_STREAMS_PER_30_SECONDS = 20_000;
    private final Vertx vertx;
    private final KvStore store;
    private final MetricsEndpoint metrics;
    /** The server that bound each listen URL, in the order of the URLs. */
    private final List<HttpServer> primaries = new ArrayList<>();
    /** The servers that joined them, one per further event loop. */
    private final List<HttpServer> others = new ArrayList<>();
    private final List<URI> listenUrls;

    private VetcdServer(Vertx vertx, KvStore store, MetricsEndpoint metrics, List<URI> listenUrls) {
        this.vertx = vertx;
        this.listenUrls = listenUrls;
        this.store = store;
        this.metrics = metrics;
    }

    /** Starts a member and returns once it listens on every URL; fails if any cannot be bound. */
    public static VetcdServer start(ServerConfig config) {
        for (URI url : config.listenClientUrls()) {
            if (!"http".equals(url.getScheme()) || url.getHost() == null || url.getPort() < 0) {
                throw new IllegalArgumentException("unsupported listen URL " + url
                        + " (expected http://host:port; TLS is not supported yet)");
            }
        }
        // Start-up is mostly class loading: load etcd's message descriptors on a second core while
        // Vert.x starts on this one.
        CompletableFuture<Void> wire = CompletableFuture.runAsync(() -> Rpc.getDescriptor());
        MemberIdentity identity = config.inMemory()
                ? MemberIdentities.random() : MemberIdentities.loadOrCreate(config.dataDir());
        // Opening the backend (and loading what it keeps) overlaps Vert.x's start too.
        CompletableFuture<KvStore> opening = CompletableFuture.supplyAsync(() -> openStore(config, identity));
        System.setProperty("vertx.disableDnsResolver", "true"); // clients connect to us; we resolve nothing
        // Netty's allocator checks for Java Flight Recorder to emit buffer events, loading ~100 JFR classes
        // at start-up; off unless the user asks for it with -Dio.netty.jfr.enabled=true.
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
        int eventLoops = Runtime.getRuntime().availableProcessors();
        Vertx vertx = Vertx.vertx(new VertxOptions()
                .setEventLoopPoolSize(eventLoops)
                // vetcd serves no files: no cache directory under /tmp, no classpath scanning
                .setFileSystemOptions(new FileSystemOptions()
                        .setFileCachingEnabled(false)
                        .setClassPathResolvingEnabled(false)));
        wire.join();
        KvStore store;
        try {
            store = opening.join();
        } catch (CompletionException e) {
            await(vertx.close(), "cannot stop Vert.x");
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        MetricsEndpoint metrics = new MetricsEndpoint(vertx, store, identity);
        VetcdServer server = new VetcdServer(vertx, store, metrics, config.listenClientUrls());
        try {
            GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions()
                    .setMaxMessageSize(config.limits().maxGrpcMessageBytes()));
            KvEndpoint.bind(grpc, store);
            LeaseEndpoint.bind(grpc, store);
            WatchEndpoint.bind(grpc, store, identity, config.watchProgressNotifyInterval());
            LockEndpoint.bind(grpc, store, identity);
            ElectionEndpoint.bind(grpc, store, identity);
            Supplier<List<URI>> clientUrls = config.advertiseClientUrls().isEmpty()
                    ? server::boundClientUrls : config::advertiseClientUrls;
            MemberEndpoints.bind(grpc, store, identity, config.name(), config.peerUrls(), clientUrls);
            MaintenanceEndpoint.bind(grpc, store, identity, config.inMemory()
                    ? Path.of(System.getProperty("java.io.tmpdir")) : config.dataDir().resolve("member").resolve("snap"));
            HttpEndpoints endpoints = new HttpEndpoints(metrics, store);
            List<URI> urls = config.listenClientUrls();
            for (int u = 0; u < urls.size(); u++) {
                // One server per event loop on the same address: Vert.x shares the socket and hands each
                // new connection to the next one, so connections are served on every core, not all on
                // the event loop of a single server. Port 0 becomes Vert.x's "shared random port" -n:
                // the first server to register binds a free port, the others join it. They start
                // together (start-up time).
                URI url = urls.get(u);
                int port = url.getPort() == 0 ? -(u + 1) : url.getPort();
                List<Future<HttpServer>> listening = new ArrayList<>();
                for (int i = 0; i < eventLoops; i++) {
                    listening.add(listen(vertx, config, url, port, grpc, endpoints));
                }
                await(Future.all(listening), "cannot listen on " + url);
                server.primaries.add(listening.get(0).result());
                listening.subList(1, listening.size()).forEach(f -> server.others.add(f.result()));
            }
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * The store over its backend: nothing on disk with {@code --in-memory}, else the Chronicle Map files
     * in the data dir, loaded with the leases it kept (renewed to their full TTL, as etcd does at start-up).
     * A lease asked for with less than {@code --vetcd-min-lease-ttl} gets that.
     */
    private static KvStore openStore(ServerConfig config, MemberIdentity identity) {
        long quota = config.quotaBackendBytes();
        Backend backend = config.inMemory() ? new MemoryBackend()
                : ChronicleBackend.open(config.dataDir(), quota > 0 ? quota : Quota.DEFAULT_BYTES);
        return new KvStore(config.limits(), identity, backend, quota, config.minLeaseTtlSeconds());
    }

    /** One server on {@code url}'s host and {@code port}, listening from a verticle of its own. */
    private static Future<HttpServer> listen(Vertx vertx, ServerConfig config, URI url, int port, GrpcServer grpc,
                                             HttpEndpoints endpoints) {
        HttpServer http = vertx.createHttpServer(new HttpServerOptions()
                .setHost(url.getHost())
                .setPort(port)
                .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(config.maxConcurrentStreams()))
                // Netty's "rapid reset" guard (CVE-2023-44487) sends GOAWAY after 200 RST_STREAMs
                // in 30 s, which drops a client that opens and cancels many watch streams (etcd
                // keeps it). Kept, with room for such clients: a flood is still cut off.
                .setHttp2RstFloodMaxRstFramePerWindow(RST_STREAMS_PER_30_SECONDS));
        http.connectionHandler(connection -> {
            LenientAuthority.install(connection);
            FlushCoalescing.install(connection);
        });
        http.requestHandler(request -> route(request, grpc, endpoints));
        // Listening from a verticle's start gives the server that verticle's event loop; each deployment
        // takes the next event loop. (From this thread, every server would get the same one.)
        return vertx.deployVerticle(new VerticleBase() {
            @Override
            public Future<?> start() {
                return http.listen();
            }
        }).map(deployed -> http);
    }

    private static void route(HttpServerRequest request, GrpcServer grpc, HttpEndpoints endpoints) {
        String contentType = request.getHeader("content-type");
        if (contentType != null && contentType.startsWith("application/grpc")) {
            WireEncoding.prepare(request);
            GrpcFrames.handle(grpc, request);
        } else {
            endpoints.handle(request);
        }
    }

    /** The listen URLs with the ports actually bound (port 0 becomes the port the system picked). */
    private List<URI> boundClientUrls() {
        List<URI> urls = new ArrayList<>();
        for (int i = 0; i < primaries.size(); i++) {
            URI url = listenUrls.get(i);
            urls.add(URI.create(url.getScheme() + "://" + url.getHost() + ":" + primaries.get(i).actualPort()));
        }
        return urls;
    }

    /** The port the first listen URL is bound to (the real one when port 0 was asked for). */
    public int port() {
        return primaries.get(0).actualPort();
    }

    /** {@code http://127.0.0.1:<port>} for the first listen URL: what a client connects to. */
    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    /** Stops listening, applies the writes already queued, then releases everything. */
    @Override
    public void close() {
        for (HttpServer http : others) {
            await(http.close(), "cannot close the listener");
        }
        for (HttpServer http : primaries) {
            await(http.close(), "cannot close the listener");
        }
        store.close();
        metrics.close();
        await(vertx.close(), "cannot stop Vert.x");
    }

    private static <T> T await(Future<T> future, String what) {
        try {
            return future.await();
        } catch (Exception e) {
            throw new IllegalStateException(what + ": " + e.getMessage(), e);
        }
    }
}
