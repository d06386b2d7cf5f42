package io.vetcd.server.watch;

import static io.vetcd.server.watch.WatchStream.key;
import static io.vetcd.server.watch.WatchStream.prefix;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.vetcd.core.watch.WatchHub;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Closing a stream frees its watchers, however the client leaves: cancel (RST_STREAM), half-close then
 * cancel, the connection going away, or after canceling some watchers itself. (A half-close alone does not
 * end an etcd watch stream: see {@code RawWatchStreamTest}.) After hundreds of open/close cycles the
 * server's watcher count is back where it started. The count: etcd's {@code etcd_debugging_mvcc_watcher_total}
 * gauge from {@code /metrics} when the server publishes it; for the in-process vetcd without it, its
 * {@link WatchHub#watchers()} (found by walking the server's fields).
 */
class WatchStreamLeakTest {
    @RegisterExtension
    static final WatchServer server = new WatchServer();

    private static final Pattern GAUGE = Pattern.compile("(?m)^etcd_debugging_mvcc_watcher_total (\\S+)$");

    @Test
    void manyOpenCloseCyclesLeaveNoWatcherBehind() throws Exception {
        Writes w = new Writes(server.kv());
        long baseline = watchers();
        // the count sees open watchers at all
        WatchStream open = server.stream();
        for (int i = 0; i < 5; i++) {
            open.createAndAwait(key("leak/probe" + i));
        }
        awaitWatchers(baseline + 5);
        open.close();
        awaitWatchers(baseline);

        // a new connection every 40 cycles: this test is about watchers, not about how many stream resets one
        // connection may send (see rapidStreamCancelsOnOneConnectionAreServed)
        ManagedChannel channel = null;
        int cycles = 240;
        for (int i = 0; i < cycles; i++) {
            if (i % 40 == 0) {
                channel = server.newChannel();
            }
            boolean dropConnection = i % 40 == 39;
            ManagedChannel ch = dropConnection ? server.newChannel() : channel;
            WatchStream s = WatchStream.open(ch);
            long a = s.createAndAwait(key("leak/k" + (i % 7))).getWatchId();
            s.createAndAwait(prefix("leak/").setPrevKv(true));
            s.createAndAwait(prefix("leak/").setStartRevision(1).setProgressNotify(true));
            if (i % 10 == 0) {
                w.put("leak/k" + (i % 7), "v" + i);
            }
            if (dropConnection) {
                ch.shutdownNow();
                ch.awaitTermination(5, TimeUnit.SECONDS);
                continue;
            }
            switch (i % 3) {
                case 0 -> s.close();       // RST_STREAM
                case 1 -> {
                    // etcd keeps a half-closed stream (and its watchers) until the call ends
                    s.halfClose();
                    s.close();
                }
                default -> {
                    s.cancel(a);
                    s.close();
                }
            }
        }
        awaitWatchers(baseline);
        // and the server still serves watches
        WatchStream after = server.stream();
        long id = after.createAndAwait(key("leak/after")).getWatchId();
        long rev = w.put("leak/after", "x");
        assertEquals(rev, after.next().getEvents(0).getKv().getModRevision());
        after.cancel(id);
    }

    /**
     * A client that opens and cancels watch streams one after another on one connection (300 RST_STREAMs in
     * a few seconds) is served like any other: etcd (Go's HTTP/2 server) keeps the connection. Netty's
     * default "rapid reset" guard answers more than 200 RST_STREAMs in 30 s with GOAWAY ENHANCE_YOUR_CALM.
     */
    @Test
    void rapidStreamCancelsOnOneConnectionAreServed() {
        ManagedChannel channel = server.newChannel();
        for (int i = 0; i < 300; i++) {
            WatchStream s = WatchStream.open(channel);
            s.createAndAwait(key("rst/k" + (i % 5)));
            s.close();
        }
        WatchStream last = WatchStream.open(channel);
        last.createAndAwait(key("rst/last"));
        long rev = new Writes(server.kv()).put("rst/last", "x");
        assertEquals(rev, last.next().getEvents(0).getKv().getModRevision());
        last.close();
    }

    private static void awaitWatchers(long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long n = watchers();
        while (n != expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
            n = watchers();
        }
        assertEquals(expected, n, "watchers registered on the server");
    }

    /** The server's count of registered watchers. */
    static long watchers() {
        String metrics = metrics();
        Matcher m = GAUGE.matcher(metrics);
        if (m.find()) {
            return (long) Double.parseDouble(m.group(1));
        }
        assertTrue(server.vetcd() != null, "etcd did not publish etcd_debugging_mvcc_watcher_total");
        WatchHub hub = find(server.vetcd(), WatchHub.class);
        assertTrue(hub != null, "vetcd publishes no etcd_debugging_mvcc_watcher_total and has no WatchHub to count");
        return hub.watchers();
    }

    private static String metrics() {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(server.endpoint() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The first {@code type} reachable from {@code root} through fields of vetcd's own classes. */
    static <T> T find(Object root, Class<T> type) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> queue = new ArrayDeque<>();
        queue.add(new Object[] {root, 0});
        while (!queue.isEmpty()) {
            Object[] next = queue.poll();
            Object o = next[0];
            int depth = (int) next[1];
            if (o == null || !seen.add(o)) {
                continue;
            }
            if (type.isInstance(o)) {
                return type.cast(o);
            }
            if (depth >= 6 || !o.getClass().getName().startsWith("io.vetcd")) {
                continue;
            }
            for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
                        continue;
                    }
                    try {
                        f.setAccessible(true);
                        Object v = f.get(o);
                        if (v instanceof Iterable<?> it && !(v instanceof java.nio.file.Path)) {
                            List<Object> items = new ArrayList<>();
                            int k = 0;
                            for (Object item : it) {
                                if (k++ > 50) {
                                    break;
                                }
                                items.add(item);
                            }
                            items.forEach(item -> queue.add(new Object[] {item, depth + 1}));
                        } else {
                            queue.add(new Object[] {v, depth + 1});
                        }
                    } catch (RuntimeException | IllegalAccessException e) {
                        // not reachable: skip
                    }
                }
            }
        }
        return null;
    }
}
