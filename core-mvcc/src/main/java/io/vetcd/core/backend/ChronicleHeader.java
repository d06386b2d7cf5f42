package io.vetcd.core.backend;

import static net.openhft.chronicle.hash.impl.SizePrefixedBlob.HEADER_OFFSET;
import static net.openhft.chronicle.hash.impl.SizePrefixedBlob.SELF_BOOTSTRAPPING_HEADER_OFFSET;
import static net.openhft.chronicle.hash.impl.SizePrefixedBlob.SIZE_WORD_OFFSET;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import net.openhft.chronicle.algo.hashing.LongHashFunction;
import net.openhft.chronicle.hash.impl.SizePrefixedBlob;

/**
 * Checks a Chronicle Map file's self-describing header before Chronicle opens it, so that damage fails
 * fast with the file's name: Chronicle itself waits a minute for a header that is not marked complete
 * (it takes it for one another process is still writing), and in recovery mode it rewrites what it
 * cannot read.
 *
 * <p>The header (Chronicle's {@code SizePrefixedBlob}, little-endian): at 0 an xxHash (r39) of bytes
 * from 8 on, computed with the size word marked complete; at 8 the size word (bit 31 set = not complete,
 * low 30 bits = header length); from 12 the header text. Worked example: size word {@code 0x00000120}
 * is a complete 288-byte header at bytes 12..300, whose checksum covers bytes 8..300.
 */
final class ChronicleHeader {
    private ChronicleHeader() {}

    /**
     * @param recovering whether the file is opened for recovery, where a header left "not complete" by a
     *                   process killed while creating or recovering the map is expected
     * @throws IllegalStateException the header is short, incomplete (unless recovering) or fails its checksum
     */
    static void verify(Path file, boolean recovering) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = channel.size();
            ByteBuffer prefix = read(channel, SELF_BOOTSTRAPPING_HEADER_OFFSET, file, length);
            int sizeWord = prefix.getInt(SIZE_WORD_OFFSET);
            int headerSize = SizePrefixedBlob.extractSize(sizeWord);
            if (!recovering && !SizePrefixedBlob.isReady(sizeWord)) {
                throw corrupt(file, "Chronicle Map header not marked complete");
            }
            ByteBuffer header = read(channel, SELF_BOOTSTRAPPING_HEADER_OFFSET + headerSize, file, length);
            header.putInt(SIZE_WORD_OFFSET, headerSize); // complete, as the checksum was computed
            long checksum = LongHashFunction.xx_r39().hashBytes(header, SIZE_WORD_OFFSET, headerSize + 4);
            if (checksum != header.getLong(HEADER_OFFSET)) {
                throw corrupt(file, "Chronicle Map header checksum mismatch");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static ByteBuffer read(FileChannel channel, int bytes, Path file, long length) throws IOException {
        if (length < bytes) {
            throw corrupt(file, "truncated (" + length + " bytes, the header alone needs " + bytes + ")");
        }
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && channel.read(b, b.position()) >= 0) {
            // read on until full
        }
        return b.flip();
    }

    private static IllegalStateException corrupt(Path file, String why) {
        return new IllegalStateException("corrupt data file " + file + ": " + why);
    }
}
