package io.vetcd.server.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Responses come out framed, in order, in chunks of at most 64 KiB unless one response is bigger. */
class FrameQueueTest {
    private static byte[] message(int size, int fill) {
        byte[] m = new byte[size];
        Arrays.fill(m, (byte) fill);
        return m;
    }

    /** The oldest chunk's bytes, its memory given back as after its write. */
    static byte[] take(FrameQueue q) {
        FrameQueue.Chunk chunk = q.poll();
        byte[] bytes = chunk.frames.getBytes();
        chunk.releaseAfter(Future.succeededFuture());
        return bytes;
    }

    /** Splits a chunk back into its gRPC frames' messages. */
    private static List<byte[]> messages(byte[] chunk) {
        List<byte[]> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(chunk);
        while (b.hasRemaining()) {
            assertEquals(0, b.get(), "compressed flag");
            byte[] m = new byte[b.getInt()];
            b.get(m);
            out.add(m);
        }
        return out;
    }

    @Test
    void packsResponsesInOrderIntoChunks() {
        packsResponsesInOrderIntoChunks(-1);
    }

    /** A hint of the bytes to come only sizes the chunks' buffers: what is packed where is the same. */
    @Test
    void aHintOfWhatIsComingChangesNoChunk() {
        for (long hint : new long[] {0, 200, 65_536, 300_000, Long.MAX_VALUE}) {
            packsResponsesInOrderIntoChunks(hint);
        }
    }

    private static void packsResponsesInOrderIntoChunks(long hint) {
        FrameQueue q = new FrameQueue();
        if (hint >= 0) {
            q.expect(hint);
        }
        List<byte[]> sent = new ArrayList<>();
        int[] sizes = {100, 70_000, 50, 0, 300, 65_200, 1};
        for (int i = 0; i < sizes.length; i++) {
            sent.add(message(sizes[i], i));
            q.add(sent.get(i));
        }
        assertEquals(sizes.length, q.responses());
        List<byte[]> received = new ArrayList<>();
        List<Integer> chunkSizes = new ArrayList<>();
        while (!q.isEmpty()) {
            byte[] chunk = take(q);
            chunkSizes.add(chunk.length);
            received.addAll(messages(chunk));
        }
        assertEquals(0, q.responses());
        assertEquals(sent.size(), received.size());
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), received.get(i), "response " + i);
        }
        // 100 | 70,000 alone (over the limit) | 50, 0, 300 (65,200 would not fit) | 65,200, 1
        assertEquals(List.of(105, 70_005, 55 + 5 + 305, 65_205 + 6), chunkSizes);
    }

    @Test
    void aPolledChunkIsNotAppendedTo() {
        FrameQueue q = new FrameQueue();
        q.add(message(10, 1));
        byte[] first = take(q);
        q.add(message(20, 2));
        assertEquals(15, first.length);
        byte[] second = take(q);
        assertEquals(25, second.length);
        assertTrue(q.isEmpty());
    }

    /**
     * A big chunk's pooled memory goes back once its write is over, succeeded or failed; a clear drops only
     * queued chunks. A small chunk is on the heap.
     */
    @Test
    void chunksGiveTheirMemoryBack() {
        FrameQueue q = new FrameQueue();
        q.add(message(70_000, 1)); // one chunk each
        q.add(message(70_000, 2));
        q.add(message(70_000, 3));
        FrameQueue.Chunk written = q.poll();
        FrameQueue.Chunk failed = q.poll();
        assertEquals(1, written.memory.refCnt());
        written.handle(Future.succeededFuture());
        failed.handle(Future.failedFuture("stream reset"));
        assertEquals(0, written.memory.refCnt());
        assertEquals(0, failed.memory.refCnt());
        FrameQueue.Chunk polled = q.poll(); // the third
        q.add(message(10, 4));
        q.clear();
        assertEquals(1, polled.memory.refCnt(), "polled before the clear: its write gives it back");
        assertTrue(q.isEmpty());
        polled.releaseAfter(Future.succeededFuture());
        assertEquals(0, polled.memory.refCnt());
        q.add(message(10, 5));
        FrameQueue.Chunk small = q.poll();
        assertNull(small.memory, "a small chunk is on the heap");
        small.releaseAfter(Future.succeededFuture());
    }
}
