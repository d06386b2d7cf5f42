package io.vetcd.bench.load;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2EventAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.AsciiString;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.transport.Transport;
import io.vertx.grpc.common.CodecException;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * One HTTP/2 connection speaking gRPC directly on Netty's HTTP/2 codec, on one event loop.
 *
 * <p>Why not Vert.x's gRPC client: on this 2-core machine the load tool shares the CPU with the server
 * it measures, so its cost per call decides what it can measure. Vert.x 5.0's client spends ~20 % of
 * its CPU allocating a 1024-slot queue for every HTTP/2 stream ({@code OutboundMessageQueue}) and most
 * of the rest in three levels of future composition per call (JFR profile in
 * perf-reports/load/README.md); it topped out at a third of etcd's Go tool on the same server. Here a
 * call is a HEADERS and a DATA frame written from the caller's event loop with a cached header block,
 * and flushes are merged per event-loop turn ({@link FlushConsolidationHandler}), as grpc-go does.
 *
 * <p>Threading contract: everything — {@link #open}, {@link Call#write}, {@link Call#halfClose} and every
 * {@link Listener} callback — runs on the connection's event loop, which is the Vert.x context's
 * (so a request loop issued from that context never changes thread).
 */
final class GrpcConnection {
    /** What a call hears: each response message, then exactly one close (null error: status OK). */
    interface Listener<Resp> {
        void onMessage(Resp message);

        void onClose(Connections.RpcException error);
    }

    /**
     * A decoder that reads a response message straight from the connection's bytes: exactly
     * {@code length} bytes from {@code in}'s reader index on (advancing it). Lets a hot stream skip the
     * per-message copy, Vert.x buffer and protobuf objects of a {@link GrpcMessageDecoder}.
     */
    interface RawDecoder<Resp> {
        Resp decode(ByteBuf in, int length) throws CodecException;
    }

    /** An open call (a gRPC stream): messages out, half-close. */
    interface Call<Req> {
        void write(Req message, boolean last);

        void halfClose();
    }

    private static final AsciiString POST = AsciiString.cached("POST");
    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString CONTENT_TYPE = AsciiString.cached("content-type");
    private static final AsciiString GRPC = AsciiString.cached("application/grpc");
    private static final AsciiString TE = AsciiString.cached("te");
    private static final AsciiString TRAILERS = AsciiString.cached("trailers");
    private static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    private static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
    /** Our receive window per stream and for the connection: responses never wait for WINDOW_UPDATE. */
    private static final int WINDOW = 1 << 20;

    /** Set on the event loop when the channel registers, before any event of it; see {@link #connect}. */
    private Channel channel;
    private final Http2ConnectionHandler http2;
    private final AsciiString authority;
    private final IntObjectMap<ActiveCall<?, ?>> calls = new IntObjectHashMap<>();
    private final Map<String, Http2Headers> headersByPath = new HashMap<>();
    private final Queue<ActiveCall<?, ?>> waiting = new ArrayDeque<>();
    private Connections.RpcException closed;

    private GrpcConnection(Http2ConnectionHandler http2, SocketAddress address) {
        this.http2 = http2;
        this.authority = new AsciiString(address.host() + ":" + address.port());
        http2.connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                startWaiting();
            }
        });
    }

    /**
     * Connects to {@code address} on {@code loop}; the future completes once the TCP connection is up.
     * The connection object exists before its channel does, so no event of the channel can find it
     * missing; callers use it after the future completed (which orders their reads after the loop's writes).
     */
    static ChannelFuture connect(Transport transport, EventLoop loop, SocketAddress address, int connectTimeoutMs,
                                 GrpcConnection[] result) {
        Frames frames = new Frames();
        Http2ConnectionHandler http2 = new Http2ConnectionHandlerBuilder()
                .server(false)
                .frameListener(frames)
                .initialSettings(Http2Settings.defaultSettings().initialWindowSize(WINDOW))
                .build();
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channelFactory(transport.channelFactory(false))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        frames.connection.channel = ch;
                        ch.pipeline().addLast(new FlushConsolidationHandler(256, true), http2, new Closer(frames));
                    }
                });
        if (connectTimeoutMs > 0) {
            bootstrap.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMs);
        }
        result[0] = new GrpcConnection(http2, address);
        frames.connection = result[0];
        return bootstrap.connect(new InetSocketAddress(address.host(), address.port()));
    }

    /**
     * Opens a call to {@code method}; call on the event loop. Past the server's
     * SETTINGS_MAX_CONCURRENT_STREAMS the call waits, messages and all, until a stream closes (grpc-go
     * waits for stream quota the same way).
     */
    <Req, Resp> Call<Req> open(ServiceMethod<Resp, Req> method, Listener<Resp> listener) {
        return open(method.fullMethodName(), method.decoder(), null, listener);
    }

    /** {@link #open(ServiceMethod, Listener)} with the responses read by {@code raw} instead of the method's decoder. */
    <Req, Resp> Call<Req> open(ServiceMethod<?, Req> method, RawDecoder<Resp> raw, Listener<Resp> listener) {
        return open(method.fullMethodName(), null, raw, listener);
    }

    private <Req, Resp> Call<Req> open(String path, GrpcMessageDecoder<Resp> decoder, RawDecoder<Resp> raw,
                                       Listener<Resp> listener) {
        ActiveCall<Req, Resp> call = new ActiveCall<>(
                headersByPath.computeIfAbsent(path, this::headers), decoder, raw, listener);
        if (closed != null) {
            call.close(closed);
        } else if (waiting.isEmpty() && http2.connection().local().canOpenStream()) {
            call.start();
        } else {
            waiting.add(call);
        }
        return call;
    }

    /** A stream closed: start the calls that waited for one. */
    private void startWaiting() {
        while (!waiting.isEmpty() && closed == null && http2.connection().local().canOpenStream()) {
            waiting.poll().start();
        }
    }

    /** Completes a unary call: the one response, or the call's error. */
    <Req, Resp> void unary(ServiceMethod<Resp, Req> method, Req request, Listener<Resp> listener) {
        open(method, listener).write(request, true);
    }

    void close() {
        if (channel != null) { // null: the channel never registered
            channel.close();
        }
    }

    private Http2Headers headers(String path) {
        Http2Headers h = new DefaultHttp2Headers(false, 6)
                .method(POST).scheme(HTTP).path(new AsciiString("/" + path)).authority(authority);
        h.add(CONTENT_TYPE, GRPC);
        h.add(TE, TRAILERS);
        return h;
    }

    /** A gRPC length-prefixed message; null: no message (an empty DATA frame, to half-close). */
    private static ByteBuf frame(MessageLite message) {
        if (message == null) {
            return Unpooled.EMPTY_BUFFER;
        }
        int size = message.getSerializedSize();
        byte[] bytes = new byte[5 + size];
        bytes[1] = (byte) (size >>> 24);
        bytes[2] = (byte) (size >>> 16);
        bytes[3] = (byte) (size >>> 8);
        bytes[4] = (byte) size;
        try {
            message.writeTo(CodedOutputStream.newInstance(bytes, 5, size));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e); // writing into an array of the right size cannot fail
        }
        return Unpooled.wrappedBuffer(bytes);
    }

    /**
     * One stream's state: the response bytes not yet cut into messages, whether the headers came, and the
     * messages written before the stream could start.
     */
    private final class ActiveCall<Req, Resp> implements Call<Req> {
        private final Http2Headers headers;
        private final GrpcMessageDecoder<Resp> decoder;
        private final RawDecoder<Resp> raw;
        private final Listener<Resp> listener;
        private int id = -1;
        private boolean headersSeen;
        private boolean done;
        private CompositeByteBuf pending;
        private List<ByteBuf> unsent;
        private boolean unsentLast;

        ActiveCall(Http2Headers headers, GrpcMessageDecoder<Resp> decoder, RawDecoder<Resp> raw,
                   Listener<Resp> listener) {
            this.headers = headers;
            this.decoder = decoder;
            this.raw = raw;
            this.listener = listener;
        }

        void start() {
            if (done) {
                return;
            }
            ChannelHandlerContext ctx = channel.pipeline().context(http2);
            id = http2.connection().local().incrementAndGetNextStreamId();
            calls.put(id, this);
            http2.encoder().writeHeaders(ctx, id, headers, 0, false, ctx.newPromise()).addListener(f -> {
                if (!f.isSuccess()) {
                    close(Connections.RpcException.of(f.cause()));
                }
            });
            if (unsent != null) {
                for (int i = 0; i < unsent.size(); i++) {
                    send(unsent.get(i), unsentLast && i == unsent.size() - 1);
                }
                unsent = null;
            }
            channel.flush();
        }

        @Override
        public void write(Req message, boolean last) {
            if (done) {
                return;
            }
            ByteBuf data = frame((MessageLite) message);
            if (id < 0) {
                if (unsent == null) {
                    unsent = new ArrayList<>(1);
                }
                unsent.add(data);
                unsentLast = last;
                return;
            }
            send(data, last);
            channel.flush();
        }

        @Override
        public void halfClose() {
            if (done) {
                return;
            }
            if (id < 0) {
                write(null, true);
                return;
            }
            send(Unpooled.EMPTY_BUFFER, true);
            channel.flush();
        }

        private void send(ByteBuf data, boolean last) {
            ChannelHandlerContext ctx = channel.pipeline().context(http2);
            http2.encoder().writeData(ctx, id, data, 0, last, ctx.newPromise());
        }

        void onHeaders(Http2Headers headers, boolean endStream) {
            if (!headersSeen && !endStream) {
                headersSeen = true;
                CharSequence status = headers.status();
                if (status != null && !"200".contentEquals(status)) {
                    fail(GrpcStatus.UNKNOWN, "unexpected HTTP status code received from server: " + status);
                }
                return;
            }
            // trailers, or a trailers-only response
            CharSequence code = headers.get(GRPC_STATUS);
            GrpcStatus status = code == null ? GrpcStatus.UNKNOWN : GrpcStatus.valueOf(Integer.parseInt(code.toString()));
            if (status == GrpcStatus.OK) {
                close(null);
            } else {
                CharSequence message = headers.get(GRPC_MESSAGE);
                close(Connections.RpcException.status(status, message == null ? null
                        : URLDecoder.decode(message.toString().replace("+", "%2B"), StandardCharsets.UTF_8), null));
            }
        }

        /**
         * Cuts the stream's bytes into messages. When no partial message is left from the previous DATA
         * frame (the usual case), the frame is read in place; only a trailing partial message is kept.
         */
        void onData(ByteBuf data) {
            if (done) {
                return;
            }
            ByteBuf in;
            if (pending == null || !pending.isReadable()) {
                in = data;
            } else {
                pending.addComponent(true, data.retain());
                in = pending;
            }
            while (!done && in.readableBytes() >= 5) {
                int length = in.getInt(in.readerIndex() + 1);
                if (length < 0) {
                    fail(GrpcStatus.RESOURCE_EXHAUSTED, "grpc: received message larger than max (" + (length & 0xffffffffL) + ")");
                    return;
                }
                if (in.readableBytes() - 5 < length) {
                    break;
                }
                boolean compressed = in.getByte(in.readerIndex()) != 0;
                in.skipBytes(5);
                if (compressed) {
                    fail(GrpcStatus.INTERNAL, "grpc: compressed message without a decompressor");
                    return;
                }
                Resp message;
                try {
                    if (raw != null) {
                        int end = in.readerIndex() + length;
                        message = raw.decode(in, length);
                        in.readerIndex(end);
                    } else {
                        byte[] bytes = new byte[length];
                        in.readBytes(bytes);
                        message = decoder.decode(GrpcMessage.message("identity", Buffer.buffer(bytes)));
                    }
                } catch (CodecException e) {
                    fail(GrpcStatus.INTERNAL, "grpc: failed to unmarshal the received message: " + e.getMessage());
                    return;
                }
                listener.onMessage(message);
            }
            if (done) {
                return;
            }
            if (in == data) {
                if (data.isReadable()) {
                    if (pending == null) {
                        pending = channel.alloc().compositeHeapBuffer();
                    }
                    pending.addComponent(true, data.retain()); // from its reader index: the partial message
                }
            } else {
                pending.discardReadComponents();
            }
        }

        private void fail(GrpcStatus status, String message) {
            close(Connections.RpcException.status(status, message, null));
            if (id < 0) {
                return;
            }
            ChannelHandlerContext ctx = channel.pipeline().context(http2);
            http2.encoder().writeRstStream(ctx, id, Http2Error.CANCEL.code(), ctx.newPromise());
            channel.flush();
        }

        void close(Connections.RpcException error) {
            if (done) {
                return;
            }
            done = true;
            if (id >= 0) {
                calls.remove(id);
            }
            if (unsent != null) {
                unsent.forEach(ByteBuf::release);
                unsent = null;
            }
            if (pending != null) {
                pending.release();
                pending = null;
            }
            listener.onClose(error);
        }
    }

    /** Routes the codec's frame events to the calls, by stream id. */
    private static final class Frames extends Http2EventAdapter {
        GrpcConnection connection;

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                  boolean endOfStream) {
            ActiveCall<?, ?> call = connection.calls.get(streamId);
            if (call != null) {
                call.onHeaders(headers, endOfStream);
            }
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                                  short weight, boolean exclusive, int padding, boolean endOfStream) {
            onHeadersRead(ctx, streamId, headers, padding, endOfStream);
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            int processed = data.readableBytes() + padding;
            ActiveCall<?, ?> call = connection.calls.get(streamId);
            if (call != null) {
                call.onData(data);
                if (endOfStream) { // DATA with END_STREAM and no trailers: grpc-go reports it as an internal error
                    call.close(Connections.RpcException.status(GrpcStatus.INTERNAL,
                            "server closed the stream without sending trailers", null));
                }
            }
            return processed;
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            ActiveCall<?, ?> call = connection.calls.get(streamId);
            if (call != null) {
                call.close(Connections.RpcException.status(GrpcStatus.INTERNAL,
                        "stream terminated by RST_STREAM with error code: " + Http2Error.valueOf(errorCode), null));
            }
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
            connection.closeAll(Connections.RpcException.status(GrpcStatus.UNAVAILABLE,
                    "the server sent GOAWAY (" + Http2Error.valueOf(errorCode) + ")", null), lastStreamId);
        }
    }

    /** Fails every open call when the connection goes away. */
    private static final class Closer extends ChannelInboundHandlerAdapter {
        private final Frames frames;

        Closer(Frames frames) {
            this.frames = frames;
        }

        /** The codec has sent the preface and our SETTINGS by now: open the connection's window too. */
        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Http2Exception {
            GrpcConnection c = frames.connection;
            Http2Stream root = c.http2.connection().connectionStream();
            c.http2.connection().local().flowController().incrementWindowSize(root, WINDOW - 65_535);
            ctx.flush();
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            frames.connection.closeAll(Connections.RpcException.status(GrpcStatus.UNAVAILABLE,
                    "error reading from server: EOF", null), -1);
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Closes the calls above {@code lastStreamId} (all when -1) with {@code error}; later opens fail with it too. */
    private void closeAll(Connections.RpcException error, int lastStreamId) {
        if (lastStreamId < 0) {
            closed = error;
        }
        List<ActiveCall<?, ?>> affected = new ArrayList<>();
        for (IntObjectMap.PrimitiveEntry<ActiveCall<?, ?>> e : calls.entries()) {
            if (e.key() > lastStreamId) {
                affected.add(e.value());
            }
        }
        if (lastStreamId < 0) {
            affected.addAll(waiting);
            waiting.clear();
        }
        affected.forEach(c -> c.close(error));
    }
}
