package io.vetcd.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.vetcd.server.testing.Etcdctl;
import io.vetcd.server.testing.ProcessRunner.Result;
import io.vetcd.server.testing.VetcdJar;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Invariant 2 of the architecture, end to end: a write acknowledged by the jar survives {@code kill -9} of
 * the process at any moment, and the restarted member continues at the next revision.
 *
 * <p>8 writer threads put their own keys ({@code w<thread>/r<round>/<n>}, each key written once, the value a
 * function of the key) as fast as they can and record, for each acknowledged put, the revision in its
 * response header. After 1.5-3 s the process is killed ({@code Process.destroyForcibly}, SIGKILL) under that
 * load, restarted on the same data dir (it must serve within a few seconds: no wait on a dead process's
 * segment locks), and the whole key space is checked against everything acknowledged so far. Four such
 * rounds on one data dir, then one round stopped with SIGTERM under load (a graceful stop finishes
 * in-flight writes), then a last restart.
 *
 * <p>The writers use jetcd's generated KV stub ({@code io.etcd.jetcd.api}) on a plain channel rather than
 * jetcd's {@code Client}, which retries failed calls: here each put is sent exactly once, so a successful
 * answer is exactly one acknowledged write.
 */
class CrashRecoveryIT {
    private static final int WRITERS = 8;
    private static final int KILL_ROUNDS = 4;
    /** A restart after kill -9 must serve within this (a 60 s wait on a dead lock holder is the bug). */
    private static final Duration RESTART_LIMIT = Duration.ofSeconds(15);
    private static final String PAD = "0123456789abcdef".repeat(6);

    private VetcdJar jar;
    private Path dataDir;
    private final List<ManagedChannel> channels = new ArrayList<>();

    /** Every acknowledged put so far, over all rounds: key -> revision of its response header. */
    private final Map<String, Long> acked = new ConcurrentHashMap<>();
    /** Per round and writer, how many puts were sent (acknowledged or not): keys 0..sent-1 may exist. */
    private final Map<String, Integer> sent = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp() {
        jar = VetcdJar.create();
        dataDir = jar.dir("data");
    }

