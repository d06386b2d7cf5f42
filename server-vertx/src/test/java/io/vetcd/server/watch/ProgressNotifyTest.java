package io.vetcd.server.watch;

import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.watch.WatchStream.key;
import static io.vetcd.server.watch.WatchStream.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.vetcd.proto.etcdserverpb.WatchResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code progress_notify} watchers with {@code --experimental-watch-progress-notify-interval} set low
 * (vetcd: {@code ServerConfig.withWatchProgressNotifyInterval}): a quiet watcher that asked for them gets
 * empty responses with its id and the current revision; one that did not ask gets nothing.
 */
class ProgressNotifyTest {
    private static final Duration INTERVAL = Duration.ofMillis(250);

    @RegisterExtension
    static final WatchServer server = new WatchServer(INTERVAL);

    @Test
    void aQuietWatcherThatAskedGetsPeriodicProgressWithTheCurrentRevision() {
        Writes w = new Writes(server.kv());
        WatchStream stream = server.stream();
        long rev = w.put("pn/other", "1");
        long notifying = stream.createAndAwait(key("pn/k").setProgressNotify(true).setWatchId(3)).getWatchId();
        long silent = stream.createAndAwait(key("pn/k2")).getWatchId();
        // over ~6 intervals: only the notifying watcher hears anything, each time an empty response
        List<WatchResponse> got = collect(stream, INTERVAL.multipliedBy(6));
        assertTrue(got.size() >= 2, () -> "expected at least 2 progress notifications in 6 intervals, got " + got.size());
        for (WatchResponse r : got) {
            assertEquals("header { revision: " + rev + " } watch_id: " + notifying, text(r));
        }
        // the revision moves on with writes the watcher does not see
        long rev2 = w.put("pn/other", "2");
        // (one sent just before the write may still be on its way with the old revision)
        long deadline = System.nanoTime() + INTERVAL.multipliedBy(8).toNanos();
        while (true) {
            WatchResponse later = stream.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (later.getHeader().getRevision() == rev) {
                assertEquals("header { revision: " + rev + " } watch_id: " + notifying, text(later));
                continue;
            }
            assertEquals("header { revision: " + rev2 + " } watch_id: " + notifying, text(later));
            break;
        }
        assertTrue(silent != notifying);
    }

    @Test
    void jetcdDeliversThemAsProgressNotifications() {
        Writes w = new Writes(server.kv());
        long rev = w.put("pnj/other", "1");
        LinkedBlockingQueue<io.etcd.jetcd.watch.WatchResponse> seen = new LinkedBlockingQueue<>();
        try (Watch.Watcher watcher = server.client().getWatchClient().watch(bs("pnj/k"),
                WatchOption.builder().withProgressNotify(true).build(), seen::add)) {
            io.etcd.jetcd.watch.WatchResponse r = seen.poll(INTERVAL.multipliedBy(10).toMillis(), TimeUnit.MILLISECONDS);
            if (r == null) {
                fail("no progress notification within 10 intervals");
            }
            assertTrue(r.isProgressNotify());
            assertTrue(r.getEvents().isEmpty());
            assertTrue(r.getHeader().getRevision() >= rev);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static List<WatchResponse> collect(WatchStream stream, Duration duration) {
        List<WatchResponse> out = new ArrayList<>();
        long deadline = System.nanoTime() + duration.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return out;
            }
            WatchResponse r = stream.maybeNext(Duration.ofNanos(left));
            if (r != null) {
                out.add(r);
            }
        }
    }
}
