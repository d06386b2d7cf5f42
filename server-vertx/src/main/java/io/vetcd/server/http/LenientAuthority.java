package io.vetcd.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Accepts the {@code :authority} values real gRPC clients send, as etcd (grpc-go) does.
 *
 * <p>etcdctl 3.4 dials single endpoints with a {@code passthrough:///http://host:port} target, so its
 * {@code endpoint status}, {@code hashkv}, {@code defrag} and {@code snapshot} calls arrive with
 * {@code :authority = "http://host:port"}. Vert.x treats such a stream as malformed and resets it with
 * PROTOCOL_ERROR. This decorates the connection's HTTP/2 frame listener: an authority Vert.x cannot
 * parse loses its {@code scheme://} prefix, or is dropped when that does not help; nothing else changes.
 *
 * <p>It reaches into Vert.x internals ({@link ConnectionBase#channelHandlerContext()}); the etcdctl
 * {@code endpoint status} test fails if a Vert.x upgrade breaks it.
 */
public final class LenientAuthority {
    private LenientAuthority() {}

    /** For {@code HttpServer.connectionHandler}: installs the decorator on HTTP/2 connections. */
    public static void install(HttpConnection connection) {
        if (!(connection instanceof ConnectionBase base)) {
            return;
        }
        Http2ConnectionHandler http2 = base.channelHandlerContext().pipeline().get(Http2ConnectionHandler.class);
        if (http2 == null) {
            return; // HTTP/1.x
        }
        Http2FrameListener listener = http2.decoder().frameListener();
        if (listener != null && !(listener instanceof Decorator)) {
            http2.decoder().frameListener(new Decorator(listener));
        }
    }

    static CharSequence repaired(CharSequence authority) {
        String value = authority.toString();
        if (HostAndPort.parseAuthority(value, -1) != null) {
            return authority;
        }
        int scheme = value.indexOf("://");
        if (scheme >= 0) {
            String stripped = value.substring(scheme + 3);
            int slash = stripped.indexOf('/');
            stripped = slash >= 0 ? stripped.substring(0, slash) : stripped;
            if (HostAndPort.parseAuthority(stripped, -1) != null) {
                return stripped;
            }
        }
        return null;
    }

    private static final class Decorator extends Http2FrameListenerDecorator {
        Decorator(Http2FrameListener listener) {
            super(listener);
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                  boolean endStream) throws Http2Exception {
            super.onHeadersRead(ctx, streamId, repair(headers), padding, endStream);
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                                  short weight, boolean exclusive, int padding, boolean endStream)
                throws Http2Exception {
            super.onHeadersRead(ctx, streamId, repair(headers), streamDependency, weight, exclusive, padding,
                    endStream);
        }

        private static Http2Headers repair(Http2Headers headers) {
            CharSequence authority = headers.authority();
            if (authority != null) {
                CharSequence fixed = repaired(authority);
                if (fixed == null) {
                    headers.remove(Http2Headers.PseudoHeaderName.AUTHORITY.value());
                } else if (fixed != authority) {
                    headers.authority(fixed);
                }
            }
            return headers;
        }
    }
}
