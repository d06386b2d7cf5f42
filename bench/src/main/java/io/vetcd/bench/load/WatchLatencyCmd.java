package io.vetcd.bench.load;

import com.google.protobuf.ByteString;
import io.vetcd.proto.etcdserverpb.KVGrpcClient;
import io.vetcd.proto.etcdserverpb.PutRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * etcd 3.4's watch-latency: one watcher per client (spread over --conns) on one key; --total puts,
 * one at a time at most --put-rate a second (burst --put-rate), on a connection of their own; for each
 * put and each watcher, latency = event received - put acknowledged (0 when the event came first),
 * exactly as etcd's tool measures it.
 */
@Command(name = "watch-latency", description = "Benchmark watch latency", mixinStandardHelpOptions = true)
final class WatchLatencyCmd extends Verb {
    @Option(names = "--total", defaultValue = "10000", description = "Total number of put requests (default ${DEFAULT-VALUE})")
    long total;
    @Option(names = "--put-rate", defaultValue = "100", description = "Number of keys to put per second (default ${DEFAULT-VALUE})")
    int putRate;
    @Option(names = "--key-size", defaultValue = "32", description = "Key size of watch response (default ${DEFAULT-VALUE})")
    int keySize;
    @Option(names = "--val-size", defaultValue = "32", description = "Value size of watch response (default ${DEFAULT-VALUE})")
    int valSize;

    private volatile CountDownLatch round;

    @Override
    public Integer call() throws Exception {
        requirePositive("--put-rate", putRate);
        ByteString key = ByteString.copyFrom(randBytes(keySize));
        ByteString value = ByteString.copyFrom(randBytes(valSize));
        int watchers = root.clients;
        Stats stats = new Stats();
        AtomicLongArray recv = new AtomicLongArray(watchers);
        try (Connections conns = root.connect(root.conns + 1)) {
            Connections.Conn putConn = conns.get(root.conns); // etcd: a connection of its own for the puts
            List<WatchStream> ws = new ArrayList<>();
            CountDownLatch created = new CountDownLatch(watchers);
            for (int w = 0; w < watchers; w++) {
                int idx = w;
                WatchStream s = new WatchStream(conns.get(w % root.conns), (putNanos, count) -> {
                    long now = System.nanoTime(); // the events of one response arrive together
                    for (int i = 0; i < count; i++) {
                        recv.set(idx, now);
                        CountDownLatch r = round;
                        if (r != null) {
                            r.countDown();
                        }
                    }
                });
                ws.add(s);
                s.conn().context.runOnContext(v -> s.create(key).onComplete(ar -> {
                    if (ar.failed()) {
                        stats.error(ar.cause().getMessage());
                    }
                    created.countDown();
                }));
            }
            if (!created.await(30, TimeUnit.SECONDS) || stats.errorCount() > 0) {
                root.err.println("Failed to create the watchers for the watch latency benchmark");
                root.out.print(stats.format(root.precise));
                root.writeJson("watch-latency", spec, stats, total, null);
                return 2;
            }
            Progress bar = root.progress(total);
            stats.start();
            long startNanos = System.nanoTime();
            long interval = 1_000_000_000L / putRate;
            try {
                for (long i = 0; i < total; i++) {
                    long due = startNanos + (i - putRate) * interval; // rate.NewLimiter(rate, burst=rate)
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    CountDownLatch r = new CountDownLatch(watchers);
                    round = r;
                    try {
                        Connections.await(putConn.unary(KVGrpcClient.Put,
                                PutRequest.newBuilder().setKey(key).setValue(value).build()));
                    } catch (RuntimeException e) {
                        root.err.println("Failed to Put for watch latency benchmark: " + e.getMessage());
                        return 1;
                    }
                    long st = System.nanoTime();
                    if (!r.await(30, TimeUnit.SECONDS)) {
                        stats.error("watch event not received within 30 s");
                    }
                    for (int w = 0; w < watchers; w++) {
                        stats.record(Math.max(recv.get(w), st) - st);
                    }
                    if (bar != null) {
                        bar.increment();
                    }
                }
            } finally {
                stats.stop();
                BenchCommand.close(bar);
            }
            root.out.print(stats.format(root.precise));
            ws.forEach(WatchStream::close);
        }
        root.writeJson("watch-latency", spec, stats, total, null);
        return BenchCommand.exitCode(stats);
    }
}
