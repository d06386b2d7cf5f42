package io.vetcd.server.watch;

import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.watch.WatchStream.b;
import static io.vetcd.server.watch.WatchStream.s;
import static io.vetcd.server.watch.WatchStream.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.DeleteResponse;
import io.grpc.ManagedChannel;
import io.vetcd.proto.etcdserverpb.WatchCreateRequest;
import io.vetcd.proto.etcdserverpb.WatchResponse;
import io.vetcd.proto.mvccpb.Event;
import io.vetcd.server.testing.Jetcd;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Writers, watchers joining at past revisions while they write, and deliberately slow consumers, end to
 * end over gRPC: every watcher must get exactly the events of its range from its start revision on, each
 * once, in revision order, a revision's events never spread over two responses, the created response
 * first. The slow consumers read through grpc-java's manual flow control on channels with a fixed 64 kB
 * HTTP/2 window, so the server meets real back-pressure (one of them reads nothing until the writers are
 * done: several MB behind). The truth is what the writers' own responses say they did.
 */
class WatchConcurrencyTest {
    @RegisterExtension
    static final WatchServer server = new WatchServer();

    private static final String PREFIX = "conc/";
    private static final int KEYS = 16;
    private static final int WRITERS = 4;
    private static final int OPS_PER_WRITER = 250;
    private static final String PADDING = "p".repeat(4000);

    /** One write that made an event: what every watcher covering its key from its revision must see. */
    record Op(long revision, boolean put, String key, String marker) {
        String render() {
            return (put ? "PUT " + key + "=" + marker : "DELETE " + key) + "@" + revision;
        }
    }

    /** One watcher: its range, start, and what it got. */
    static final class Watch {
        final long id;
        final String from;
        final String to; // exclusive; null = the single key
        final long start;
        final String label;
        final List<WatchResponse> responses = new CopyOnWriteArrayList<>();
        final AtomicLong events = new AtomicLong();

        Watch(long id, String from, String to, long start, String label) {
            this.id = id;
            this.from = from;
            this.to = to;
            this.start = start;
            this.label = label;
        }

        boolean covers(String key) {
            return to == null ? key.equals(from) : key.compareTo(from) >= 0 && key.compareTo(to) < 0;
        }

        WatchCreateRequest.Builder request() {
            WatchCreateRequest.Builder c = WatchCreateRequest.newBuilder().setKey(b(from)).setStartRevision(start)
                    .setWatchId(id);
            if (to != null) {
                c.setRangeEnd(b(to));
            }
            return c;
        }

        @Override
        public String toString() {
            return label + " #" + id + " [" + from + ", " + to + ") from r" + start;
        }
    }

    /** Reads one stream on its own thread and files responses by watch id; slow ones ask for one at a time. */
    static final class Reader {
        final WatchStream stream;
        final Map<Long, Watch> watches = new ConcurrentHashMap<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread thread;

