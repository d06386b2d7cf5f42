package io.vetcd.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * One socket flush per event-loop task on an HTTP/2 connection, not one per gRPC message.
 *
 * <p>Vert.x flushes the channel after every HTTP/2 DATA write made outside a read: a watch stream that
 * hands 100 watchers' responses to its event loop in one task paid 100 flushes, each running Netty's
 * HTTP/2 flow controller and a {@code writev} system call for one small frame. Netty's
 * {@link FlushConsolidationHandler}, placed on the tail side of the HTTP/2 handler, holds those flushes
 * back until the task ends (or every {@value #FLUSH_AFTER} flushes); the HTTP/2 handler then frames all
 * of them at once, merging consecutive writes of a stream into one DATA frame, and the kernel gets one
 * system call. Worked example: a put watched by 1000 watchers over 10 streams of one connection made
 * 1000 flushes; now it makes about 10 (one per stream's drain task), or 4 if one task wrote everything.
 *
 * <p>Nothing waits longer than the end of the current event-loop task, so a lone response (a unary
 * reply, one watch event) leaves as soon as before, give or take one task. Reads still flush at the end of
 * the read, as Netty's HTTP/2 handler does that itself.
 *
 * <p>Like {@link LenientAuthority} it reaches into Vert.x internals; every gRPC test fails if a Vert.x
 * upgrade breaks it (no response would ever be flushed).
 */
public final class FlushCoalescing {
    /** Flushes let through after this many are held back in one task, so a huge task still streams. */
    static final int FLUSH_AFTER = 256;

    private FlushCoalescing() {}

    /** For {@code HttpServer.connectionHandler}: installs the consolidation on HTTP/2 connections. */
    public static void install(HttpConnection connection) {
        if (!(connection instanceof ConnectionBase base)) {
            return;
        }
        ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
        ChannelHandlerContext http2 = pipeline.context(Http2ConnectionHandler.class);
        if (http2 == null || pipeline.get(FlushConsolidationHandler.class) != null) {
            return; // HTTP/1.x, or installed already
        }
        // Vert.x flushes with channel().flush(), which starts at the tail: this handler sees it first.
        pipeline.addAfter(http2.name(), "vetcd-flush-coalescing", new FlushConsolidationHandler(FLUSH_AFTER, true));
    }
}
