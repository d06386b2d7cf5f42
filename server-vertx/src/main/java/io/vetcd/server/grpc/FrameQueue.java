package io.vetcd.server.grpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
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
 * <p>A chunk made for at least {@value #POOLED_BYTES} bytes is pooled direct memory, handed back to Netty's
 * pool once written: the fan-out benchmark writes ~1.9 GB of events a run in such chunks, and as heap
 * buffers each was zeroed when made, copied again into direct memory by Netty for the socket, and
 * collected by the GC (5 runs: 42 young collections of ~410 MB, 22 of ~125 MB now). So a pooled
 * {@link Chunk} is released exactly once: when its write completes or fails ({@link Chunk#releaseAfter}),
 * as soon as its frames are copied out ({@link Chunk#release}), or when the queue is {@link #clear}ed.
 * A smaller chunk (a live event to a few watchers) stays on the heap: listening for the completion of
 * its write cost more than the copy saved (watch latency p99 0.64 vs 0.85 ms with every chunk pooled,
 * medians of 6 rounds).
 *
 * <p>Context only (one per {@link WatchStream}).
 */
final class FrameQueue {
    static final int CHUNK_BYTES = 64 * 1024;
    /** A chunk made for this many bytes or more is pooled direct memory. */
    static final int POOLED_BYTES = 8 * 1024;
    /** A new chunk's first capacity: it grows as responses come, up to about {@link #CHUNK_BYTES}. */
    private static final int FIRST_CAPACITY = 512;

    /** One write's frames, and for a pooled chunk the memory under them. */
    static final class Chunk implements Handler<AsyncResult<Void>> {
        /** Pooled direct memory, given back once written; null for a heap chunk. */
        final ByteBuf memory;
        /** The frames: what is written. */
        final Buffer frames;
        private int responses;

        Chunk(int capacity) {
            memory = capacity >= POOLED_BYTES ? ByteBufAllocator.DEFAULT.directBuffer(capacity) : null;
            frames = memory != null ? BufferInternal.buffer(memory) : Buffer.buffer(capacity);
        }

        /** Gives a pooled chunk's memory back once {@code write}, of {@link #frames}, is over. */
        void releaseAfter(Future<Void> write) {
            if (memory != null) {
                write.onComplete(this);
            }
        }

        /** The write is over: Netty no longer reads the frames (Vert.x hands it a view it cannot release). */
        @Override
        public void handle(AsyncResult<Void> written) {
            release();
        }

        /** Gives a pooled chunk's memory back now: its frames were copied out ({@link DirectDataFrames}). */
        void release() {
            if (memory != null) {
                memory.release();
            }
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

    /** The oldest chunk, out of the queue: the caller writes its frames, then calls {@link Chunk#releaseAfter}. */
    Chunk poll() {
        Chunk c = chunks.poll();
        responses -= c.responses;
        return c;
    }

    /** Drops every chunk (the stream is over), giving their memory back. */
    void clear() {
        for (Chunk c : chunks) {
            if (c.memory != null) {
                c.memory.release();
            }
        }
        chunks.clear();
        responses = 0;
        expected = 0;
    }
}
