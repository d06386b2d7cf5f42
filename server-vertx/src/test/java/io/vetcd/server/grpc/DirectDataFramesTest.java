package io.vetcd.server.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Stream;
import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link DirectDataFrames} on a Netty HTTP/2 server connection in an {@link EmbeddedChannel}: what it
 * writes, what it refuses, and that Netty's flow controller counts its frames. Stream 3 is a client
 * stream the server answers; every window starts at HTTP/2's default, 65,535 bytes.
 */
class DirectDataFramesTest {
    private static final int STREAM = 3;
    private static final int WINDOW = Http2CodecUtil.DEFAULT_WINDOW_SIZE;

    private EmbeddedChannel channel;
    private Http2ConnectionHandler handler;
    private Http2Stream stream;
    private Http2RemoteFlowController flow;
    private DirectDataFrames direct;

    @BeforeEach
    void connect() throws Exception {
        handler = new Http2ConnectionHandlerBuilder().server(true).frameListener(new Http2FrameAdapter()).build();
        channel = new EmbeddedChannel(handler);
        drainOutbound(); // the server's SETTINGS
        stream = handler.connection().remote().createStream(STREAM, false);
        flow = handler.encoder().flowController();
        direct = DirectDataFrames.of(channel.pipeline(), STREAM);
        assertNotNull(direct);
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void aChunkGoesOutAsOneDataFrameAndBothWindowsShrinkByIt() {
        byte[] payload = bytes(300, 7);
        assertTrue(direct.tryWrite(Buffer.buffer(payload)));
        byte[] wire = drainOutbound();
        // header: length 300 (24 bits), type DATA (0), no flags, stream 3
        assertArrayEquals(new byte[] {0, 1, 44, 0, 0, 0, 0, 0, STREAM}, Arrays.copyOf(wire, 9));
        assertArrayEquals(payload, Arrays.copyOfRange(wire, 9, wire.length));
        assertEquals(WINDOW - 300, flow.windowSize(stream));
        assertEquals(WINDOW - 300, flow.windowSize(handler.connection().connectionStream()));
    }

    @Test
    void aChunkTheStreamWindowCannotHoldIsRefusedAndNothingIsWritten() throws Exception {
        flow.incrementWindowSize(stream, -(WINDOW - 200)); // 200 bytes left
        assertFalse(direct.tryWrite(Buffer.buffer(bytes(201, 1))));
        assertEquals(0, drainOutbound().length);
        assertEquals(200, flow.windowSize(stream));
        assertTrue(direct.tryWrite(Buffer.buffer(bytes(200, 1))));
        assertEquals(0, flow.windowSize(stream));
    }

    @Test
    void aChunkTheConnectionWindowCannotHoldIsRefused() throws Exception {
        flow.incrementWindowSize(handler.connection().connectionStream(), -(WINDOW - 50));
        assertFalse(direct.tryWrite(Buffer.buffer(bytes(51, 1))));
        assertEquals(WINDOW, flow.windowSize(stream));
        assertEquals(0, drainOutbound().length);
    }

    @Test
    void nothingOvertakesAFrameWaitingInNettysQueue() {
        // a write through the encoder waits in the flow controller until the next flush
        handler.encoder().writeData(channel.pipeline().context(handler), STREAM, Unpooled.wrappedBuffer(bytes(10, 2)),
                0, false, channel.newPromise());
        assertTrue(flow.hasFlowControlled(stream));
        assertFalse(direct.tryWrite(Buffer.buffer(bytes(10, 3))));
        assertEquals(19, drainOutbound().length); // flushed: the queued frame goes out
        assertFalse(flow.hasFlowControlled(stream));
        assertTrue(direct.tryWrite(Buffer.buffer(bytes(10, 3))));
        assertEquals(WINDOW - 20, flow.windowSize(stream));
    }

    @Test
    void theEncoderKeepsToTheWindowTheDirectFramesLeft() {
        for (int i = 0; i < 4; i++) {
            assertTrue(direct.tryWrite(Buffer.buffer(bytes(16_000, 4))));
        }
        int left = flow.windowSize(stream);
        assertEquals(WINDOW - 64_000, left);
        drainOutbound();
        // more than is left through the encoder: Netty writes only what the window allows
        handler.encoder().writeData(channel.pipeline().context(handler), STREAM,
                Unpooled.wrappedBuffer(bytes(left + 1000, 5)), 0, false, channel.newPromise());
        assertEquals(9 + left, drainOutbound().length); // one frame of what was left
        assertFalse(direct.tryWrite(Buffer.buffer(bytes(1, 5)))); // behind the rest, which waits for the window
        assertEquals(0, flow.windowSize(stream));
        assertTrue(flow.hasFlowControlled(stream));
    }

    @Test
    void moreThanOneFrameAClosedStreamOrAnUnknownStreamIsLeftToVertx() {
        assertFalse(direct.tryWrite(Buffer.buffer(bytes(Http2CodecUtil.DEFAULT_MAX_FRAME_SIZE + 1, 6))));
        assertTrue(direct.tryWrite(Buffer.buffer(bytes(Http2CodecUtil.DEFAULT_MAX_FRAME_SIZE, 6))));
        drainOutbound();
        stream.close();
        assertFalse(direct.tryWrite(Buffer.buffer(bytes(10, 6))));
        assertEquals(0, drainOutbound().length);
        assertNull(DirectDataFrames.of(channel.pipeline(), 5));
        assertNull(DirectDataFrames.of(new EmbeddedChannel().pipeline(), STREAM));
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    /** Everything written to the socket since the last call, flushed first. */
    private byte[] drainOutbound() {
        channel.flush();
        ByteBuf all = Unpooled.buffer();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            all.writeBytes(b);
            b.release();
        }
        byte[] out = new byte[all.readableBytes()];
        all.readBytes(out);
        return out;
    }
}
