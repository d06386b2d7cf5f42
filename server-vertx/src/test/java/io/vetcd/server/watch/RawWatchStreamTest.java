package io.vetcd.server.watch;

import static io.vetcd.server.watch.WatchStream.b;
import static io.vetcd.server.watch.WatchStream.events;
import static io.vetcd.server.watch.WatchStream.fromKey;
import static io.vetcd.server.watch.WatchStream.key;
import static io.vetcd.server.watch.WatchStream.prefix;
import static io.vetcd.server.watch.WatchStream.range;
import static io.vetcd.server.watch.WatchStream.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetcd.proto.etcdserverpb.WatchCreateRequest;
import io.vetcd.proto.etcdserverpb.WatchResponse;
import io.vetcd.server.testing.Jetcd;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Watch stream at the wire, through grpc-java with etcd's full messages: what jetcd's API hides
 * (watch ids, several watchers on one stream, duplicate ids, cancel and progress responses, fragments,
 * header revisions). Expectations checked against etcd 3.4 with {@code -Dvetcd.jetcd.target=etcd}.
 * Each test works under its own key prefix on one shared server.
 */
class RawWatchStreamTest {
    @RegisterExtension
    static final WatchServer server = new WatchServer();

    private static final Duration QUIET = Duration.ofMillis(300);

    private Writes writes() {
        return new Writes(server.kv());
    }

    @Test
    void createdResponseComesFirstWithAutoIdsFromZeroAndTheCurrentRevision() {
        Writes w = writes();
        w.put("created/a", "0");
        long rev = w.currentRevision();
        WatchStream stream = server.stream();
        WatchResponse first = stream.createAndAwait(key("created/a"));
        assertEquals("header { revision: " + rev + " } created: true", text(first));
        WatchResponse second = stream.createAndAwait(key("created/b"));
        assertEquals("header { revision: " + rev + " } watch_id: 1 created: true", text(second));
        WatchResponse third = stream.createAndAwait(prefix("created/"));
        assertEquals(2, third.getWatchId());
        // a second stream numbers its watchers from 0 again
        WatchStream other = server.stream();
        assertEquals(0, other.createAndAwait(key("created/a")).getWatchId());
    }

    @Test
    void eventResponsesCarryTheWriteRevisionAndEtcdsEventFields() {
        Writes w = writes();
        WatchStream stream = server.stream();
        stream.createAndAwait(key("fields/k"));
        long r1 = w.put("fields/k", "v1");
        long r2 = w.put("fields/k", "v2");
        long r3 = w.delete("fields/k");
        long r4 = w.put("fields/k", "v3");
        WatchResponse a = stream.next();
        assertEquals("header { revision: " + r1 + " } events { kv { key: \"fields/k\" create_revision: " + r1
                + " mod_revision: " + r1 + " version: 1 value: \"v1\" } }", text(a));
        assertEquals(List.of("PUT fields/k=v2 c" + r1 + " m" + r2 + " v2"), events(stream.next()));
        WatchResponse del = stream.next();
        // DELETE: the kv carries the key and the deletion's revision only
        assertEquals("header { revision: " + r3 + " } events { type: DELETE kv { key: \"fields/k\" mod_revision: "
                + r3 + " } }", text(del));
        assertEquals(List.of("PUT fields/k=v3 c" + r4 + " m" + r4 + " v1"), events(stream.next()));
        stream.expectNothing(QUIET);
    }

