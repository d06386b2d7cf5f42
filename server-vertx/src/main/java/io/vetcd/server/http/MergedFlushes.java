package io.vetcd.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * One socket flush per event-loop turn for all the replies written in it, instead of one per reply.
 *
 * <p>Vert.x flushes after every HTTP/2 write made outside a read (its own batching covers only replies
 * written while the connection is reading). vetcd's write replies arrive from the writer thread as
 * event-loop tasks, a whole batch at once: with 100 clients on a connection, Vert.x made ~100 write
 * syscalls per writer batch. Netty's {@link FlushConsolidationHandler}, between the socket and the
 * HTTP/2 codec, turns the flushes of one run of tasks into one, issued after the run (measured in
 * perf-reports/load/README.md).
 *
 * <p>Like {@link LenientAuthority} it reaches into Vert.x internals ({@link ConnectionBase#channelHandlerContext()}).
 */
public final class MergedFlushes {
    /** Flush at least every this many writes even inside one long read (Netty's default). */
    private static final int MAX_MERGED = FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES;

    private MergedFlushes() {}

    /** For {@code HttpServer.connectionHandler}: installs the merging on HTTP/2 connections. */
    public static void install(HttpConnection connection) {
        if (!(connection instanceof ConnectionBase base)) {
            return;
        }
        ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
        ChannelHandlerContext http2 = pipeline.context(Http2ConnectionHandler.class);
        if (http2 != null && pipeline.get(FlushConsolidationHandler.class) == null) {
            pipeline.addBefore(http2.name(), "vetcd-merged-flushes", new FlushConsolidationHandler(MAX_MERGED, true));
        }
    }
}
