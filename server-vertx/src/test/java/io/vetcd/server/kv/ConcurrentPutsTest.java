package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static io.vetcd.server.testing.Jetcd.currentRevision;
import static io.vetcd.server.testing.Jetcd.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Many concurrent puts from several jetcd clients (each its own connection), many of them to the same
 * keys. etcd serializes writes: every acknowledged put has its own revision, together they are exactly
 * revisions 2..N+1 of a fresh server, and each key ends with one version per put and the revisions of its
 * first and last put. Meanwhile a reader sees the revision only go forward.
 */
class ConcurrentPutsTest {
    private static final int CLIENTS = 4;
    private static final int PUTS_PER_CLIENT = 300;
    private static final int IN_FLIGHT_PER_CLIENT = 32;
    private static final int KEYS = 40;

    private KvServerFixture server;

    @BeforeEach
    void start() {
        server = KvServerFixture.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private record Ack(String key, String value, long revision) {}

    @Test
    void everyAcknowledgedPutHasItsOwnRevision() throws Exception {
        assertEquals(1, currentRevision(server.kv()), "a fresh server is at revision 1");

        // a reader polling while the writers run: linearizable reads never go back in time
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<String> readerProblem = new AtomicReference<>();
        KV readerKv = server.newClient().getKVClient();
        Thread reader = new Thread(() -> {
            long last = 0;
            try {
                while (writing.get() && readerProblem.get() == null) {
                    long rev = await(readerKv.get(bs("c/0"))).getHeader().getRevision();
                    if (rev < last) {
                        readerProblem.set("revision went back from " + last + " to " + rev);
                    }
                    last = rev;
                }
            } catch (Throwable t) {
                readerProblem.set("read failed: " + t);
            }
        }, "reader");
        reader.start();

        List<Ack> acks = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<?>> all = new ArrayList<>();
        List<Thread> writers = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            Client client = server.newClient();
            int clientNo = c;
            Thread writer = new Thread(() -> {
                KV kv = client.getKVClient();
                Semaphore inFlight = new Semaphore(IN_FLIGHT_PER_CLIENT);
                for (int i = 0; i < PUTS_PER_CLIENT; i++) {
                    String key = "c/" + ((clientNo * 7 + i) % KEYS);
                    String value = clientNo + ":" + i;
                    inFlight.acquireUninterruptibly();
                    CompletableFuture<Void> recorded = kv.put(bs(key), bs(value))
                            .whenComplete((r, e) -> inFlight.release())
                            .thenAccept(r -> acks.add(new Ack(key, value, r.getHeader().getRevision())));
                    synchronized (all) {
                        all.add(recorded);
                    }
                }
            }, "writer-" + c);
            writers.add(writer);
            writer.start();
        }
        for (Thread w : writers) {
            w.join();
        }
        List<CompletableFuture<?>> calls;
        synchronized (all) {
            calls = new ArrayList<>(all);
        }
        for (CompletableFuture<?> call : calls) {
            await(call); // every put must succeed
        }
        writing.set(false);
        reader.join();

        int puts = CLIENTS * PUTS_PER_CLIENT;
        assertEquals(puts, acks.size(), "acknowledged puts");
        assertEquals(null, readerProblem.get());

        TreeSet<Long> revisions = new TreeSet<>();
        for (Ack ack : acks) {
            assertTrue(revisions.add(ack.revision()), "revision " + ack.revision() + " acknowledged twice");
        }
        assertEquals(2L, revisions.first());
        assertEquals(1L + puts, revisions.last());
        assertEquals(1L + puts, currentRevision(server.kv()), "final revision = 1 + number of puts");

        Map<String, List<Ack>> byKey = new HashMap<>();
        for (Ack ack : acks) {
            byKey.computeIfAbsent(ack.key(), k -> new ArrayList<>()).add(ack);
        }
        List<KeyValue> kvs = await(server.kv().get(bs("c/"), GetOption.builder().isPrefix(true).build())).getKvs();
        assertEquals(KEYS, kvs.size());
        for (KeyValue kv : kvs) {
            List<Ack> history = byKey.get(str(kv.getKey()));
            history.sort((a, b) -> Long.compare(a.revision(), b.revision()));
            Ack firstPut = history.get(0);
            Ack lastPut = history.get(history.size() - 1);
            assertEquals(history.size(), kv.getVersion(), "version of " + str(kv.getKey()));
            assertEquals(firstPut.revision(), kv.getCreateRevision(), "create revision of " + str(kv.getKey()));
            assertEquals(lastPut.revision(), kv.getModRevision(), "mod revision of " + str(kv.getKey()));
            assertEquals(lastPut.value(), str(kv.getValue()), "the last acknowledged put wins");
        }
    }
}