    @Test
    void manyWatchersOnOneStreamEachGetTheirEventsOfARevisionInOneResponse() {
        Writes w = writes();
        WatchStream stream = server.stream();
        long single = stream.createAndAwait(key("many/b")).getWatchId();
        long pfx = stream.createAndAwait(prefix("many/")).getWatchId();
        long rng = stream.createAndAwait(range("many/b", "many/d")).getWatchId();
        long from = stream.createAndAwait(fromKey("many/c")).getWatchId();
        long everything = stream.createAndAwait(WatchCreateRequest.newBuilder().setKey(ByteString.EMPTY)
                .setRangeEnd(ByteString.copyFrom(new byte[] {0}))).getWatchId();
        long rev = w.putAll("many/a", "1", "many/b", "2", "many/c", "3", "many/d", "4", "other", "5");
        Map<Long, List<String>> got = new HashMap<>();
        for (int i = 0; i < 5; i++) {
            WatchResponse r = stream.next();
            assertEquals(rev, r.getHeader().getRevision(), () -> text(r));
            assertTrue(got.put(r.getWatchId(), events(r).stream().map(e -> e.split("=")[0]).toList()) == null,
                    () -> "a second response for watch " + r.getWatchId() + ": " + text(r));
        }
        stream.expectNothing(QUIET);
        assertEquals(List.of("PUT many/b"), got.get(single));
        assertEquals(List.of("PUT many/a", "PUT many/b", "PUT many/c", "PUT many/d"), got.get(pfx));
        assertEquals(List.of("PUT many/b", "PUT many/c"), got.get(rng));
        assertEquals(List.of("PUT many/c", "PUT many/d", "PUT other"), got.get(from));
        assertEquals(List.of("PUT many/a", "PUT many/b", "PUT many/c", "PUT many/d", "PUT other"), got.get(everything));
    }

    @Test
    void emptyKeyWithoutRangeEndWatchesTheKeyZeroByte() {
        // etcd turns an empty key into "\0": a watch on the single key "\0", not on everything
        Writes w = writes();
        WatchStream stream = server.stream();
        stream.createAndAwait(WatchCreateRequest.newBuilder());
        w.put("emptykey/x", "1");
        stream.expectNothing(QUIET);
    }

    @Test
    void clientChosenWatchIdsAndAutoIdsSkipTakenOnes() {
        Writes w = writes();
        WatchStream stream = server.stream();
        assertEquals(7, stream.createAndAwait(key("ids/a").setWatchId(7)).getWatchId());
        assertEquals(0, stream.createAndAwait(key("ids/b")).getWatchId());
        assertEquals(1, stream.createAndAwait(key("ids/c").setWatchId(1)).getWatchId());
        // the next automatic id would be 1, which is taken
        assertEquals(2, stream.createAndAwait(key("ids/d")).getWatchId());
        long rev = w.put("ids/a", "x");
        WatchResponse r = stream.next();
        assertEquals(7, r.getWatchId(), () -> text(r));
        assertEquals(List.of("PUT ids/a=x c" + rev + " m" + rev + " v1"), events(r));
        w.put("ids/c", "y");
        assertEquals(1, stream.next().getWatchId());
    }

    @Test
    void aDuplicateWatchIdIsRefusedAndTheFirstWatcherKeepsWorking() {
        Writes w = writes();
        WatchStream stream = server.stream();
        long rev = w.currentRevision();
        stream.createAndAwait(key("dup/a").setWatchId(5));
        stream.create(key("dup/b").setWatchId(5));
        WatchResponse refused = stream.next();
        assertEquals("header { revision: " + rev + " } watch_id: -1 created: true canceled: true"
                + " cancel_reason: \"mvcc: duplicate watch ID provided on the WatchStream\"", text(refused));
        w.put("dup/b", "x");
        long put = w.put("dup/a", "y");
        WatchResponse r = stream.next();
        assertEquals(5, r.getWatchId());
        assertEquals(List.of("PUT dup/a=y c" + put + " m" + put + " v1"), events(r));
        stream.expectNothing(QUIET);
    }

    @Test
    void anEmptyRangeIsRefused() {
        WatchStream stream = server.stream();
        long rev = writes().currentRevision();
        stream.create(range("empty/b", "empty/a"));
        assertEquals("header { revision: " + rev + " } watch_id: -1 created: true canceled: true"
                + " cancel_reason: \"mvcc: watcher range is empty\"", text(stream.next()));
        stream.create(range("empty/a", "empty/a"));
        assertEquals(-1, stream.next().getWatchId());
        // the stream still works
        assertEquals(0, stream.createAndAwait(key("empty/a")).getWatchId());
    }

    @Test
    void cancelIsAnsweredAndStopsTheWatcherAndAnUnknownIdIsIgnored() {
        Writes w = writes();
        WatchStream stream = server.stream();
        long a = stream.createAndAwait(key("cancel/a")).getWatchId();
        long b = stream.createAndAwait(key("cancel/b")).getWatchId();
        long rev = w.put("cancel/other", "0");
        stream.cancel(a);
        assertEquals("header { revision: " + rev + " } canceled: true", text(stream.next()));
        w.put("cancel/a", "1");
        long put = w.put("cancel/b", "2");
        WatchResponse r = stream.next();
        assertEquals(b, r.getWatchId());
        assertEquals(put, r.getEvents(0).getKv().getModRevision());
        // canceling it again, or an id that never existed: no answer at all
        stream.cancel(a);
        stream.cancel(42);
        stream.progress();
        WatchResponse next = stream.next();
        assertFalse(next.getCanceled(), () -> "expected the progress response, got " + text(next));
        assertEquals("header { revision: " + put + " } watch_id: -1", text(next));
    }