        Reader(WatchStream stream, boolean manual, long delayMillis, CountDownLatch holdUntil) {
            this.stream = stream;
            this.thread = new Thread(() -> {
                try {
                    if (holdUntil != null) {
                        holdUntil.await();
                    }
                    while (!stop.get()) {
                        if (manual) {
                            stream.request(1);
                        }
                        WatchResponse r = stream.maybeNext(Duration.ofMillis(200));
                        if (r == null) {
                            continue;
                        }
                        Watch w = watches.get(r.getWatchId());
                        if (w == null) {
                            throw new AssertionError("a response for an unknown watch: " + text(r));
                        }
                        w.responses.add(r);
                        w.events.addAndGet(r.getEventsCount());
                        if (delayMillis > 0) {
                            Thread.sleep(delayMillis);
                        }
                    }
                } catch (InterruptedException e) {
                    // stopped
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "watch-reader");
            thread.setDaemon(true);
        }

        void add(Watch w) {
            watches.put(w.id, w);
            stream.create(w.request());
        }
    }

    @Test
    @Timeout(90)
    void writersJoinersAndSlowReadersSeeEveryEventExactlyOnceInOrder() throws Exception {
        Writes writes = new Writes(server.kv());
        long base = writes.currentRevision();
        List<Op> ops = Collections.synchronizedList(new ArrayList<>());
        List<Watch> all = new CopyOnWriteArrayList<>();
        List<Reader> readers = new CopyOnWriteArrayList<>();
        CountDownLatch writersDone = new CountDownLatch(WRITERS);
        AtomicLong nextId = new AtomicLong(100);

        // before the writes: a normal reader, a trickling slow one and one that reads nothing until the end
        Reader fast = new Reader(WatchStream.open(server.newChannel()), false, 0, null);
        ManagedChannel slowChannel = server.newSmallWindowChannel(64 * 1024);
        Reader trickle = new Reader(WatchStream.openManual(slowChannel), true, 2, null);
        Reader stalled = new Reader(WatchStream.openManual(server.newSmallWindowChannel(64 * 1024)), true, 0, writersDone);
        for (Reader r : List.of(fast, trickle, stalled)) {
            readers.add(r);
            Watch everything = new Watch(nextId.getAndIncrement(), PREFIX, PREFIX.substring(0, 4) + "0", base + 1,
                    r == fast ? "fast" : r == trickle ? "trickle" : "stalled");
            Watch part = new Watch(nextId.getAndIncrement(), key(3), key(9), base + 1, everything.label + "-part");
            all.add(everything);
            all.add(part);
            r.add(everything);
            r.add(part);
            r.thread.start();
        }

        // writers
        List<Thread> writers = new ArrayList<>();
        AtomicReference<Throwable> writeFailure = new AtomicReference<>();
        for (int t = 0; t < WRITERS; t++) {
            int writer = t;
            Client client = server.newClient();
            Thread thread = new Thread(() -> {
                Random random = new Random(writer);
                try {
                    for (int i = 0; i < OPS_PER_WRITER; i++) {
                        String key = key(random.nextInt(KEYS));
                        if (random.nextInt(100) < 85) {
                            String marker = "w" + writer + "-" + i;
                            long rev = Jetcd.await(client.getKVClient().put(bs(key), bs(marker + "|" + PADDING)))
                                    .getHeader().getRevision();
                            ops.add(new Op(rev, true, key, marker));
                        } else {
                            DeleteResponse d = Jetcd.await(client.getKVClient().delete(bs(key)));
                            if (d.getDeleted() > 0) {
                                ops.add(new Op(d.getHeader().getRevision(), false, key, null));
                            }
                        }
                    }
                } catch (Throwable e) {
                    writeFailure.set(e);
                } finally {
                    writersDone.countDown();
                }
            }, "writer-" + writer);
            writers.add(thread);
            thread.start();
        }

        // joiners: while the writes go on, watchers start at past revisions, on new streams (some slow) and
        // on the fast reader's stream
        Random random = new Random(7);
        int joined = 0;
        while (writersDone.getCount() > 0 || joined < 4) {
            Thread.sleep(60);
            long now = writes.currentRevision();
            long start = base + 1 + (long) random.nextInt((int) Math.max(1, now - base));
            String label = "joiner-" + joined + "@" + now;
            Watch w = switch (joined % 3) {
                case 0 -> new Watch(nextId.getAndIncrement(), PREFIX, PREFIX.substring(0, 4) + "0", start, label);
                case 1 -> new Watch(nextId.getAndIncrement(), key(random.nextInt(KEYS)), null, start, label);
                default -> {
                    int a = random.nextInt(KEYS - 1);
                    yield new Watch(nextId.getAndIncrement(), key(a), key(a + 1 + random.nextInt(KEYS - a - 1)), start, label);
                }
            };
            all.add(w);
            Reader target;
            if (joined % 4 == 3) {
                target = fast;
            } else {
                boolean slow = joined % 2 == 0;
                target = slow ? new Reader(WatchStream.openManual(slowChannel), true, 1, null)
                        : new Reader(WatchStream.open(server.channel()), false, 0, null);
                readers.add(target);
                target.thread.start();
            }
            target.add(w);
            joined++;
        }
        for (Thread t : writers) {
            t.join();
        }
        if (writeFailure.get() != null) {
            throw new AssertionError("a writer failed", writeFailure.get());
        }
        long end = writes.currentRevision();
        List<Op> history = new ArrayList<>(ops);
        history.sort((x, y) -> Long.compare(x.revision, y.revision));
        for (int i = 0; i < history.size(); i++) {
            assertEquals(base + 1 + i, history.get(i).revision, "the writers' revisions have a gap or a repeat");
        }
        assertEquals(end, history.get(history.size() - 1).revision);

        // wait for everyone to catch up (the stalled reader starts reading only now)
        awaitAndCheck(all, history, readers);
    }

    /**
     * More watchers on one stream than its queue holds (etcd's 128 responses): the stream is overloaded and
     * serves its watchers in turn, each catching up with what it missed in one response; still every event
     * once, in order, on a stream read one response at a time.
     *
     * <p>The reader reads nothing until all 150 puts are made, so the overload does not depend on how fast
     * this machine reads: at most the 64 kB window and the stream's queue (a thousand-odd responses of one
     * event) leave before the stream is full, and the other ~14,000 events can only come as catch-ups. (A
     * reader running during the puts kept up on a fast machine, and then one event per response is right.)
     */
    @Test
    @Timeout(90)
    void anOverloadedStreamServesItsWatchersInTurnEveryEventOnceInOrder() throws Exception {
        Writes writes = new Writes(server.kv());
        long base = writes.currentRevision();
        CountDownLatch putsDone = new CountDownLatch(1);
        Reader reader = new Reader(WatchStream.openManual(server.newSmallWindowChannel(64 * 1024)), true, 0, putsDone);
        List<Watch> all = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Watch w = new Watch(10_000 + i, key(i % 3), null, base + 1, "crowd-" + i);
            all.add(w);
            reader.add(w);
        }
        reader.thread.start();
        List<Op> history = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            String key = key(i % 3);
            history.add(new Op(writes.put(key, "o" + i), true, key, "o" + i));
        }
        putsDone.countDown();
        awaitAndCheck(all, history, List.of(reader));
        long events = all.stream().mapToLong(w -> w.events.get()).sum();
        long eventResponses = all.stream().flatMap(w -> w.responses.stream()).filter(r -> r.getEventsCount() > 0).count();
        assertEquals(300 * 50, events);
        System.out.printf("WatchConcurrencyTest: overloaded stream: %d events in %d responses%n", events, eventResponses);
        assertTrue(eventResponses < events / 2, eventResponses + " responses for " + events
                + " events: the watchers that fell behind should catch up several events at a time");
    }

