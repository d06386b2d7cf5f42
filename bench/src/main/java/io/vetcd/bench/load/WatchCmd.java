package io.vetcd.bench.load;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.internal.ContextInternal;
import io.vetcd.proto.etcdserverpb.KVGrpcClient;
import io.vetcd.proto.etcdserverpb.PutRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * etcd 3.4's watch benchmark: first --streams x --watch-per-stream watches are created on
 * --watched-key-total keys (creation latency = create request to {@code created}), then --put-total
 * puts change the watched keys and every event is counted. Event latency here is put sent to event
 * received (the put's value carries its send time); etcd's tool reports ~0 for it.
 *
 * <p>The event path is per stream and per event loop, with no shared write per event (on a 2-core machine
 * the load tool's cost per event decides what it can measure): latencies go to a lock-free recorder per
 * event loop, added to the summary at the end; each stream counts its own events against its share
 * (its watchers of each key x the puts to that key) and counts down once when it has them all.
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
        CountDownLatch allEvents = new CountDownLatch(streams);
        try (Connections conns = root.connect(root.conns)) {
            Progress[] bar = {root.progress(watchTotal)};
            List<WatchStream> ws = new ArrayList<>();
            List<Sink> sinks = new ArrayList<>();
            Map<EventLoop, Stats.Recorder> recorders = new IdentityHashMap<>();
            Map<Stats.Recorder, Context> recorderContexts = new IdentityHashMap<>();
            for (int i = 0; i < streams; i++) {
                Connections.Conn conn = conns.get(i % root.clients);
                Stats.Recorder rec = recorders.computeIfAbsent(((ContextInternal) conn.context).nettyEventLoop(), l -> {
                    Stats.Recorder r = new Stats.Recorder();
                    recorderContexts.put(r, conn.context);
                    return r;
                });
                Sink sink = new Sink(rec, bar, allEvents);
                sinks.add(sink);
                ws.add(new WatchStream(conn, sink));
            }
            // creation phase
            AtomicLong nextKey = new AtomicLong();
            CountDownLatch created = new CountDownLatch(streams);
            create.start();
            for (int i = 0; i < streams; i++) {
                WatchStream s = ws.get(i);
                Sink sink = sinks.get(i);
                s.conn().context.runOnContext(v -> createLoop(s, sink, 0, watched, nextKey, numWatchers, create, bar[0], created));
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
                addRecorders(events, recorderContexts);
                root.out.println("\nno watch was created: skipping the put phase");
            } else {
                bar[0] = root.progress(eventsTotal);
                events.start();
                for (Sink sink : sinks) {
                    long share = 0;
                    for (int k = 0; k < watched.length; k++) {
                        long putsToK = putTotal / watched.length + (k < putTotal % watched.length ? 1 : 0);
                        share += putsToK * sink.watchers.getOrDefault(watched[k], 0);
                    }
                    sink.expect(share);
                }
                Stats puts = new Stats();
                new LoadDriver(conns, root.clients, putTotal, putRate, null).run((conn, client, seq) ->
                        conn.unary(KVGrpcClient.Put, PutRequest.newBuilder()
                                .setKey(watched[(int) (seq % watched.length)])
                                .setValue(WatchStream.encodeNanos(System.nanoTime(), 8)).build()), seq -> puts, puts);
                long last = -1;
                while (!allEvents.await(2, TimeUnit.SECONDS)) {
                    long now = received(sinks);
                    if (now == last || now >= eventsTotal) { // no progress for 2 s: give up on the rest
                        break;
                    }
                    last = now;
                }
                events.stop();
                BenchCommand.close(bar[0]);
                long missing = eventsTotal - received(sinks);
                addRecorders(events, recorderContexts);
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

    private static long received(List<Sink> sinks) {
        long n = 0;
        for (Sink s : sinks) {
            n += s.received.get();
        }
        return n;
    }

    /** Adds each event loop's latencies to {@code events}, on that event loop (which recorded them). */
    private static void addRecorders(Stats events, Map<Stats.Recorder, Context> recorders) throws InterruptedException {
        CountDownLatch added = new CountDownLatch(recorders.size());
        recorders.forEach((rec, ctx) -> ctx.runOnContext(v -> {
            events.add(rec);
            added.countDown();
        }));
        if (!added.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("an event loop did not answer within 30 s");
        }
    }

    /**
     * One stream's events, on its connection's context: latencies into that event loop's recorder, a
     * count readable from the main thread, and one count-down of {@code allEvents} once the stream has
     * its share.
     */
    private static final class Sink implements WatchStream.Events {
        private final Stats.Recorder recorder;
        private final Progress[] bar;
        private final CountDownLatch allEvents;
        /** This stream's created watches per key; written on its context, read after the creation phase. */
        final Map<ByteString, Integer> watchers = new HashMap<>();
        /** Events received; written by the stream's context only (an ordered store, no read-modify-write). */
        final AtomicLong received = new AtomicLong();
        private volatile long expected = Long.MAX_VALUE;
        private final AtomicBoolean finished = new AtomicBoolean();

        Sink(Stats.Recorder recorder, Progress[] bar, CountDownLatch allEvents) {
            this.recorder = recorder;
            this.bar = bar;
            this.allEvents = allEvents;
        }

        @Override
        public void onEvents(long[] putNanos, int count) {
            long now = System.nanoTime(); // the events of one response arrive together
            for (int i = 0; i < count; i++) {
                recorder.record(now - putNanos[i]);
            }
            Progress b = bar[0];
            if (b != null) {
                b.add(count);
            }
            long n = received.get() + count;
            received.lazySet(n);
            if (n >= expected) {
                finish();
            }
        }

        /** Sets the stream's share (from the main thread); counts down now if it is already in. */
        void expect(long share) {
            expected = share;
            if (received.get() >= share) {
                finish();
            }
        }

        private void finish() {
            if (!finished.get() && finished.compareAndSet(false, true)) {
                allEvents.countDown();
            }
        }
    }

    private void createLoop(WatchStream s, Sink sink, int done, ByteString[] watched, AtomicLong nextKey,
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
                sink.watchers.merge(key, 1, Integer::sum);
            } else {
                create.error(ar.cause().getMessage());
            }
            if (bar != null) {
                bar.increment();
            }
            createLoop(s, sink, done + 1, watched, nextKey, numWatchers, create, bar, created);
        });
    }
}