    @Test
    void progressRequestIsAnsweredOnceForTheStreamWithTheCurrentRevision() {
        Writes w = writes();
        WatchStream stream = server.stream();
        // without any watcher
        long rev = w.put("progress/x", "1");
        stream.progress();
        assertEquals("header { revision: " + rev + " } watch_id: -1", text(stream.next()));
        stream.createAndAwait(key("progress/a"));
        stream.createAndAwait(prefix("progress/"));
        long rev2 = w.put("progress/y", "2");
        assertEquals(1, stream.next().getWatchId());
        stream.progress();
        assertEquals("header { revision: " + rev2 + " } watch_id: -1", text(stream.next()));
        stream.expectNothing(QUIET);
    }

    @Test
    void startRevisionReplaysHistoryWithoutSplittingARevision() {
        Writes w = writes();
        long r1 = w.put("hist/a", "1");
        long r2 = w.putAll("hist/a", "2", "hist/b", "1", "hist/c", "1");
        long r3 = w.delete("hist/b");
        long r4 = w.put("hist/x", "other");
        long r5 = w.put("hist/c", "2");
        WatchStream stream = server.stream();
        long id = stream.createAndAwait(range("hist/a", "hist/d").setStartRevision(r1)).getWatchId();
        List<String> expected = List.of(
                "PUT hist/a=1 c" + r1 + " m" + r1 + " v1",
                "PUT hist/a=2 c" + r1 + " m" + r2 + " v2",
                "PUT hist/b=1 c" + r2 + " m" + r2 + " v1",
                "PUT hist/c=1 c" + r2 + " m" + r2 + " v1",
                "DELETE hist/b m" + r3,
                "PUT hist/c=2 c" + r2 + " m" + r5 + " v2");
        List<WatchResponse> responses = stream.eventResponses(id, expected.size());
        assertEquals(expected, responses.stream().flatMap(r -> events(r).stream()).toList());
        assertRevisionsNotSplit(responses);
        // history then live: the next write comes after
        long r6 = w.put("hist/a", "3");
        assertEquals(List.of("PUT hist/a=3 c" + r1 + " m" + r6 + " v3"), stream.eventsOf(id, 1));
        // a start revision in the middle
        long id2 = stream.createAndAwait(prefix("hist/").setStartRevision(r3)).getWatchId();
        List<String> fromR3 = stream.eventsOf(id2, 4);
        assertEquals(List.of("DELETE hist/b m" + r3, "PUT hist/x=other c" + r4 + " m" + r4 + " v1",
                "PUT hist/c=2 c" + r2 + " m" + r5 + " v2", "PUT hist/a=3 c" + r1 + " m" + r6 + " v3"), fromR3);
        stream.expectNothing(QUIET);
    }

    @Test
    void aFutureStartRevisionWaitsForIt() {
        Writes w = writes();
        long now = w.currentRevision();
        WatchStream stream = server.stream();
        WatchResponse created = stream.createAndAwait(key("future/k").setStartRevision(now + 3));
        assertEquals(now, created.getHeader().getRevision());
        w.put("future/k", "1");
        w.put("future/k", "2");
        stream.expectNothing(QUIET);
        long r3 = w.put("future/k", "3");
        assertEquals(now + 3, r3);
        assertEquals(List.of("PUT future/k=3 c" + (now + 1) + " m" + r3 + " v3"), stream.eventsOf(0, 1));
    }

