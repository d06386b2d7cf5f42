package io.vetcd.server.grpc;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;

/**
 * A watch stream's responses on their way out, already framed for the wire ({@link GrpcFrames}) and packed
 * into chunks of about {@value #CHUNK_BYTES} bytes, each one HTTP/2 write.
 *
 * <p>Responses are framed straight into the chunk at the tail, so a drain that makes 1000 responses (a put
 * watched by 1000 watchers of the stream) makes two writes of one buffer each, not 1000 buffers copied
 * into a batch. A chunk is never appended to once {@link #poll() polled}: what was handed to the HTTP/2
 * stream stays as it was. Worked example: responses of 100, 70,000 and 50 bytes arrive; the first
 * starts chunk A (105 bytes framed), the second does not fit A's 64 KiB and starts chunk B (a chunk holds
 * at least one response, whatever its size), the third starts chunk C as B is over the limit; the pump
 * writes A, B, C in that order.
 *
 * <p>Context only (one per {@link WatchStream}).
 */
final class FrameQueue {
    static final int CHUNK_BYTES = 64 * 1024;
    /** A new chunk's first capacity: it grows as responses come, up to about {@link #CHUNK_BYTES}. */
    private static final int FIRST_CAPACITY = 512;

    private static final class Chunk {
        final Buffer frames;
        int responses;

        Chunk(int capacity) {
            frames = Buffer.buffer(capacity);
        }
    }

    private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
    private int responses;
    /** Bytes the caller said it is about to frame ({@link #expect}) and has not framed yet. */
    private long expected;

    /**
     * Starts the frame of one response of {@code messageBytes} bytes: its prefix is written, and the
     * caller appends exactly {@code messageBytes} bytes of message to the returned buffer, now.
     */
    Buffer frame(int messageBytes) {
        int framed = GrpcFrames.PREFIX_BYTES + messageBytes;
        Chunk last = chunks.peekLast();
        if (last == null || last.frames.length() + framed > CHUNK_BYTES) {
            last = new Chunk((int) Math.max(framed, Math.min(CHUNK_BYTES, expected > 0 ? expected : FIRST_CAPACITY)));
            chunks.add(last);
        }
        expected = Math.max(0, expected - framed);
        last.responses++;
        responses++;
        return GrpcFrames.prefix(last.frames, messageBytes);
    }

    /**
     * Says about how many bytes of frames are coming: the chunks they start are made that big (up to
     * {@value #CHUNK_BYTES}) rather than grown as they fill, which copies a chunk each time it doubles.
     * Worked example: a drain of 128 responses of 40 events expects ~330,000 bytes: its chunks start at
     * 64 KiB while that much is still to come, and the last at what is left; after a hint of 300 bytes, a
     * new chunk starts at 300 bytes (a live event to one watcher: ~100 bytes, not {@value #FIRST_CAPACITY});
     * without a hint, at {@value #FIRST_CAPACITY}.
     */
    void expect(long bytes) {
        expected = bytes;
    }

    /** Queues one encoded response. */
    void add(byte[] message) {
        frame(message.length).appendBytes(message);
    }

    boolean isEmpty() {
        return chunks.isEmpty();
    }

    /** Responses queued, in every chunk. */
    int responses() {
        return responses;
    }

    /** The oldest chunk, out of the queue. */
    Buffer poll() {
        Chunk c = chunks.poll();
        responses -= c.responses;
        return c.frames;
    }

    void clear() {
        chunks.clear();
        responses = 0;
        expected = 0;
    }
}