    /**
     * Waits until every watch has the events {@code history} says it should, then checks each got exactly
     * those, once, in order; stops the readers.
     */
    private static void awaitAndCheck(List<Watch> all, List<Op> history, List<Reader> readers) throws Exception {
        long base = history.get(0).revision - 1;
        long end = history.get(history.size() - 1).revision;
        long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        for (Watch w : all) {
            long expected = history.stream().filter(o -> o.revision >= w.start && w.covers(o.key)).count();
            while (w.events.get() < expected && System.nanoTime() < deadline) {
                for (Reader r : readers) {
                    if (r.failure.get() != null) {
                        throw new AssertionError("a reader failed", r.failure.get());
                    }
                }
                Thread.sleep(20);
            }
        }
        Thread.sleep(300); // anything extra would show up now
        for (Reader r : readers) {
            r.stop.set(true);
        }
        for (Reader r : readers) {
            r.thread.join(5000);
            if (r.failure.get() != null) {
                throw new AssertionError("a reader failed", r.failure.get());
            }
        }

        System.out.printf("WatchConcurrencyTest: %d writes (r%d..r%d), %d watchers on %d streams, %d events delivered%n",
                history.size(), base + 1, end, all.size(), readers.size(),
                all.stream().mapToLong(w -> w.events.get()).sum());
        StringBuilder problems = new StringBuilder();
        for (Watch w : all) {
            List<String> expected = history.stream().filter(o -> o.revision >= w.start && w.covers(o.key))
                    .map(Op::render).toList();
            String problem = check(w, expected);
            if (problem != null) {
                problems.append("\n").append(w).append(": ").append(problem);
            }
        }
        if (problems.length() > 0) {
            fail(history.size() + " writes (r" + (base + 1) + "..r" + end + "), " + all.size() + " watchers; wrong:" + problems);
        }
    }

    /** What is wrong with what {@code w} received, or null. */
    private static String check(Watch w, List<String> expected) {
        List<WatchResponse> responses = new ArrayList<>(w.responses);
        if (responses.isEmpty() || !responses.get(0).getCreated()) {
            return "the first response is not the created response: "
                    + (responses.isEmpty() ? "none" : text(responses.get(0)));
        }
        if (responses.get(0).getCanceled()) {
            return "created and canceled: " + text(responses.get(0));
        }
        List<String> got = new ArrayList<>();
        long last = 0;
        for (WatchResponse r : responses.subList(1, responses.size())) {
            if (r.getCreated() || r.getCanceled() || r.getCompactRevision() != 0) {
                return "unexpected response " + text(r);
            }
            if (r.getEventsCount() == 0) {
                continue; // a progress notification would be allowed
            }
            long first = r.getEvents(0).getKv().getModRevision();
            if (first <= last) {
                return "a response starts at r" + first + " after one that reached r" + last
                        + " (a revision split over two responses, or going back)";
            }
            long prev = first;
            for (Event e : r.getEventsList()) {
                long rev = e.getKv().getModRevision();
                if (rev < prev) {
                    return "revisions go back inside a response: r" + rev + " after r" + prev;
                }
                prev = rev;
                String key = s(e.getKv().getKey());
                got.add(e.getType() == Event.EventType.PUT
                        ? "PUT " + key + "=" + s(e.getKv().getValue()).split("\\|")[0] + "@" + rev
                        : "DELETE " + key + "@" + rev);
            }
            last = prev;
            if (r.getHeader().getRevision() < last) {
                return "header revision " + r.getHeader().getRevision() + " below its last event r" + last;
            }
        }
        if (got.equals(expected)) {
            return null;
        }
        int i = 0;
        while (i < got.size() && i < expected.size() && got.get(i).equals(expected.get(i))) {
            i++;
        }
        return "got " + got.size() + " events, expected " + expected.size() + "; first difference at #" + i
                + ": got " + (i < got.size() ? got.get(i) : "nothing") + ", expected "
                + (i < expected.size() ? expected.get(i) : "nothing");
    }

    private static String key(int i) {
        return PREFIX + String.format("%02d", i);
    }
}