    @Test
    void filtersAndPrevKv() {
        Writes w = writes();
        WatchStream stream = server.stream();
        long noPut = stream.createAndAwait(key("filter/k").addFilters(WatchCreateRequest.FilterType.NOPUT)).getWatchId();
        long noDel = stream.createAndAwait(key("filter/k").addFilters(WatchCreateRequest.FilterType.NODELETE)).getWatchId();
        long prev = stream.createAndAwait(key("filter/k").setPrevKv(true)).getWatchId();
        long both = stream.createAndAwait(key("filter/k").addFilters(WatchCreateRequest.FilterType.NOPUT)
                .addFilters(WatchCreateRequest.FilterType.NODELETE)).getWatchId();
        long r1 = w.put("filter/k", "1");
        long r2 = w.put("filter/k", "2");
        long r3 = w.delete("filter/k");
        Map<Long, List<String>> got = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            WatchResponse r = stream.next();
            got.computeIfAbsent(r.getWatchId(), k -> new ArrayList<>()).addAll(events(r));
        }
        stream.expectNothing(QUIET);
        assertEquals(List.of("DELETE filter/k m" + r3), got.get(noPut));
        assertEquals(List.of("PUT filter/k=1 c" + r1 + " m" + r1 + " v1", "PUT filter/k=2 c" + r1 + " m" + r2 + " v2"),
                got.get(noDel));
        assertEquals(List.of("PUT filter/k=1 c" + r1 + " m" + r1 + " v1",
                "PUT filter/k=2 c" + r1 + " m" + r2 + " v2 prev=1 c" + r1 + " m" + r1 + " v1",
                "DELETE filter/k m" + r3 + " prev=2 c" + r1 + " m" + r2 + " v2"), got.get(prev));
        assertFalse(got.containsKey(both));
    }

    @Test
    void aCompactedStartRevisionGetsCreatedThenCanceledWithTheCompactRevision() {
        Writes w = writes();
        long r1 = w.put("compact/k", "1");
        long r2 = w.put("compact/k", "2");
        long r3 = w.put("compact/k", "3");
        w.compact(r2);
        WatchStream stream = server.stream();
        long now = w.currentRevision();
        WatchResponse created = stream.createAndAwait(key("compact/k").setStartRevision(r1));
        assertEquals("header { revision: " + now + " } created: true", text(created));
        WatchResponse canceled = stream.next();
        // (etcd 3.4 sends this one with a zero header revision; not asserted)
        assertEquals(0, canceled.getWatchId());
        assertTrue(canceled.getCanceled(), () -> text(canceled));
        assertEquals(r2, canceled.getCompactRevision(), () -> text(canceled));
        assertEquals(0, canceled.getEventsCount(), () -> text(canceled));
        assertFalse(canceled.getCreated(), () -> text(canceled));
        // the compaction point itself is still there
        long id = stream.createAndAwait(key("compact/k").setStartRevision(r2)).getWatchId();
        assertEquals(List.of("PUT compact/k=2 c" + r1 + " m" + r2 + " v2", "PUT compact/k=3 c" + r1 + " m" + r3 + " v3"),
                stream.eventsOf(id, 2));
        stream.expectNothing(QUIET);
    }

    @Test
    void fragmentSplitsALargeRevisionOnlyWhenAskedTo() {
        Writes w = writes();
        String big = "f".repeat(600_000);
        long first = 0;
        for (int i = 0; i < 4; i++) {
            long r = w.put("frag/" + i, big);
            first = first == 0 ? r : first;
        }
        WatchStream stream = server.stream();
        long fragmented = stream.createAndAwait(prefix("frag/").setPrevKv(true).setFragment(true)).getWatchId();
        long whole = stream.createAndAwait(prefix("frag/").setPrevKv(true)).getWatchId();
        // one revision, four DELETE events each carrying a 600 kB prev_kv: 2.4 MB, over etcd's 1.5 MiB
        long del = w.deletePrefix("frag/");
        List<WatchResponse> pieces = new ArrayList<>();
        List<WatchResponse> wholeResponses = new ArrayList<>();
        while (wholeResponses.isEmpty() || pieces.isEmpty() || pieces.get(pieces.size() - 1).getFragment()) {
            WatchResponse r = stream.next();
            (r.getWatchId() == fragmented ? pieces : wholeResponses).add(r);
        }
        stream.expectNothing(QUIET);
        assertEquals(1, wholeResponses.size());
        assertEquals(4, wholeResponses.get(0).getEventsCount());
        assertFalse(wholeResponses.get(0).getFragment());
        assertTrue(pieces.size() > 1, "expected the 2.4 MB revision in fragments, got one response");
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) {
            WatchResponse p = pieces.get(i);
            assertEquals(i < pieces.size() - 1, p.getFragment(), "fragment flag of piece " + i);
            assertEquals(del, p.getHeader().getRevision());
            assertTrue(p.getSerializedSize() < 1_572_864 + 700_000, "piece " + i + " is " + p.getSerializedSize() + " bytes");
            p.getEventsList().forEach(e -> {
                assertEquals(del, e.getKv().getModRevision());
                keys.add(WatchStream.s(e.getKv().getKey()));
            });
        }
        assertEquals(List.of("frag/0", "frag/1", "frag/2", "frag/3"), keys);
    }

    @Test
    void aFragmentRequestWithSmallEventsSendsThemWhole() {
        Writes w = writes();
        WatchStream stream = server.stream();
        stream.createAndAwait(prefix("smallfrag/").setFragment(true));
        long rev = w.putAll("smallfrag/a", "1", "smallfrag/b", "2");
        WatchResponse r = stream.next();
        assertFalse(r.getFragment());
        assertEquals(2, r.getEventsCount());
        assertEquals(rev, r.getHeader().getRevision());
    }

    @Test
    void prevKvOfAKeyChangedTwiceInOneRevisionIsItsValueBeforeTheRevision() {
        // etcd reads prev_kv at (event revision - 1): a key put and then deleted by one transaction gets,
        // on its DELETE event, the value it had before the transaction, not the one the transaction put
        Writes w = writes();
        long r1 = w.put("twice/k", "before");
        WatchStream stream = server.stream();
        long id = stream.createAndAwait(prefix("twice/").setPrevKv(true)).getWatchId();
        // (in two sibling nested transactions: etcd refuses a put and a delete of one key side by side, or
        // one nested in the other, but not siblings)
        io.etcd.jetcd.op.Cmp[] none = new io.etcd.jetcd.op.Cmp[0];
        long rev = Jetcd.await(server.kv().txn().Then(
                io.etcd.jetcd.op.Op.txn(none, new io.etcd.jetcd.op.Op[] {io.etcd.jetcd.op.Op.put(Jetcd.bs("twice/k"),
                        Jetcd.bs("inside"), io.etcd.jetcd.options.PutOption.DEFAULT)}, new io.etcd.jetcd.op.Op[0]),
                io.etcd.jetcd.op.Op.txn(none, new io.etcd.jetcd.op.Op[] {
                    io.etcd.jetcd.op.Op.delete(Jetcd.bs("twice/"), io.etcd.jetcd.options.DeleteOption.builder()
                            .isPrefix(true).build())}, new io.etcd.jetcd.op.Op[0])).commit()).getHeader().getRevision();
        WatchResponse r = stream.next();
        assertEquals(id, r.getWatchId());
        assertEquals(List.of("PUT twice/k=inside c" + r1 + " m" + rev + " v2 prev=before c" + r1 + " m" + r1 + " v1",
                "DELETE twice/k m" + rev + " prev=before c" + r1 + " m" + r1 + " v1"), events(r));
    }

    @Test
    void aHalfClosedStreamKeepsDeliveringEvents() {
        // etcd: the client's end of requests (CloseSend) does not end the stream; only the call's end does
        Writes w = writes();
        WatchStream stream = server.stream();
        long id = stream.createAndAwait(key("halfclose/k")).getWatchId();
        stream.halfClose();
        long rev = w.put("halfclose/k", "1");
        assertEquals(List.of("PUT halfclose/k=1 c" + rev + " m" + rev + " v1"), stream.eventsOf(id, 1));
        assertFalse(stream.completed());
    }

    /** No revision's events are spread over two responses, and revisions increase strictly across responses. */
    static void assertRevisionsNotSplit(List<WatchResponse> responses) {
        long last = 0;
        for (WatchResponse r : responses) {
            long first = r.getEvents(0).getKv().getModRevision();
            assertTrue(first > last, () -> "revision " + first + " after " + " an earlier response ended at it or later: "
                    + text(r));
            for (var e : r.getEventsList()) {
                assertTrue(e.getKv().getModRevision() >= first, () -> "revisions go back inside " + text(r));
                last = Math.max(last, e.getKv().getModRevision());
            }
            assertTrue(r.getHeader().getRevision() >= last, () -> "header revision below its events: " + text(r));
        }
    }
}
