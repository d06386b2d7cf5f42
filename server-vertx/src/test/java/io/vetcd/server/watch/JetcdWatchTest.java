package io.vetcd.server.watch;

import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.watch.Writes.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * jetcd's Watch client (0.8.7: one gRPC stream per watcher) on each watch feature of issue 5. The same
 * tests pass against etcd 3.4 with {@code -Dvetcd.jetcd.target=etcd}. Each test has its own key prefix.
 */
class JetcdWatchTest {
    @RegisterExtension
    static final WatchServer server = new WatchServer();

    private static final ByteSequence FROM_KEY = ByteSequence.from(new byte[] {0});

    /** What a jetcd listener was told, in order. */
    static final class Recorder implements Watch.Listener {
        final LinkedBlockingQueue<Object> seen = new LinkedBlockingQueue<>();

        @Override
        public void onNext(WatchResponse response) {
            seen.add(response);
        }

        @Override
        public void onError(Throwable throwable) {
            seen.add(throwable);
        }

        @Override
        public void onCompleted() {
            seen.add("completed");
        }

        Object next() {
            try {
                Object o = seen.poll(15, TimeUnit.SECONDS);
                if (o == null) {
                    fail("the listener heard nothing in 15 s");
                }
                return o;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        WatchResponse response() {
            Object o = next();
            if (o instanceof WatchResponse r) {
                return r;
            }
            return fail("expected a watch response, got " + o);
        }

        /** The next {@code n} events, rendered, however many responses they come in. */
        List<String> events(int n) {
            List<String> out = new ArrayList<>();
            while (out.size() < n) {
                WatchResponse r = response();
                if (r.getEvents().isEmpty()) {
                    fail("expected events, got an empty response (after " + out + ")");
                }
                r.getEvents().forEach(e -> out.add(render(e)));
            }
            assertEquals(n, out.size(), () -> "more events than expected: " + out);
            return out;
        }

        void quiet(Duration d) {
            try {
                Object o = seen.poll(d.toMillis(), TimeUnit.MILLISECONDS);
                if (o != null) {
                    fail("expected nothing, got " + (o instanceof WatchResponse r ? r.getEvents().stream()
                            .map(JetcdWatchTest::render).toList() : o));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static String render(WatchEvent e) {
        KeyValue kv = e.getKeyValue();
        StringBuilder sb = new StringBuilder(e.getEventType() + " " + str(kv.getKey()));
        if (e.getEventType() == WatchEvent.EventType.PUT) {
            sb.append('=').append(str(kv.getValue())).append(" c").append(kv.getCreateRevision())
                    .append(" m").append(kv.getModRevision()).append(" v").append(kv.getVersion());
        } else {
            sb.append(" m").append(kv.getModRevision()).append(" c").append(kv.getCreateRevision())
                    .append(" v").append(kv.getVersion()).append(" '").append(str(kv.getValue())).append('\'');
        }
        KeyValue prev = e.getPrevKV();
        if (prev != null && !prev.getKey().isEmpty()) {
            sb.append(" prev=").append(str(prev.getValue())).append(" m").append(prev.getModRevision());
        }
        return sb.toString();
    }

    private static final Duration QUIET = Duration.ofMillis(300);

    private Writes writes() {
        return new Writes(server.kv());
    }

    private Watch.Watcher watch(String key, WatchOption option, Recorder recorder) {
        return server.client().getWatchClient().watch(bs(key), option, recorder);
    }

    /** Waits until a watch registered by jetcd is in place: a probe put on its key range shows up. */
    private static void awaitCreated(Recorder r) {
        WatchResponse created = r.response();
        assertTrue(created.isCreatedNotify(), "expected the created notification first");
    }

    @Test
    void singleKeyPutsAndDeletes() {
        Writes w = writes();
        Recorder r = new Recorder();
        try (Watch.Watcher watcher = watch("single/k", WatchOption.builder().withCreateNotify(true).build(), r)) {
            awaitCreated(r);
            long r1 = w.put("single/k", "1");
            w.put("single/other", "x");
            long r2 = w.put("single/k", "2");
            long r3 = w.delete("single/k");
            assertEquals(List.of("PUT single/k=1 c" + r1 + " m" + r1 + " v1", "PUT single/k=2 c" + r1 + " m" + r2 + " v2",
                    "DELETE single/k m" + r3 + " c0 v0 ''"), r.events(3));
            r.quiet(QUIET);
        }
    }

    @Test
    void eventResponseHeaderRevisionIsTheWriteRevision() {
        Writes w = writes();
        Recorder r = new Recorder();
        try (Watch.Watcher watcher = watch("hdr/k", WatchOption.builder().withCreateNotify(true).build(), r)) {
            awaitCreated(r);
            long rev = w.put("hdr/k", "1");
            assertEquals(rev, r.response().getHeader().getRevision());
        }
    }

    @Test
    void prefixRangeAndFromKey() {
        Writes w = writes();
        Recorder prefix = new Recorder();
        Recorder range = new Recorder();
        Recorder from = new Recorder();
        try (Watch.Watcher a = watch("pr/b/", WatchOption.builder().isPrefix(true).withCreateNotify(true).build(), prefix);
             Watch.Watcher b = watch("pr/a", WatchOption.builder().withRange(bs("pr/c")).withCreateNotify(true).build(), range);
             Watch.Watcher c = watch("pr/b/2", WatchOption.builder().withRange(FROM_KEY).withCreateNotify(true).build(), from)) {
            awaitCreated(prefix);
            awaitCreated(range);
            awaitCreated(from);
            long r1 = w.put("pr/a", "1");
            long r2 = w.put("pr/b/1", "2");
            long r3 = w.put("pr/b/2", "3");
            long r4 = w.put("pr/c", "4");
            long r5 = w.put("ps", "5");
            assertEquals(List.of("PUT pr/b/1=2 c" + r2 + " m" + r2 + " v1", "PUT pr/b/2=3 c" + r3 + " m" + r3 + " v1"),
                    prefix.events(2));
            assertEquals(List.of("PUT pr/a=1 c" + r1 + " m" + r1 + " v1", "PUT pr/b/1=2 c" + r2 + " m" + r2 + " v1",
                    "PUT pr/b/2=3 c" + r3 + " m" + r3 + " v1"), range.events(3));
            assertEquals(List.of("PUT pr/b/2=3 c" + r3 + " m" + r3 + " v1", "PUT pr/c=4 c" + r4 + " m" + r4 + " v1",
                    "PUT ps=5 c" + r5 + " m" + r5 + " v1"), from.events(3));
            prefix.quiet(QUIET);
            range.quiet(Duration.ZERO);
        }
    }

    @Test
    void revisionReplaysHistoryThenFollowsLiveWrites() {
        Writes w = writes();
        long r1 = w.put("rev/a", "1");
        long r2 = w.put("rev/b", "1");
        long r3 = w.delete("rev/a");
        long r4 = w.put("rev/a", "2");
        Recorder r = new Recorder();
        try (Watch.Watcher watcher = watch("rev/", WatchOption.builder().isPrefix(true).withRevision(r2).build(), r)) {
            assertEquals(List.of("PUT rev/b=1 c" + r2 + " m" + r2 + " v1", "DELETE rev/a m" + r3 + " c0 v0 ''",
                    "PUT rev/a=2 c" + r4 + " m" + r4 + " v1"), r.events(3));
            long r5 = w.put("rev/b", "2");
            assertEquals(List.of("PUT rev/b=2 c" + r2 + " m" + r5 + " v2"), r.events(1));
            r.quiet(QUIET);
        }
        assertTrue(r1 < r2);
    }

    @Test
    void prevKv() {
        Writes w = writes();
        long r0 = w.put("prev/k", "0");
        Recorder r = new Recorder();
        try (Watch.Watcher watcher = watch("prev/k", WatchOption.builder().withPrevKV(true).withCreateNotify(true).build(), r)) {
            awaitCreated(r);
            long r1 = w.put("prev/k", "1");
            long r2 = w.delete("prev/k");
            long r3 = w.put("prev/k", "2");
            assertEquals(List.of("PUT prev/k=1 c" + r0 + " m" + r1 + " v2 prev=0 m" + r0,
                    "DELETE prev/k m" + r2 + " c0 v0 '' prev=1 m" + r1,
                    "PUT prev/k=2 c" + r3 + " m" + r3 + " v1"), r.events(3));
        }
    }

    @Test
    void noPutAndNoDeleteFilters() {
        Writes w = writes();
        Recorder noPut = new Recorder();
        Recorder noDelete = new Recorder();
        try (Watch.Watcher a = watch("filt/", WatchOption.builder().isPrefix(true).withNoPut(true).withCreateNotify(true).build(), noPut);
             Watch.Watcher b = watch("filt/", WatchOption.builder().isPrefix(true).withNoDelete(true).withCreateNotify(true).build(), noDelete)) {
            awaitCreated(noPut);
            awaitCreated(noDelete);
            long r1 = w.put("filt/a", "1");
            long r2 = w.delete("filt/a");
            long r3 = w.put("filt/b", "2");
            long r4 = w.deletePrefix("filt/");
            assertEquals(List.of("DELETE filt/a m" + r2 + " c0 v0 ''", "DELETE filt/b m" + r4 + " c0 v0 ''"), noPut.events(2));
            assertEquals(List.of("PUT filt/a=1 c" + r1 + " m" + r1 + " v1", "PUT filt/b=2 c" + r3 + " m" + r3 + " v1"),
                    noDelete.events(2));
            noPut.quiet(QUIET);
            noDelete.quiet(Duration.ZERO);
        }
    }

    @Test
    void aCompactedRevisionEndsTheWatchWithCompactedException() {
        Writes w = writes();
        long r1 = w.put("cmp/k", "1");
        long r2 = w.put("cmp/k", "2");
        w.compact(r2);
        Recorder r = new Recorder();
        Watch.Watcher watcher = watch("cmp/k", WatchOption.builder().withRevision(r1).build(), r);
        try {
            Object error = r.next();
            CompactedException compacted = assertInstanceOf(CompactedException.class, error);
            assertEquals(r2, compacted.getCompactedRevision());
            assertEquals("completed", r.next());
        } finally {
            watcher.close();
        }
    }

    @Test
    void requestProgressAnswersWithTheCurrentRevision() {
        Writes w = writes();
        Recorder r = new Recorder();
        Watch watch = server.newClient().getWatchClient();
        try (Watch.Watcher watcher = watch.watch(bs("reqprog/k"), WatchOption.builder().withCreateNotify(true).build(), r)) {
            awaitCreated(r);
            long rev = w.put("reqprog/other", "1");
            watch.requestProgress();
            WatchResponse progress = r.response();
            assertTrue(progress.isProgressNotify(), "expected a progress notification");
            assertTrue(progress.getEvents().isEmpty());
            assertEquals(rev, progress.getHeader().getRevision());
        }
    }

    @Test
    void closingAWatcherStopsItsEvents() {
        Writes w = writes();
        Recorder r = new Recorder();
        Watch.Watcher watcher = watch("close/k", WatchOption.builder().withCreateNotify(true).build(), r);
        awaitCreated(r);
        long r1 = w.put("close/k", "1");
        assertEquals(List.of("PUT close/k=1 c" + r1 + " m" + r1 + " v1"), r.events(1));
        watcher.close();
        assertEquals("completed", r.next());
        w.put("close/k", "2");
        r.quiet(QUIET);
    }

    @Test
    void manyWatchersOfOneClientEachSeeEveryEventOnce() {
        Writes w = writes();
        int n = 20;
        List<Recorder> recorders = new ArrayList<>();
        List<Watch.Watcher> watchers = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Recorder r = new Recorder();
                recorders.add(r);
                watchers.add(watch("manyj/", WatchOption.builder().isPrefix(true).withCreateNotify(true).build(), r));
            }
            recorders.forEach(JetcdWatchTest::awaitCreated);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                long rev = w.put("manyj/" + (i % 3), "v" + i);
                expected.add("PUT manyj/" + (i % 3) + "=v" + i + " m" + rev);
            }
            for (Recorder r : recorders) {
                assertEquals(expected, r.events(expected.size()).stream()
                        .map(e -> e.replaceAll(" c\\d+ (m\\d+) v\\d+", " $1")).toList());
            }
            recorders.get(0).quiet(QUIET);
        } finally {
            watchers.forEach(Watch.Watcher::close);
        }
    }
}