    @AfterEach
    void tearDown() {
        for (ManagedChannel c : channels) {
            c.shutdownNow();
        }
        if (jar != null) {
            jar.close();
        }
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void acknowledgedWritesSurviveKillMinus9UnderLoad() throws Exception {
        VetcdJar.Server server = jar.start("start", "--data-dir", dataDir.toString());
        for (int round = 1; round <= KILL_ROUNDS; round++) {
            long loadMillis = ThreadLocalRandom.current().nextLong(1500, 3001);
            Load load = startLoad(server, round);
            Thread.sleep(loadMillis);
            load.killed.set(true);
            server.kill();
            load.finish();
            assertTrue(load.acknowledged.get() > 0, "round " + round + ": no put was acknowledged in "
                    + loadMillis + " ms:\n" + load.errors + "\n" + server.log());

            server = restart("after-kill-" + round);
            verify(server, "after kill -9 #" + round + " (" + load.acknowledged.get() + " puts acknowledged in "
                    + loadMillis + " ms, " + acked.size() + " in all)");
        }

        // a graceful stop under load: SIGTERM finishes what is in flight and closes the maps
        Load load = startLoad(server, KILL_ROUNDS + 1);
        Thread.sleep(1500);
        load.killed.set(true);
        int exit = server.stop();
        assertTrue(exit == 0 || exit == 143, "exit code after SIGTERM: " + exit + "\n" + server.log());
        load.finish();
        assertTrue(load.acknowledged.get() > 0, "no put acknowledged before SIGTERM:\n" + load.errors);
        server = restart("after-sigterm");
        verify(server, "after SIGTERM under load");

        // and a clean stop with nothing in flight, then a last start
        server.stop();
        server = restart("after-clean-stop");
        verify(server, "after a clean stop");
        server.stop();
    }

    /**
     * Deletes, a txn and a compaction are acknowledged writes too: killed right after the compaction's answer,
     * the restarted member has the deleted keys gone, the compaction point kept (a read below it fails as
     * etcd's does) and the history above it intact.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void deletesAndCompactionSurviveKillMinus9() {
        VetcdJar.Server server = jar.start("before-kill", "--data-dir", dataDir.toString());
        Etcdctl c = new Etcdctl(server.endpoint());
        for (int i = 0; i < 10; i++) {
            ok(c, "put", "k" + i, "v" + i);                         // revisions 2..11
        }
        assertEquals("5\n", ok(c, "del", "k0", "k5").stdout()); // 12
        ok(c, "put", "k9", "v9b");                                   // 13
        Result txn = c.runWithInput("\ndel k6\nput k7 v7b\n\n\n", "txn", "-i"); // 14
        assertEquals(0, txn.exitCode(), txn.toString());
        assertTrue(txn.stdout().endsWith("SUCCESS\n\n1\n\nOK\n"), txn.stdout());
        assertEquals("compacted revision 13\n", ok(c, "compaction", "13").stdout());
        String before = ok(c, "get", "k", "--prefix", "-w", "json").stdout();
        String hash = ok(c, "endpoint", "hashkv", "-w", "json").stdout();
        server.kill();

        server = restart("after-kill");
        c = new Etcdctl(server.endpoint());
        String after = ok(c, "get", "k", "--prefix", "-w", "json").stdout();
        assertEquals(kvsOf(before), kvsOf(after), "keys after kill -9");
        assertTrue(after.contains("\"revision\":14"), after);
        assertEquals("k5\nv5\nk7\nv7b\nk8\nv8\nk9\nv9b\n", ok(c, "get", "k", "--prefix").stdout());
        Result compacted = c.run("get", "k9", "--rev", "12");
        assertEquals(1, compacted.exitCode(), compacted.toString());
        assertTrue(compacted.stderr().endsWith("Error: etcdserver: mvcc: required revision has been compacted\n"),
                compacted.toString());
        assertEquals("k9\nv9b\n", ok(c, "get", "k9", "--rev", "13").stdout());
        String hashAfter = ok(c, "endpoint", "hashkv", "-w", "json").stdout();
        assertEquals(hashOf(hash), hashOf(hashAfter), "hashkv after kill -9: " + hash + " vs " + hashAfter);
        assertTrue(hashAfter.contains("\"compact_revision\":13"), hashAfter);
        assertTrue(ok(c, "put", "next", "1", "-w", "json").stdout().contains("\"revision\":15"));
        server.stop();
    }

    private static Result ok(Etcdctl c, String... args) {
        Result r = c.run(args);
        assertEquals(0, r.exitCode(), () -> "etcdctl " + String.join(" ", args) + ": " + r);
        return r;
    }

    private static String kvsOf(String json) {
        int at = json.indexOf("\"kvs\":");
        return at < 0 ? "(no kvs) " + json : json.substring(at);
    }

    private static String hashOf(String json) {
        int at = json.indexOf("\"hash\":");
        return at < 0 ? "(no hash) " + json : json.substring(at, json.indexOf(',', at));
    }

    // ---- load ----

    private final class Load {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicBoolean killed = new AtomicBoolean();
        final AtomicInteger acknowledged = new AtomicInteger();
        final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        final List<Thread> threads = new ArrayList<>();
        ManagedChannel channel;

        /** Called after the process was killed or stopped: the writers end; an error before that fails. */
        void finish() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(20));
                assertTrue(!t.isAlive(), "writer " + t.getName() + " still running 20 s after the server went away");
            }
            channel.shutdownNow();
            List<String> early = errors.stream().filter(e -> e.startsWith("BEFORE")).toList();
            assertEquals(List.of(), early, "puts failed while the server was up");
        }
    }

    private Load startLoad(VetcdJar.Server server, int round) {
        Load load = new Load();
        load.channel = channel(server);
        KVGrpc.KVBlockingStub stub = KVGrpc.newBlockingStub(load.channel);
        for (int w = 0; w < WRITERS; w++) {
            String prefix = "w" + w + "/r" + round + "/";
            Thread t = new Thread(() -> {
                int n = 0;
                while (!load.stop.get()) {
                    String key = prefix + n;
                    sent.put(prefix, n + 1);
                    n++;
                    try {
                        PutResponse r = stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                                .put(PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes(valueOf(key))).build());
                        acked.put(key, r.getHeader().getRevision());
                        load.acknowledged.incrementAndGet();
                    } catch (StatusRuntimeException e) {
                        // after the kill every put fails; before it, none may
                        load.errors.add((load.killed.get() ? "AFTER " : "BEFORE ") + key + ": " + e.getStatus());
                        if (load.killed.get() || load.stop.get()) {
                            return;
                        }
                        sleep(20); // not yet killed: keep going, the failure is reported by finish()
                    }
                }
            }, "writer-" + w);
            t.setDaemon(true);
            load.threads.add(t);
        }
        load.threads.forEach(Thread::start);
        return load;
    }

    // ---- restart and check ----

    private VetcdJar.Server restart(String label) {
        long t0 = System.nanoTime();
        VetcdJar.Server s = jar.launch(label, "--data-dir", dataDir.toString());
        jar.awaitServing(s, true, Duration.ofSeconds(30));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        System.out.printf("CrashRecoveryIT: %s: serving after %d ms, %d puts acknowledged so far%n", label,
                took.toMillis(), acked.size());
        assertTrue(took.compareTo(RESTART_LIMIT) <= 0, label + ": the restart took " + took.toMillis()
                + " ms to serve /health (limit " + RESTART_LIMIT.toSeconds() + " s):\n" + s.log());
        return s;
    }

    private void verify(VetcdJar.Server server, String when) {
        ManagedChannel channel = channel(server);
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
        long headerRevision = 0;
        Map<String, KeyValue> present = new HashMap<>();
        // the whole key space, in pages
        ByteString from = bytes("\0");
        while (true) {
            RangeResponse r = kv.withDeadlineAfter(20, TimeUnit.SECONDS).range(RangeRequest.newBuilder()
                    .setKey(from).setRangeEnd(bytes("\0")).setLimit(2000).build());
            if (headerRevision == 0) {
                headerRevision = r.getHeader().getRevision();
            }
            for (KeyValue x : r.getKvsList()) {
                present.put(x.getKey().toStringUtf8(), x);
            }
            if (!r.getMore() || r.getKvsCount() == 0) {
                break;
            }
            from = r.getKvs(r.getKvsCount() - 1).getKey().concat(ByteString.copyFrom(new byte[] {0}));
        }

        // every acknowledged put is there, with its value and the revision its answer reported
        List<String> problems = new ArrayList<>();
        long maxAcked = 0;
        for (Map.Entry<String, Long> e : acked.entrySet()) {
            String key = e.getKey();
            long revision = e.getValue();
            maxAcked = Math.max(maxAcked, revision);
            KeyValue x = present.get(key);
            if (x == null) {
                problems.add("lost: " + key + " (acknowledged at revision " + revision + ")");
            } else if (x.getModRevision() != revision || x.getCreateRevision() != revision || x.getVersion() != 1) {
                problems.add(key + ": acknowledged at revision " + revision + ", now mod " + x.getModRevision()
                        + " create " + x.getCreateRevision() + " version " + x.getVersion());
            }
        }
        // nothing is there that was not sent, every value is whole, and no two puts share a revision
        Set<Long> revisions = new HashSet<>();
        long maxPresent = 0;
        for (KeyValue x : present.values()) {
            String key = x.getKey().toStringUtf8();
            if (!wasSent(key)) {
                problems.add("never written: " + key);
            } else if (!x.getValue().toStringUtf8().equals(valueOf(key))) {
                problems.add(key + ": value " + abbreviate(x.getValue().toStringUtf8()));
            }
            if (!revisions.add(x.getModRevision())) {
                problems.add(key + ": mod revision " + x.getModRevision() + " shared with another key");
            }
            maxPresent = Math.max(maxPresent, x.getModRevision());
        }
        if (!problems.isEmpty()) {
            problems.sort(null);
            fail(when + ": " + problems.size() + " problems, e.g. " + problems.subList(0, Math.min(20, problems.size()))
                    + "\n" + server.log());
        }
        assertTrue(headerRevision >= maxAcked, when + ": header revision " + headerRevision
                + " is below the highest acknowledged revision " + maxAcked);
        assertTrue(headerRevision >= maxPresent, when + ": header revision " + headerRevision
                + " is below a key's mod revision " + maxPresent);

        // the next write continues the history: one revision above everything before it
        String probe = "probe/" + acked.size() + "/" + System.nanoTime();
        PutResponse put = kv.withDeadlineAfter(10, TimeUnit.SECONDS)
                .put(PutRequest.newBuilder().setKey(bytes(probe)).setValue(bytes(valueOf(probe))).build());
        long next = put.getHeader().getRevision();
        assertTrue(next > maxAcked, when + ": the next put got revision " + next + ", not above the acknowledged "
                + maxAcked);
        assertEquals(headerRevision + 1, next, when + ": the next put's revision after header revision "
                + headerRevision);
        acked.put(probe, next);
        channel.shutdownNow();
    }

    /** {@code w<i>/r<round>/<n>} with n below what writer i sent in that round, or a probe key. */
    private boolean wasSent(String key) {
        if (key.startsWith("probe/")) {
            return acked.containsKey(key);
        }
        int slash = key.lastIndexOf('/');
        if (slash < 0) {
            return false;
        }
        Integer count = sent.get(key.substring(0, slash + 1));
        try {
            return count != null && Integer.parseInt(key.substring(slash + 1)) < count;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    // ---- helpers ----

    private ManagedChannel channel(VetcdJar.Server server) {
        ManagedChannel c = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
        channels.add(c);
        return c;
    }

    private static String valueOf(String key) {
        return key + "=" + PAD;
    }

    private static ByteString bytes(String s) {
        return ByteString.copyFrom(s, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "... (" + s.length() + " chars)" : s;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
