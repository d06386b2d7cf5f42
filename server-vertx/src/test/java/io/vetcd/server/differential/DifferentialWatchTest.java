package io.vetcd.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.vetcd.proto.etcdserverpb.CompactionRequest;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import io.vetcd.proto.etcdserverpb.WatchCreateRequest;
import io.vetcd.proto.etcdserverpb.WatchResponse;
import io.vetcd.proto.mvccpb.Event;
import io.vetcd.server.ServerConfig;
import io.vetcd.server.VetcdServer;
import io.vetcd.server.testing.RealEtcd;
import io.vetcd.server.watch.WatchStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Watch event streams of random workloads, etcd against vetcd: the same watchers (one key, a range, a
 * prefix, from-key, everything; NOPUT, NODELETE, prev_kv; client-chosen ids) on one stream per server, the
 * same random puts, deletes and transactions ({@link RandomOps}) against both, then watchers joining at past
 * revisions, a progress request, and start revisions at and below a compaction. Both servers start fresh,
 * so revisions match. Compared per watcher: the live watchers' responses exactly (one per revision, header
 * revision included, cluster and member ids aside); the joiners' events grouped by revision (how many
 * revisions one catch-up response holds is etcd's batching, not contract), with vetcd's responses checked
 * never to split a revision or go back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DifferentialWatchTest {
    private static final int STEPS = 150;
    private static final Duration QUIET = Duration.ofMillis(400);

    /**
     * {@code -Dvetcd.watch.diff.selfCheck=true}: a second real etcd in vetcd's place, to check that this
     * test compares only what is deterministic (etcd against etcd must pass).
     */
    private static final boolean SELF_CHECK = Boolean.getBoolean("vetcd.watch.diff.selfCheck");

    private RealEtcd etcd;
    private RealEtcd secondEtcd;
    private VetcdServer vetcd;
    private Side reference;
    private Side candidate;

    /** One server: a channel, its KV calls. */
    private record Side(String name, ManagedChannel channel, RawKv kv) {
        static Side connect(String name, int port) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                    .maxInboundMessageSize(64 * 1024 * 1024).build();
            return new Side(name, ch, new RawKv(ch, 20));
        }
    }

    @BeforeAll
    void start() {
        etcd = RealEtcd.start();
        try {
            if (SELF_CHECK) {
                secondEtcd = RealEtcd.start();
            } else {
                vetcd = VetcdServer.start(ServerConfig.inMemoryOnFreePort());
            }
        } catch (RuntimeException e) {
            etcd.close();
            throw e;
        }
        reference = Side.connect("etcd", etcd.port());
        candidate = Side.connect("vetcd", SELF_CHECK ? secondEtcd.port() : vetcd.port());
    }

    @AfterAll
    void stop() {
        for (Side s : new Side[] {reference, candidate}) {
            if (s != null) {
                s.channel().shutdownNow();
            }
        }
        if (vetcd != null) {
            vetcd.close();
        }
        if (secondEtcd != null) {
            secondEtcd.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3, 77, 2024})
    void randomWorkloadGivesTheSameEventStreams(long seed) {
        String p = "s" + seed + "/";
        List<WatchCreateRequest> live = List.of(
                create(10, p, prefixEnd(p), 0, false),
                create(11, p + "a", "", 0, true),
                create(12, p + "b", p + "c", 0, false),
                create(13, p + "c", "\0", 0, false),
                create(14, "", "\0", 0, false),
                create(15, p, prefixEnd(p), 0, false).toBuilder().addFilters(WatchCreateRequest.FilterType.NOPUT).build(),
                create(16, p, prefixEnd(p), 0, true).toBuilder().addFilters(WatchCreateRequest.FilterType.NODELETE).build(),
                create(0, p + "b", prefixEnd(p + "b"), 0, true)); // auto id: 0
        WatchStream etcdStream = WatchStream.open(reference.channel());
        WatchStream vetcdStream = WatchStream.open(candidate.channel());
        try {
            StringBuilder problems = new StringBuilder();
            // created responses, in order
            for (WatchCreateRequest c : live) {
                etcdStream.create(c.toBuilder());
                vetcdStream.create(c.toBuilder());
                same("created " + WatchStream.text(c), WatchStream.text(etcdStream.next()),
                        WatchStream.text(vetcdStream.next()), problems);
            }
            RandomOps ops = new RandomOps(seed, p);
            Random random = new Random(seed);
            long firstRevision = revision(reference);
            List<WatchCreateRequest> joiners = new ArrayList<>();
            for (int i = 1; i <= STEPS; i++) {
                Message request = ops.next();
                if (request instanceof RangeRequest || request instanceof CompactionRequest) {
                    continue; // no events; compaction comes last, on its own
                }
                String step = "seed " + seed + " step " + i + ": " + request.getDescriptorForType().getName() + " "
                        + TextFormat.printer().shortDebugString(request);
                String a = send(reference.kv(), request);
                String b = send(candidate.kv(), request);
                if (!a.equals(b)) {
                    fail("the KV answers differ already (" + step + "):\n  etcd:  " + a + "\n  vetcd: " + b);
                }
                ops.observe(revision(reference), 0);
                if (i % 50 == 0) {
                    // watchers joining at past revisions, on the same stream
                    long now = revision(reference);
                    long start = firstRevision + random.nextInt((int) Math.max(1, now - firstRevision));
                    for (WatchCreateRequest c : List.of(create(1000 + i, p, prefixEnd(p), start, true),
                            create(2000 + i, p + "b", p + "d", start, false))) {
                        joiners.add(c);
                        etcdStream.create(c.toBuilder());
                        vetcdStream.create(c.toBuilder());
                    }
                }
            }
            etcdStream.progress();
            vetcdStream.progress();
            Map<Long, List<WatchResponse>> expected = byWatch(drain(etcdStream));
            Map<Long, List<WatchResponse>> actual = byWatch(drain(vetcdStream));
            for (WatchCreateRequest c : live) {
                long id = c.getWatchId();
                same("watch " + id + " (" + WatchStream.text(c) + "): responses",
                        render(expected.get(id), false), render(actual.get(id), false), problems);
            }
            for (WatchCreateRequest c : joiners) {
                long id = c.getWatchId();
                same("joiner " + id + " (" + WatchStream.text(c) + "): events by revision",
                        render(expected.get(id), true), render(actual.get(id), true), problems);
                String split = splitRevision(actual.get(id));
                if (split != null) {
                    problems.append("\njoiner ").append(id).append(" on vetcd: ").append(split);
                }
            }
            same("progress response", render(expected.get(-1L), false), render(actual.get(-1L), false), problems);

            // compaction: start revisions below, at and above the compaction point
            long now = revision(reference);
            long compactAt = now - 20;
            CompactionRequest compact = CompactionRequest.newBuilder().setRevision(compactAt).setPhysical(true).build();
            same("compact", send(reference.kv(), compact), send(candidate.kv(), compact), problems);
            for (long start : new long[] {compactAt - 5, compactAt - 1, compactAt, compactAt + 3}) {
                WatchCreateRequest c = create(900 + (start - compactAt + 10), p, prefixEnd(p), start, true);
                etcdStream.create(c.toBuilder());
                vetcdStream.create(c.toBuilder());
            }
            Map<Long, List<WatchResponse>> e2 = byWatch(drain(etcdStream));
            Map<Long, List<WatchResponse>> v2 = byWatch(drain(vetcdStream));
            for (long id : e2.keySet()) {
                same("after compaction at r" + compactAt + ", watch " + id, renderCompaction(e2.get(id)),
                        renderCompaction(v2.get(id)), problems);
            }
            System.out.printf("DifferentialWatchTest seed %d: etcd sent %d responses with %d events; after compaction %s%n",
                    seed, expected.values().stream().mapToInt(List::size).sum(),
                    expected.values().stream().flatMap(List::stream).mapToInt(WatchResponse::getEventsCount).sum(),
                    e2.values().stream().flatMap(List::stream).filter(r -> r.getCompactRevision() != 0).count()
                            + " compacted cancels");
            if (problems.length() > 0) {
                fail("seed " + seed + ": vetcd's watch streams differ from etcd's:" + problems);
            }
        } finally {
            etcdStream.close();
            vetcdStream.close();
        }
    }

    private static void same(String what, String etcd, String vetcd, StringBuilder problems) {
        if (!etcd.equals(vetcd)) {
            String[] a = etcd.split("\n", -1);
            String[] b = vetcd.split("\n", -1);
            int i = 0;
            while (i < a.length && i < b.length && a[i].equals(b[i])) {
                i++;
            }
            problems.append("\n").append(what).append("\n  first difference, line ").append(i + 1)
                    .append(":\n    etcd:  ").append(i < a.length ? a[i] : "(end)")
                    .append("\n    vetcd: ").append(i < b.length ? b[i] : "(end)")
                    .append("\n  whole:");
            problems.append("\n").append(what).append("\n  etcd:  ").append(etcd.replace("\n", "\n         "))
                    .append("\n  vetcd: ").append(vetcd.replace("\n", "\n         "));
        }
    }

    private static WatchCreateRequest create(long id, String key, String rangeEnd, long start, boolean prevKv) {
        return WatchCreateRequest.newBuilder().setWatchId(id).setKey(ByteString.copyFromUtf8(key))
                .setRangeEnd(ByteString.copyFromUtf8(rangeEnd)).setStartRevision(start).setPrevKv(prevKv).build();
    }

    private static String prefixEnd(String prefix) {
        return WatchStream.prefixEnd(ByteString.copyFromUtf8(prefix)).toStringUtf8();
    }

    private static long revision(Side side) {
        return side.kv().range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("\0probe")).build())
                .getHeader().getRevision();
    }

    private static String send(RawKv kv, Message request) {
        try {
            Message response;
            if (request instanceof PutRequest r) {
                response = kv.put(r);
            } else if (request instanceof DeleteRangeRequest r) {
                response = kv.deleteRange(r);
            } else if (request instanceof TxnRequest r) {
                response = kv.txn(r);
            } else {
                response = kv.compact((CompactionRequest) request);
            }
            return Render.proto(response);
        } catch (StatusRuntimeException e) {
            return "error " + e.getStatus().getCode() + ": " + e.getStatus().getDescription();
        }
    }

    /** Everything the stream sends until it has been quiet for {@link #QUIET}. */
    private static List<WatchResponse> drain(WatchStream stream) {
        List<WatchResponse> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            WatchResponse r = stream.maybeNext(QUIET);
            if (r == null) {
                return out;
            }
            out.add(r);
        }
        return out;
    }

    private static Map<Long, List<WatchResponse>> byWatch(List<WatchResponse> responses) {
        Map<Long, List<WatchResponse>> out = new LinkedHashMap<>();
        for (WatchResponse r : responses) {
            out.computeIfAbsent(r.getWatchId(), k -> new ArrayList<>()).add(r);
        }
        return out;
    }

    /** Responses one per line, or (byRevision) the events grouped by revision, one revision per line. */
    private static String render(List<WatchResponse> responses, boolean byRevision) {
        if (responses == null) {
            return "(nothing)";
        }
        if (!byRevision) {
            return String.join("\n", responses.stream().map(WatchStream::text).toList());
        }
        StringBuilder sb = new StringBuilder();
        TreeMap<Long, List<String>> revisions = new TreeMap<>();
        for (WatchResponse r : responses) {
            if (r.getEventsCount() == 0) {
                sb.append(r.getCreated() ? "created " : "").append(WatchStream.text(r.toBuilder().clearHeader().build()))
                        .append('\n');
                continue;
            }
            for (Event e : r.getEventsList()) {
                revisions.computeIfAbsent(e.getKv().getModRevision(), k -> new ArrayList<>())
                        .add(TextFormat.printer().shortDebugString(e));
            }
        }
        revisions.forEach((rev, events) -> sb.append('r').append(rev).append(": ").append(events).append('\n'));
        return sb.toString();
    }

    /** After a compaction: the created response and what follows, without header revisions. */
    private static String renderCompaction(List<WatchResponse> responses) {
        if (responses == null) {
            return "(nothing)";
        }
        StringBuilder sb = new StringBuilder();
        for (WatchResponse r : responses) {
            if (r.getEventsCount() == 0) {
                sb.append(WatchStream.text(r.toBuilder().clearHeader().build())).append('\n');
            }
        }
        return sb + render(responses.stream().filter(r -> r.getEventsCount() > 0).toList(), true);
    }

    /** Whether a revision's events are spread over two responses, or revisions go back; null if neither. */
    private static String splitRevision(List<WatchResponse> responses) {
        if (responses == null) {
            return null;
        }
        long last = 0;
        for (WatchResponse r : responses) {
            for (int i = 0; i < r.getEventsCount(); i++) {
                long rev = r.getEvents(i).getKv().getModRevision();
                if (i == 0 ? rev <= last : rev < last) {
                    return "r" + rev + " after r" + last + " in " + WatchStream.text(r);
                }
                last = rev;
            }
        }
        return null;
    }
}
