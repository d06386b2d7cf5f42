package io.vetcd.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vetcd.proto.etcdserverpb.KVGrpcService;
import io.vetcd.proto.etcdserverpb.PutResponse;
import io.vetcd.proto.etcdserverpb.ResponseHeader;
import io.vetcd.proto.etcdserverpb.WatchGrpcService;
import io.vetcd.proto.etcdserverpb.WatchRequest;
import io.vetcd.proto.etcdserverpb.WatchResponse;
import io.vetcd.proto.mvccpb.Event;
import io.vetcd.proto.mvccpb.KeyValue;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The watch and watch-latency verbs end to end against a tiny in-process watch server (Put + Watch). */
@Timeout(60)
class WatchVerbsTest {
    private Vertx vertx;
    private int port;
    /** The server's revision: 1 plus the puts it has taken. */
    private final AtomicLong revision = new AtomicLong(1);

    private record Watcher(GrpcServerResponse<WatchRequest, WatchResponse> stream, long id) { }

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        Map<ByteString, List<Watcher>> watchers = new HashMap<>();
        GrpcServer grpc = GrpcServer.server(vertx);
        grpc.callHandler(WatchGrpcService.Watch, call -> {
            long[] nextId = {0};
            call.handler(req -> {
                long id = nextId[0]++;
                synchronized (watchers) {
                    watchers.computeIfAbsent(req.getCreateRequest().getKey(), k -> new ArrayList<>())
                            .add(new Watcher(call.response(), id));
                }
                call.response().write(WatchResponse.newBuilder().setWatchId(id).setCreated(true)
                        .setHeader(ResponseHeader.newBuilder().setRevision(revision.get())).build());
            });
            call.endHandler(v -> {
                synchronized (watchers) {
                    watchers.values().forEach(l -> l.removeIf(w -> w.stream() == call.response()));
                }
                call.response().end();
            });
        });
        grpc.callHandler(KVGrpcService.Put, call -> call.handler(req -> {
            List<Watcher> ws;
            long r;
            synchronized (watchers) {
                r = revision.incrementAndGet();
                ws = new ArrayList<>(watchers.getOrDefault(req.getKey(), List.of()));
            }
            call.response().end(PutResponse.newBuilder().setHeader(ResponseHeader.newBuilder().setRevision(r)).build());
            Event ev = Event.newBuilder().setKv(KeyValue.newBuilder().setKey(req.getKey()).setValue(req.getValue())
                    .setModRevision(r).setCreateRevision(2).setVersion(r - 1)).build();
            for (Watcher w : ws) {
                WatchResponse m = WatchResponse.newBuilder().setWatchId(w.id())
                        .setHeader(ResponseHeader.newBuilder().setRevision(r)).addEvents(ev).build();
                w.stream().write(m); // write from another connection's context: Vert.x hands it over
            }
        }));
        HttpServer server = vertx.createHttpServer().requestHandler(grpc).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        port = server.actualPort();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Object[] run(String... args) {
        BenchCommand root = new BenchCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        root.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        root.err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        List<String> a = new ArrayList<>(List.of("--endpoints", "127.0.0.1:" + port, "--no-progress"));
        a.addAll(List.of(args));
        int code = BenchCommand.newCommandLine(root).execute(a.toArray(String[]::new));
        return new Object[] {code, out.toString(StandardCharsets.UTF_8)};
    }

    /** The latency histogram's counts of the section after {@code title}. */
    private static long histogramCount(String out, String title) {
        String section = out.substring(out.indexOf(title));
        int end = section.indexOf("Latency distribution:");
        Matcher m = Pattern.compile("\\[(\\d+)]\t\\|").matcher(section.substring(0, end));
        long n = 0;
        while (m.find()) {
            n += Long.parseLong(m.group(1));
        }
        return n;
    }

    @Test
    void watchCountsEveryEventOfEveryStream(@TempDir Path dir) throws Exception {
        // 3 streams x 4 watches on 3 watched keys; sequential keys: 3 distinct keys, 4 watchers each,
        // spread unevenly over the streams (the shares differ per stream)
        Path json = dir.resolve("w.json");
        Object[] r = run("--conns", "2", "--clients", "2", "watch", "--streams", "3", "--watch-per-stream", "4",
                "--watched-key-total", "3", "--sequential-keys", "--key-space-size", "3", "--put-total", "10",
                "--json", json.toString());
        String out = (String) r[1];
        assertEquals(0, r[0], out);
        assertTrue(out.startsWith("Watch creation summary:\n"), out);
        assertTrue(out.contains("Watch events received summary:\n\nSummary:\n  Total:\t"), out);
        assertTrue(!out.contains("Error distribution"), out);
        assertEquals(12, histogramCount(out, "Watch creation summary:"));
        // puts to keys 0,1,2,0,1,2,0,1,2,0 and 4 watchers per key: 40 events
        assertEquals(40, histogramCount(out, "Watch events received summary:"));
        String j = Files.readString(json);
        assertTrue(j.contains("\"verb\": \"watch\""), j);
        assertTrue(j.contains("\"succeeded\": 40"), j);

        // default key space: every watched key is the same key, so each put reaches all 12 watchers
        Object[] same = run("--conns", "3", "--clients", "3", "watch", "--streams", "3", "--watch-per-stream", "4",
                "--watched-key-total", "5", "--put-total", "7");
        assertEquals(0, same[0], (String) same[1]);
        assertEquals(84, histogramCount((String) same[1], "Watch events received summary:"));
    }

    @Test
    void warmupRunsRunTheBenchmarkFirstAndReportOnlyTheMeasuredRun(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("w.json");
        Object[] r = run("--warmup-runs", "2", "watch", "--streams", "2", "--watch-per-stream", "3",
                "--put-total", "10", "--json", json.toString());
        String out = (String) r[1];
        assertEquals(0, r[0], out);
        assertEquals(1 + 3 * 10, revision.get(), "two warm-up runs and the measured one, 10 puts each");
        assertEquals(out.indexOf("Watch creation summary:"), out.lastIndexOf("Watch creation summary:"), out);
        assertEquals(out.indexOf("Watch events received summary:"), out.lastIndexOf("Watch events received summary:"), out);
        assertEquals(6, histogramCount(out, "Watch creation summary:"));
        assertEquals(60, histogramCount(out, "Watch events received summary:"));
        String j = Files.readString(json);
        assertTrue(j.contains("\"succeeded\": 60"), j);
        assertTrue(j.contains("\"warmup-runs\": 2"), j);

        Object[] refused = run("--warmup-runs", "-1", "watch", "--put-total", "10");
        assertEquals(2, refused[0]);
        assertEquals(31, revision.get(), "a refused command runs nothing");
    }

    @Test
    void watchLatencyRecordsEachWatcherForEachPut() {
        Object[] r = run("--conns", "2", "--clients", "5", "watch-latency", "--total", "20", "--put-rate", "1000");
        String out = (String) r[1];
        assertEquals(0, r[0], out);
        assertTrue(out.startsWith("\nSummary:\n"), out);
        assertEquals(100, histogramCount("x" + out, "x"));
    }
}
