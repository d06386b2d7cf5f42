package io.vetcd.server.grpc;

import com.google.protobuf.ByteString;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.InvalidMessageException;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vetcd.core.watch.EventTail;
import io.vetcd.core.watch.WatchSpec;
import io.vetcd.core.watch.Watcher;
import io.vetcd.proto.etcdserverpb.WatchCreateRequest;
import io.vetcd.proto.etcdserverpb.WatchGrpcService;
import io.vetcd.proto.etcdserverpb.WatchRequest;
import io.vetcd.proto.etcdserverpb.WatchResponse;
import io.vetcd.proto.mvccpb.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One Watch call (etcd's {@code serverWatchStream}): its watchers, and every response on its way to the
 * client, in order.
 *
 * <p>Threading: the call's Vert.x context owns the stream: requests, the watcher map, the outgoing queue
 * and the gRPC response. The store's writer (any thread, one at a time) hands events over through
 * {@link #offer}, which holds them in {@link #held} until the round of sink calls ends; then
 * {@link #passHeld} puts the round's deliveries into {@link #inbound}, a concurrent FIFO the context
 * drains, as one piece (a put watched by 1000 watchers of the stream is one hand-over, not 1000). The
 * writer never waits: when the client reads too slowly (the outgoing queue is backed up) or too much is
 * waiting in {@link #inbound}, {@link #offer} refuses, the watcher is paused (the core marks it
 * unsynced), and the context resumes it once the stream has drained; the core then catches it up from
 * history.
 *
 * <p>Overload: while more watchers wait to catch up than the queue holds, the stream is overloaded and
 * serves its watchers in turn, as etcd serves its unsynced ones: the paused watchers are resumed first
 * come, first served, as many as the queue has room for; a synced watcher's live events are refused
 * too, so it takes its place at the back of the line; and a watcher is resumed at most once per
 * {@link #CATCH_UP_PERIOD_NANOS}, so each response it is sent carries everything that changed meanwhile.
 * Worked example: 1000 watchers of k on a stream, puts of k at 1000/s, a client that takes 50,000
 * responses/s: one response per event would need 1,000,000/s; in turn, each watcher is sent one
 * response per ~100 ms, with the ~100 events it missed: 10,000 responses/s. A watcher that falls behind
 * for the first time, or not within the period, is resumed as soon as there is room (one put watched
 * by 300 watchers of the stream: the 172 refused catch up at the next drains, not 100 ms later); so is
 * every paused watcher while fewer wait than the queue holds.
 *
 * <p>Order: responses leave in the order they enter {@link #outgoing}. A watch's {@code created} response
 * enters before the watch is registered, so it precedes the watch's events; a progress response enters
 * after {@link #inbound} is drained, so it follows every event the watchers had been handed when they
 * were found synced.
 *
 * <p>Like etcd, the end of the client's requests does not end the stream (the watchers keep reporting);
 * the stream ends when the client cancels it or the connection closes, and its watchers are canceled then.
 */
final class WatchStream {
    private static final Logger LOG = Logger.getLogger(WatchStream.class.getName());
    /**
     * The events queue may hold this many deliveries (each one response) before new ones are refused:
     * etcd's {@code chanBufLen}, the size of a stream's send channel. Worked example: a put watched by
     * 1000 watchers of the stream while it is empty: 128 are taken, the other 872 are refused and fall
     * behind, then catch up from history in one response each, with every event they missed meanwhile,
     * as etcd's victim watchers do.
     */
    private static final long MAX_QUEUED_DELIVERIES = 128;
    /** ... and this many bytes of events. */
    private static final long MAX_QUEUED_BYTES = 16L * 1024 * 1024;
    /**
     * An overloaded stream resumes a watcher at most this often: etcd's {@code syncWatchersLoop} period, how
     * often etcd catches its unsynced watchers up.
     */
    private static final long CATCH_UP_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Framing, header and {@code watch_id} of an events response, and an event's tag and length: estimates. */
    private static final int RESPONSE_OVERHEAD_BYTES = 40;
    private static final int EVENT_OVERHEAD_BYTES = 3;
    /** etcd's {@code watchBatchMaxRevs}: the most revisions one events response carries. */
    private static final int MAX_REVISIONS_PER_RESPONSE = 1000;
    /**
     * Requests are not read while this many responses wait for the client (etcd's control channel is
     * bounded likewise): a client that creates watches without reading gets flow control, not memory.
     */
    private static final int MAX_BACKLOG = 1024;
    /** While a progress request waits for unsynced watchers, how often they are checked again. */
    private static final long PROGRESS_RECHECK_MILLIS = 10;
    /** clientv3's {@code InvalidWatchID}: the id of a progress response and of a refused create. */
    private static final long INVALID_WATCH_ID = -1;
    private static final ByteString ZERO = ByteString.copyFrom(new byte[] {0});

    private final WatchEndpoint endpoint;
    private final GrpcServerRequest<WatchRequest, WatchResponse> call;
    private final GrpcServerResponse<WatchRequest, WatchResponse> response;
    /** The HTTP/2 response under the call: responses are written on it as gRPC frames ({@link GrpcFrames}). */
    private final HttpServerResponse frames;
    /** Writes them past Vert.x when it can ({@link DirectDataFrames}); null if the connection is not Netty HTTP/2. */
    private final DirectDataFrames direct;
    /** Context only: the call's headers were sent (by Vert.x's gRPC layer, before the first frame). */
    private boolean headSent;
    private final Context context;

    // Shared with the writer (see the class comment).
    private final ConcurrentLinkedQueue<List<Delivery>> inbound = new ConcurrentLinkedQueue<>();
    /** Paused watchers in the order they fell behind, and how many there are. */
    private final ConcurrentLinkedQueue<StreamWatcher> paused = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** Runs {@link #drain()} in one task with the other streams of the context. */
    private final LoopDrains drains;
    private final Runnable drainTask = this::drain;
    private final AtomicLong queuedDeliveries = new AtomicLong();
    private final AtomicLong queuedBytes = new AtomicLong();
    /** Set by the context: the outgoing queue is backed up, or the gRPC write queue is full. */
    private volatile boolean congested;
    private volatile boolean closed;

    // Writer only: every sink call and the end of its round run in the store's writer, one at a time.
    /** This round's deliveries, not handed to the context yet; null when there are none. */
    private List<Delivery> held;
    private long heldDeliveries;
    private long heldBytes;

    // Context only.
    private final Map<Long, StreamWatcher> watchers = new HashMap<>();
    /** etcd's {@code nextID}: where the search for a free id starts when the client lets the server choose. */
    private long nextId;
    /** Encoded responses, in order: what the HTTP/2 stream has not taken yet. */
    private final FrameQueue outgoing = new FrameQueue();
    /** Encodes events responses from parts shared by the watchers of the context's streams ({@link LoopDrains}). */
    private final SharedEventsBody sharedBody;
    /**
     * Writes handed to Vert.x and not complete yet: while there is one, chunks go through Vert.x too, behind
     * it, never straight out ({@link DirectDataFrames}).
     */
    private int writesInVertx;
    private final Handler<AsyncResult<Void>> writtenByVertx = written -> writesInVertx--;
    private boolean requestsPaused;
    /** A timer will resume the overloaded stream's first paused watcher when its turn comes. */
    private boolean resumeTimerSet;
    private boolean progressRequested;
    private boolean progressRecheckScheduled;
    private long progressTimer = -1;

    WatchStream(WatchEndpoint endpoint, GrpcServerRequest<WatchRequest, WatchResponse> call) {
        this.endpoint = endpoint;
        this.call = call;
        this.response = call.response();
        this.frames = GrpcFrames.response();
        this.direct = frames == null ? null : DirectDataFrames.of(call.connection(), frames);
        this.context = Vertx.currentContext();
        this.drains = LoopDrains.of(context, endpoint::header);
        this.sharedBody = drains.encoding();
    }

    void start() {
        if (frames == null) {
            fail(GrpcStatus.UNIMPLEMENTED, "etcdserverpb.Watch is served over HTTP/2 gRPC only");
            return;
        }
        call.invalidMessageHandler(this::invalid);
        // Decoded here rather than by Vert.x, which resets the stream when a message does not decode.
        call.messageHandler(this::message);
        call.errorHandler(error -> close()); // the client canceled the call
        call.exceptionHandler(e -> close()); // the connection closed
        response.exceptionHandler(e -> close());
        frames.drainHandler(v -> pump());
    }

    // ---- requests (context)

    private void message(GrpcMessage message) {
        if (closed) {
            return;
        }
        WatchRequest request = RequestDecoding.STREAMED.decode(message, WatchGrpcService.Watch.decoder(), this::fail);
        if (request == null) {
            return;
        }
        switch (request.getRequestUnionCase()) {
            case CREATE_REQUEST -> create(request.getCreateRequest());
            case CANCEL_REQUEST -> cancel(request.getCancelRequest().getWatchId());
            case PROGRESS_REQUEST -> {
                progressRequested = true;
                progressIfSynced();
            }
            default -> { } // etcd ignores a request it does not know
        }
    }

    private void invalid(InvalidMessageException invalid) {
        RequestDecoding.STREAMED.invalid(invalid, endpoint.store.limits().maxGrpcMessageBytes(), this::fail);
    }

    /** etcd's create: the key and range end normalised, the id checked, then {@code created} and registration. */
    private void create(WatchCreateRequest r) {
        ByteString key = r.getKey().isEmpty() ? ZERO : r.getKey(); // "\0" is the smallest key
        ByteString end = r.getRangeEnd();
        boolean fromKey = end.equals(ZERO);
        long revision = endpoint.store.revision();
        String refusal = null;
        if (!end.isEmpty() && !fromKey && ByteString.unsignedLexicographicalComparator().compare(key, end) >= 0) {
            refusal = "mvcc: watcher range is empty";
        } else if (r.getWatchId() != 0 && watchers.containsKey(r.getWatchId())) {
            refusal = "mvcc: duplicate watch ID provided on the WatchStream";
        }
        if (refusal != null) {
            send(WatchResponse.newBuilder().setHeader(endpoint.header(revision)).setWatchId(INVALID_WATCH_ID)
                    .setCreated(true).setCanceled(true).setCancelReason(refusal).build());
            return;
        }
        long id = r.getWatchId();
        if (id == 0) {
            while (watchers.containsKey(nextId)) {
                nextId++;
            }
            id = nextId++;
        }
        StreamWatcher watcher = new StreamWatcher(id, r, this);
        watchers.put(id, watcher);
        if (watcher.progressNotify && progressTimer < 0) {
            progressTimer = context.owner().setPeriodic(endpoint.progressPeriodMillis(), t -> progressTick());
        }
        send(WatchResponse.newBuilder().setHeader(endpoint.header(revision)).setWatchId(id).setCreated(true).build());
        // From the revision after the one `created` reports, as etcd: nothing between them is missed.
        long start = r.getStartRevision() != 0 ? r.getStartRevision() : revision + 1;
        boolean noPut = r.getFiltersList().contains(WatchCreateRequest.FilterType.NOPUT);
        boolean noDelete = r.getFiltersList().contains(WatchCreateRequest.FilterType.NODELETE);
        WatchSpec spec = new WatchSpec(key, end, start, noPut, noDelete, r.getPrevKv());
        endpoint.store.watch(spec, watcher).whenComplete((handle, error) ->
                context.runOnContext(v -> registered(watcher, handle, error)));
    }

    private void registered(StreamWatcher watcher, Watcher handle, Throwable error) {
        if (error != null) {
            LOG.log(Level.WARNING, "cannot register watch " + watcher.id, error);
            if (!watcher.canceled && watchers.remove(watcher.id, watcher)) {
                watcher.canceled = true;
                send(WatchResponse.newBuilder().setHeader(endpoint.header(endpoint.store.revision()))
                        .setWatchId(watcher.id).setCanceled(true).setCancelReason(String.valueOf(error)).build());
            }
            return;
        }
        watcher.handle = handle;
        if (watcher.canceled) {
            handle.cancel(); // canceled (or the stream closed) while it was being registered
            return;
        }
        pump(); // resumes it if it was refused events meanwhile
        progressIfSynced();
    }

    /** etcd answers a cancel of a watch it has (a compacted one too); of an unknown id, nothing. */
    private void cancel(long id) {
        StreamWatcher watcher = watchers.remove(id);
        if (watcher == null) {
            return;
        }
        forget(watcher);
        send(WatchResponse.newBuilder().setHeader(endpoint.header(endpoint.store.revision()))
                .setWatchId(id).setCanceled(true).build());
        progressIfSynced(); // it may have been the one watcher not synced
    }

    private static void forget(StreamWatcher watcher) {
        watcher.canceled = true;
        if (watcher.handle != null) {
            watcher.handle.cancel();
        }
    }

    // ---- deliveries (writer threads)

    /** A sink's events at a revision, or its compaction (events null), handed to the context in order. */
    private record Delivery(StreamWatcher watcher, List<Event> events, long revision, long compactRevision,
                            long bytes) {}

    /**
     * Writer: holds events for the context; false (nothing held) when the stream is backed up, or
     * overloaded and {@code watcher} is not catching up on its turn (see the class comment).
     */
    boolean offer(StreamWatcher watcher, List<Event> events, long revision) {
        if (closed) {
            return true; // dropped: the watchers are being canceled
        }
        boolean onItsTurn = watcher.resuming;
        if (onItsTurn) {
            watcher.resuming = false;
        }
        if (congested || queuedDeliveries.get() + heldDeliveries >= MAX_QUEUED_DELIVERIES
                || queuedBytes.get() + heldBytes >= MAX_QUEUED_BYTES
                || !onItsTurn && waiting.get() >= MAX_QUEUED_DELIVERIES) {
            return false;
        }
        long bytes = eventBytes(events);
        hold(new Delivery(watcher, events, revision, 0, bytes), 1, bytes);
        return true;
    }

    private static long eventBytes(List<Event> events) {
        if (events instanceof EventTail tail) {
            return tail.serializedSize(); // a catch-up: summed once for every watcher of its group
        }
        long bytes = 0;
        for (Event event : events) {
            bytes += event.getSerializedSize(); // memoized: encoding the response reuses it
        }
        return bytes;
    }

    /** Writer: the watcher's history is gone; never refused. */
    void offerCompacted(StreamWatcher watcher, long compactRevision) {
        hold(new Delivery(watcher, null, 0, compactRevision, 0), 0, 0);
    }

    private void hold(Delivery d, long deliveries, long bytes) {
        if (held == null) {
            held = new ArrayList<>();
            endpoint.holding(this);
        }
        held.add(d);
        heldDeliveries += deliveries;
        heldBytes += bytes;
    }

    /** Writer, at the end of a round of sink calls: what the round held goes to the context in one piece. */
    void passHeld() {
        queuedDeliveries.addAndGet(heldDeliveries);
        queuedBytes.addAndGet(heldBytes);
        inbound.add(held);
        held = null;
        heldDeliveries = 0;
        heldBytes = 0;
        scheduleDrain();
    }

    /**
     * Writer: {@code watcher} refused events. The drain scheduled here runs after the refusal is
     * recorded, so a stream that drained meanwhile still resumes it.
     */
    void pausedBy(StreamWatcher watcher) {
        waiting.incrementAndGet();
        paused.add(watcher);
        scheduleDrain();
    }

    private void scheduleDrain() {
        // A read first: with 1000 watchers of a put on the stream, 999 find the drain already scheduled.
        if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true)) {
            drains.schedule(drainTask);
        }
    }

    /** Context: what the writer handed over becomes responses, written a chunk at a time. */
    private void drain() {
        drainScheduled.set(false); // a delivery after this schedules another drain
        drainInbound();
        pump();
    }

    // ---- responses (context)

    /**
     * Turns what the writer handed over into responses, in the order it was handed over; they are
     * queued, and written by the caller's next {@link #pump()}.
     */
    private void drainInbound() {
        long deliveries = 0;
        long bytes = 0;
        List<Delivery> round;
        while ((round = inbound.poll()) != null) {
            outgoing.expect(framedEstimate(round));
            for (Delivery d : round) {
                if (d.events != null) {
                    deliveries++;
                    bytes += d.bytes;
                }
                StreamWatcher watcher = d.watcher;
                if (closed || watcher.canceled) {
                    continue;
                }
                if (d.events == null) {
                    // As in etcd, the id stays taken until the client cancels it, and the header has revision 0.
                    forget(watcher);
                    outgoing.add(WatchResponse.newBuilder().setHeader(endpoint.header(0)).setWatchId(watcher.id)
                            .setCompactRevision(d.compactRevision).setCanceled(true).build().toByteArray());
                } else {
                    sendEvents(watcher, d.events, d.revision);
                }
            }
        }
        // Once per drain, not per delivery: the writer sees the stream a little fuller meanwhile, never emptier.
        queuedDeliveries.addAndGet(-deliveries);
        queuedBytes.addAndGet(-bytes);
        drains.encodingDone();
        outgoing.expect(0); // an estimate's leftover must not size the next chunk
    }

    /** About how many bytes the responses of {@code round} take framed: its events and their fields' overhead. */
    private static long framedEstimate(List<Delivery> round) {
        long bytes = 0;
        for (Delivery d : round) {
            if (d.events != null) {
                bytes += d.bytes + RESPONSE_OVERHEAD_BYTES + EVENT_OVERHEAD_BYTES * d.events.size();
            }
        }
        return bytes;
    }

    /** One response per run of up to 1000 revisions (etcd's batching), fragmented if the watch asked. */
    private void sendEvents(StreamWatcher watcher, List<Event> events, long revision) {
        watcher.quietSinceTick = false;
        if (events.size() <= MAX_REVISIONS_PER_RESPONSE) { // no more revisions than events: one response
            sendEventResponse(watcher, events, revision);
            return;
        }
        int from = 0;
        int revisions = 0;
        long last = -1;
        for (int i = 0; i < events.size(); i++) {
            long rev = events.get(i).getKv().getModRevision();
            if (rev != last) {
                if (revisions == MAX_REVISIONS_PER_RESPONSE) {
                    sendEventResponse(watcher, events.subList(from, i), revision);
                    from = i;
                    revisions = 0;
                }
                revisions++;
                last = rev;
            }
        }
        sendEventResponse(watcher, events.subList(from, events.size()), revision);
    }

    private void sendEventResponse(StreamWatcher watcher, List<Event> events, long revision) {
        if (watcher.fragment) {
            WatchResponse whole = WatchResponse.newBuilder().setHeader(endpoint.header(revision))
                    .setWatchId(watcher.id).addAllEvents(events).build();
            WatchFragments.split(whole, endpoint.fragmentBytes).forEach(r -> outgoing.add(r.toByteArray()));
        } else {
            sharedBody.append(outgoing, events, revision, watcher.id);
        }
    }

    /** Queues {@code r} after everything queued, and writes what the HTTP/2 stream takes. */
    private void send(WatchResponse r) {
        outgoing.add(r.toByteArray());
        pump();
    }

    /**
     * Writes what the HTTP/2 stream takes now, a chunk of responses per write; the rest waits for its
     * drain. Once nothing is backed up, paused watchers are resumed, in the order they fell behind, as many
     * as the queue has room for; when the stream is overloaded, only those whose turn has come.
     */
    private void pump() {
        if (closed) {
            return;
        }
        while (!outgoing.isEmpty() && !frames.writeQueueFull()) {
            if (!headSent) {
                response.writeHead();
                headSent = true;
            }
            FrameQueue.Chunk chunk = outgoing.poll();
            if (writesInVertx == 0 && direct != null && direct.tryWrite(chunk.frames)) {
                chunk.release();
            } else {
                writesInVertx++;
                chunk.releaseAfter(frames.write(chunk.frames).onComplete(writtenByVertx));
            }
        }
        congested = !outgoing.isEmpty() || frames.writeQueueFull();
        if (requestsPaused != outgoing.responses() >= MAX_BACKLOG) {
            requestsPaused = !requestsPaused;
            if (requestsPaused) {
                call.pause();
            } else {
                call.resume();
            }
        }
        if (congested || queuedDeliveries.get() >= MAX_QUEUED_DELIVERIES || queuedBytes.get() >= MAX_QUEUED_BYTES) {
            return;
        }
        boolean overloaded = waiting.get() >= MAX_QUEUED_DELIVERIES;
        long now = overloaded ? System.nanoTime() : 0;
        long room = MAX_QUEUED_DELIVERIES - queuedDeliveries.get();
        StreamWatcher watcher;
        while (room > 0 && (watcher = paused.peek()) != null) {
            if (watcher.handle == null) {
                return; // registration not complete: resumed by registered()
            }
            long turnIn = watcher.nextTurnNanos - now;
            if (overloaded && turnIn > 0) {
                resumeLater(turnIn);
                return;
            }
            paused.poll();
            waiting.decrementAndGet();
            watcher.paused = false;
            if (!watcher.canceled) {
                if (overloaded) {
                    watcher.nextTurnNanos = now + CATCH_UP_PERIOD_NANOS;
                }
                watcher.resuming = true;
                watcher.handle.resume();
                room--;
            }
        }
    }

    private void resumeLater(long nanos) {
        if (!resumeTimerSet) {
            resumeTimerSet = true;
            context.owner().setTimer(Math.max(1, (nanos + 999_999) / 1_000_000), t -> {
                resumeTimerSet = false;
                pump();
            });
        }
    }

    // ---- progress (context)

    /**
     * Answers a progress request once every watcher of the stream is synced (at once if none is
     * waiting): {@code watch_id} -1 and the store's revision, after every event up to it.
     */
    private void progressIfSynced() {
        if (!progressRequested || closed) {
            return;
        }
        long revision = endpoint.store.watchedRevision(); // read before the check: they were synced at it
        for (StreamWatcher watcher : watchers.values()) {
            if (!watcher.canceled && !watcher.isSynced()) {
                // Catching up; checked again shortly, as the catch-up may end without an event.
                if (!progressRecheckScheduled) {
                    progressRecheckScheduled = true;
                    context.owner().setTimer(PROGRESS_RECHECK_MILLIS, t -> {
                        progressRecheckScheduled = false;
                        progressIfSynced();
                    });
                }
                return;
            }
        }
        progressRequested = false;
        drainInbound();
        send(WatchResponse.newBuilder().setHeader(endpoint.header(revision)).setWatchId(INVALID_WATCH_ID).build());
    }

    /**
     * etcd's progress ticker: each synced watch created with {@code progress_notify} that was sent no
     * events since the last tick is sent its id and the store's revision.
     */
    private void progressTick() {
        if (closed) {
            return;
        }
        long revision = endpoint.store.watchedRevision();
        List<StreamWatcher> synced = new ArrayList<>();
        for (StreamWatcher watcher : watchers.values()) {
            if (watcher.progressNotify && !watcher.canceled && watcher.isSynced()) {
                synced.add(watcher);
            }
        }
        drainInbound(); // the events handed over before the check go first, and mark their watchers
        for (StreamWatcher watcher : synced) {
            if (watcher.quietSinceTick && !watcher.canceled) {
                send(WatchResponse.newBuilder().setHeader(endpoint.header(revision)).setWatchId(watcher.id).build());
            }
        }
        for (StreamWatcher watcher : watchers.values()) {
            watcher.quietSinceTick = true;
        }
        pump();
    }

    // ---- the end (context)

    /** Ends the call with an error status, as etcd's stream ends when a request cannot be read. */
    private void fail(GrpcStatus status, String message) {
        if (closed) {
            return;
        }
        close();
        response.status(status).statusMessage(message).end();
    }

    /** The client or the connection went away, or the call failed: every watcher is canceled. */
    private void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (StreamWatcher watcher : watchers.values()) {
            forget(watcher);
        }
        watchers.clear();
        outgoing.clear();
        inbound.clear();
        paused.clear();
        waiting.set(0);
        if (progressTimer >= 0) {
            context.owner().cancelTimer(progressTimer);
        }
    }
}
