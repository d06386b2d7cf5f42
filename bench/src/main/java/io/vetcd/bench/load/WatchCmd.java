package io.vetcd.bench.load;

import com.google.protobuf.ByteString;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vetcd.proto.etcdserverpb.KVGrpcClient;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.mvccpb.Event;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * etcd 3.4's watch benchmark: first --streams x --watch-per-stream watches are created on
 * --watched-key-total keys (creation latency = create request to {@code created}), then --put-total
 * puts change the watched keys and every event is counted. Event latency here is put sent to event
 * received (the put's value carries its send time); etcd's tool reports ~0 for it.
 */
@Command(name = "watch", description = "Benchmark watch", mixinStandardHelpOptions = true)
final class WatchCmd extends Verb {
    @Option(names = "--streams", defaultValue = "10", description = "Total watch streams (default ${DEFAULT-VALUE})")
    int streams;
    @Option(names = "--watch-per-stream", defaultValue = "100", description = "Total watchers per stream (default ${DEFAULT-VALUE})")
    int watchPerStream;
    @Option(names = "--watched-key-total", defaultValue = "1", description = "Total number of keys to be watched (default ${DEFAULT-VALUE})")
    int watchedKeyTotal;
    @Option(names = "--put-rate", defaultValue = "0", description = "Number of keys to put per second")
    int putRate;
    @Option(names = "--put-total", defaultValue = "1000", description = "Number of put requests (default ${DEFAULT-VALUE})")
    long putTotal;
    @Option(names = "--key-size", defaultValue = "32", description = "Key size of watch request (default ${DEFAULT-VALUE})")
    int keySize;
    @Option(names = "--key-space-size", defaultValue = "1", description = "Maximum possible keys (default ${DEFAULT-VALUE})")
    int keySpaceSize;
    @Option(names = "--sequential-keys", description = "Use sequential keys")
    boolean sequentialKeys;

    @Override
    public Integer call() throws Exception {
        requirePositive("--key-space-size", keySpaceSize);
        requirePositive("--watched-key-total", watchedKeyTotal);
        ByteString[] watched = new ByteString[watchedKeyTotal];
        for (int i = 0; i < watched.length; i++) {
            watched[i] = ByteString.copyFrom(varintKey(keySize, keyIndex(sequentialKeys, i, keySpaceSize)));
        }
        long watchTotal = (long) streams * watchPerStream;
        Stats create = new Stats();
        Stats events = new Stats();
        Map<ByteString, AtomicInteger> numWatchers = new ConcurrentHashMap<>();
        AtomicLong received = new AtomicLong();
        AtomicLong expected = new AtomicLong(Long.MAX_VALUE);
        CountDownLatch allEvents = new CountDownLatch(1);
        try (Connections conns = root.connect(root.conns)) {
            Progress[] bar = {root.progress(watchTotal)};
            List<WatchStream> ws = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                ws.add(new WatchStream(conns.get(i % root.clients), (Event e) -> {
                    events.record(System.nanoTime() - WatchStream.decodeNanos(e.getKv().getValue()));
                    if (bar[0] != null) {
                        bar[0].increment();
                    }
                    if (received.incrementAndGet() >= expected.get()) {
                        allEvents.countDown();
                    }
                }));
            }
            // creation phase
            AtomicLong nextKey = new AtomicLong();
            CountDownLatch created = new CountDownLatch(streams);
            create.start();
            for (WatchStream s : ws) {
                s.conn().context.runOnContext(v -> createLoop(s, 0, watched, nextKey, numWatchers, create, bar[0], created));
            }
            created.await();
            create.stop();
            BenchCommand.close(bar[0]);
            root.out.print("Watch creation summary:\n" + create.format(root.precise));

            // put phase
            long eventsTotal = 0;
            for (long i = 0; i < putTotal; i++) {
                AtomicInteger n = numWatchers.get(watched[(int) (i % watched.length)]);
                eventsTotal += n == null ? 0 : n.get();
            }
            if (eventsTotal == 0) {
                root.out.println("\nno watch was created: skipping the put phase");
            } else {
                bar[0] = root.progress(eventsTotal);
                events.start();
                expected.set(eventsTotal);
                if (received.get() >= eventsTotal) {
                    allEvents.countDown();
                }
                Stats puts = new Stats();
                new LoadDriver(conns, root.clients, putTotal, putRate, null).run((conn, client, seq) ->
                        conn.unary(KVGrpcClient.Put, PutRequest.newBuilder()
                                .setKey(watched[(int) (seq % watched.length)])
                                .setValue(WatchStream.encodeNanos(System.nanoTime(), 8)).build()), seq -> puts, puts);
                long last = -1;
                while (!allEvents.await(2, TimeUnit.SECONDS)) {
                    long now = received.get();
                    if (now == last) { // no progress for 2 s: give up on the rest
                        break;
                    }
                    last = now;
                }
                events.stop();
                BenchCommand.close(bar[0]);
                long missing = eventsTotal - received.get();
                for (long i = 0; i < missing; i++) {
                    events.error("event not received");
                }
                puts.errors().forEach((k, v) -> root.err.println("put errors: [" + v + "] " + k));
                root.out.print("Watch events received summary:\n" + events.format(root.precise));
            }
            ws.forEach(WatchStream::close);
        }
        Map<String, Stats> parts = new LinkedHashMap<>();
        parts.put("create", create);
        parts.put("events", events);
        root.writeJson("watch", spec, events.count() > 0 ? events : create, watchTotal, parts);
        return BenchCommand.exitCode(create, events);
    }

    private void createLoop(WatchStream s, int done, ByteString[] watched, AtomicLong nextKey,
                            Map<ByteString, AtomicInteger> numWatchers, Stats create, Progress bar, CountDownLatch created) {
        if (done == watchPerStream) {
            created.countDown();
            return;
        }
        ByteString key = watched[(int) (nextKey.getAndIncrement() % watched.length)];
        long st = System.nanoTime();
        Future<Long> f = s.create(key);
        f.onComplete(ar -> {
            if (ar.succeeded()) {
                create.record(System.nanoTime() - st);
                numWatchers.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            } else {
                create.error(ar.cause().getMessage());
            }
            if (bar != null) {
                bar.increment();
            }
            createLoop(s, done + 1, watched, nextKey, numWatchers, create, bar, created);
        });
    }
}
