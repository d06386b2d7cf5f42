package io.vetcd.server.watch;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import com.google.protobuf.TextFormat;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.vetcd.proto.etcdserverpb.WatchCancelRequest;
import io.vetcd.proto.etcdserverpb.WatchCreateRequest;
import io.vetcd.proto.etcdserverpb.WatchProgressRequest;
import io.vetcd.proto.etcdserverpb.WatchRequest;
import io.vetcd.proto.etcdserverpb.WatchResponse;
import io.vetcd.proto.mvccpb.Event;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One {@code etcdserverpb.Watch/Watch} bidirectional stream over grpc-java, with vetcd's copy of etcd's
 * messages (jetcd 0.8.7's generated {@code WatchCreateRequest} lacks {@code watch_id} and {@code fragment}).
 * Responses queue up as they arrive; {@link #next()} takes them in order.
 *
 * <p>With {@link #openManual} the stream reads nothing until {@link #request(int)} asks for messages: a
 * deliberately slow consumer whose server sees HTTP/2 flow control push back once the windows fill.
 */
public final class WatchStream implements AutoCloseable {
    /** How long {@link #next()} waits: an answer this late is a hang. */
    public static final Duration TIMEOUT = Duration.ofSeconds(15);

    public static final MethodDescriptor<WatchRequest, WatchResponse> WATCH =
            MethodDescriptor.<WatchRequest, WatchResponse>newBuilder()
                    .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
                    .setFullMethodName("etcdserverpb.Watch/Watch")
                    .setRequestMarshaller(ProtoUtils.marshaller(WatchRequest.getDefaultInstance()))
                    .setResponseMarshaller(ProtoUtils.marshaller(WatchResponse.getDefaultInstance()))
                    .build();

    private final LinkedBlockingQueue<Object> responses = new LinkedBlockingQueue<>();
    private final AtomicReference<ClientCallStreamObserver<WatchRequest>> requests = new AtomicReference<>();
    private volatile Throwable error;
    private volatile boolean completed;
    private final io.grpc.stub.StreamObserver<WatchRequest> out;

    private WatchStream(Channel channel, boolean manual) {
        ClientCall<WatchRequest, WatchResponse> call = channel.newCall(WATCH, CallOptions.DEFAULT);
        out = ClientCalls.asyncBidiStreamingCall(call, new ClientResponseObserver<WatchRequest, WatchResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<WatchRequest> stream) {
                requests.set(stream);
                if (manual) {
                    stream.disableAutoRequestWithInitial(0);
                }
            }

            @Override
            public void onNext(WatchResponse value) {
                responses.add(value);
            }

            @Override
            public void onError(Throwable t) {
                error = t;
                responses.add(t);
            }

            @Override
            public void onCompleted() {
                completed = true;
                responses.add(Status.OK);
            }
        });
    }

    /** A stream that takes every response as soon as it arrives. */
    public static WatchStream open(Channel channel) {
        return new WatchStream(channel, false);
    }

    /** A stream that receives nothing until {@link #request(int)}. */
    public static WatchStream openManual(Channel channel) {
        return new WatchStream(channel, true);
    }

    /** Manual streams: lets {@code n} more responses in. */
    public void request(int n) {
        requests.get().request(n);
    }

    public synchronized void send(WatchRequest request) {
        out.onNext(request);
    }

    public void create(WatchCreateRequest.Builder create) {
        send(WatchRequest.newBuilder().setCreateRequest(create).build());
    }

    public void cancel(long watchId) {
        send(WatchRequest.newBuilder().setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(watchId)).build());
    }

    public void progress() {
        send(WatchRequest.newBuilder().setProgressRequest(WatchProgressRequest.getDefaultInstance()).build());
    }

    /** Sends the create request and returns its answer, which must be the stream's next response. */
    public WatchResponse createAndAwait(WatchCreateRequest.Builder create) {
        create(create);
        WatchResponse r = next();
        if (!r.getCreated()) {
            fail("expected the created response for " + text(create.build()) + ", got " + text(r));
        }
        return r;
    }

    /** The next response; fails if the stream ended or nothing came within {@link #TIMEOUT}. */
    public WatchResponse next() {
        return next(TIMEOUT);
    }

    public WatchResponse next(Duration timeout) {
        Object o = poll(timeout);
        if (o == null) {
            fail("no watch response within " + timeout.toMillis() + " ms");
        }
        if (o instanceof WatchResponse r) {
            return r;
        }
        if (o instanceof Throwable t) {
            throw new AssertionError("the watch stream failed: " + Status.fromThrowable(t), t);
        }
        return fail("the server ended the watch stream");
    }

    /** The next response if one arrives within {@code timeout}, else null. */
    public WatchResponse maybeNext(Duration timeout) {
        Object o = poll(timeout);
        if (o == null || o instanceof WatchResponse) {
            return (WatchResponse) o;
        }
        if (o instanceof Throwable t) {
            throw new AssertionError("the watch stream failed: " + Status.fromThrowable(t), t);
        }
        return fail("the server ended the watch stream");
    }

    private Object poll(Duration timeout) {
        try {
            return responses.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Asserts that nothing arrives within {@code quiet}. */
    public void expectNothing(Duration quiet) {
        Object o = poll(quiet);
        if (o != null) {
            fail("expected no watch response, got " + (o instanceof WatchResponse r ? text(r) : o));
        }
    }

    /** Responses already received and not yet taken, without waiting. */
    public List<WatchResponse> drainNow() {
        List<Object> all = new ArrayList<>();
        responses.drainTo(all);
        List<WatchResponse> out = new ArrayList<>();
        for (Object o : all) {
            if (o instanceof WatchResponse r) {
                out.add(r);
            } else {
                throw new AssertionError("the watch stream ended: " + o);
            }
        }
        return out;
    }

    public Throwable error() {
        return error;
    }

    public boolean completed() {
        return completed;
    }

    /** Half-closes the stream (the client's "no more requests"), as a client does when it is done. */
    public void halfClose() {
        out.onCompleted();
    }

    /** Cancels the call (RST_STREAM): how grpc clients abandon a stream. */
    @Override
    public void close() {
        ClientCallStreamObserver<WatchRequest> s = requests.get();
        if (s != null) {
            s.cancel("test done", null);
        }
    }

    // ---- building requests and reading answers ----

    public static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    public static String s(ByteString b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    public static WatchCreateRequest.Builder key(String key) {
        return WatchCreateRequest.newBuilder().setKey(b(key));
    }

    public static WatchCreateRequest.Builder prefix(String prefix) {
        return WatchCreateRequest.newBuilder().setKey(b(prefix)).setRangeEnd(prefixEnd(b(prefix)));
    }

    public static WatchCreateRequest.Builder range(String from, String to) {
        return WatchCreateRequest.newBuilder().setKey(b(from)).setRangeEnd(b(to));
    }

    public static WatchCreateRequest.Builder fromKey(String from) {
        return WatchCreateRequest.newBuilder().setKey(b(from)).setRangeEnd(ByteString.copyFrom(new byte[] {0}));
    }

    public static ByteString prefixEnd(ByteString prefix) {
        byte[] end = prefix.toByteArray();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return ByteString.copyFrom(end, 0, i + 1);
            }
        }
        return ByteString.copyFrom(new byte[] {0});
    }

    /** A short, stable rendering of an event: {@code PUT k=v c5 m7 v2 [prev ...]}. */
    public static String event(Event e) {
        StringBuilder sb = new StringBuilder();
        sb.append(e.getType()).append(' ').append(s(e.getKv().getKey()));
        if (e.getType() == Event.EventType.PUT) {
            sb.append('=').append(s(e.getKv().getValue()))
                    .append(" c").append(e.getKv().getCreateRevision())
                    .append(" m").append(e.getKv().getModRevision())
                    .append(" v").append(e.getKv().getVersion());
            if (e.getKv().getLease() != 0) {
                sb.append(" l").append(e.getKv().getLease());
            }
        } else {
            // etcd: a DELETE event's kv holds the key and the deletion's revision, nothing else
            sb.append(" m").append(e.getKv().getModRevision());
            if (e.getKv().getCreateRevision() != 0 || e.getKv().getVersion() != 0 || !e.getKv().getValue().isEmpty()) {
                sb.append(" [unexpected: ").append(TextFormat.printer().shortDebugString(e.getKv())).append(']');
            }
        }
        if (e.hasPrevKv()) {
            sb.append(" prev=").append(s(e.getPrevKv().getValue()))
                    .append(" c").append(e.getPrevKv().getCreateRevision())
                    .append(" m").append(e.getPrevKv().getModRevision())
                    .append(" v").append(e.getPrevKv().getVersion());
        }
        return sb.toString();
    }

    public static List<String> events(WatchResponse r) {
        return r.getEventsList().stream().map(WatchStream::event).toList();
    }

    /** A whole response without the header's cluster and member ids and raft term. */
    public static String text(WatchResponse r) {
        WatchResponse.Builder n = r.toBuilder();
        if (r.hasHeader()) {
            n.setHeader(r.getHeader().toBuilder().clearClusterId().clearMemberId().clearRaftTerm());
        }
        return TextFormat.printer().shortDebugString(n.build());
    }

    public static String text(com.google.protobuf.Message m) {
        return TextFormat.printer().shortDebugString(m);
    }

    /**
     * Takes responses until the events of watch {@code watchId} reach {@code count}; fails on a response for
     * another watch, on one that is not an event response, or on more events than {@code count}.
     */
    public List<WatchResponse> eventResponses(long watchId, int count) {
        List<WatchResponse> got = new ArrayList<>();
        int n = 0;
        while (n < count) {
            WatchResponse r = next();
            if (r.getWatchId() != watchId || r.getCreated() || r.getCanceled() || r.getEventsCount() == 0) {
                fail("expected events of watch " + watchId + " (" + n + " of " + count + " so far), got " + text(r));
            }
            got.add(r);
            n += r.getEventsCount();
        }
        if (n != count) {
            fail("expected " + count + " events of watch " + watchId + ", got " + n + ": " + got.stream().map(WatchStream::text).toList());
        }
        return got;
    }

    /** The rendered events of {@link #eventResponses}. */
    public List<String> eventsOf(long watchId, int count) {
        return eventResponses(watchId, count).stream().flatMap(r -> events(r).stream()).toList();
    }
}
