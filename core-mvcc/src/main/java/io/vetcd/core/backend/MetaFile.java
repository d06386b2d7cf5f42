package io.vetcd.core.backend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The committed state of a {@link ChronicleBackend} in a small memory-mapped file of two slots, written
 * in turn, each with a sequence number and a CRC-32C. A commit is one 64-byte copy into the page cache:
 * no system call, no fsync, and {@code kill -9} cannot lose it once the copy is done.
 *
 * <p>Why two slots: a commit killed half-way leaves a slot whose CRC does not match; the other slot
 * still holds the previous commit, which is then the committed state - exactly what the crash contract
 * asks for (the interrupted commit had not returned). Worked example: commit #7 went to slot 1, commit #8
 * is being copied to slot 0 when the process is killed; on open slot 0 fails its CRC, slot 1 holds #7,
 * so the store reopens at #7's revision and drops the versions of #8's batch.
 *
 * <p>Slot layout (big-endian, 64 bytes): magic {@code "VMTA"} (int), format (int), sequence (long),
 * revision (long), compact revision (long), NOSPACE alarm (long, 0 or 1), revisions-file length (long),
 * quota the revisions file was sized for (long), CRC-32C of the 56 bytes before it (int), padding (int).
 *
 * <p>The file is created complete (written beside, then renamed), so a missing or short file is never a
 * crash artefact but damage.
 */
final class MetaFile implements AutoCloseable {
    /**
     * What a commit records.
     *
     * @param meta                the backend's meta
     * @param revisionsFileLength the revisions file was at least this long: shorter on open means truncated
     * @param sizedForQuotaBytes  the quota the revisions file's capacity was planned for
     */
    record State(BackendMeta meta, long revisionsFileLength, long sizedForQuotaBytes) {}

    static final int SLOT_BYTES = 64;
    static final int FILE_BYTES = 2 * SLOT_BYTES;
    private static final int MAGIC = 0x564D5441; // "VMTA"
    private static final int FORMAT = 1;
    private static final int CRC_OFFSET = 56;

    private final Path path;
    private final FileChannel channel;
    private final MappedByteBuffer mapped;
    private final ByteBuffer slot = ByteBuffer.allocate(SLOT_BYTES);
    private final CRC32C crc = new CRC32C();
    private long sequence;
    private State state;

    private MetaFile(Path path, FileChannel channel, MappedByteBuffer mapped, long sequence, State state) {
        this.path = path;
        this.channel = channel;
        this.mapped = mapped;
        this.sequence = sequence;
        this.state = state;
    }

    /** Creates {@code path} holding {@code initial} as commit #0 (atomically: written beside, renamed). */
    static MetaFile create(Path path, State initial) {
        Path temp = path.resolveSibling(path.getFileName() + ".tmp");
        try {
            ByteBuffer file = ByteBuffer.allocate(FILE_BYTES);
            encode(initial, 0, file, new CRC32C());
            Files.write(temp, file.array());
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + path + ": " + e.getMessage(), e);
        }
        return open(path);
    }

    /**
     * Opens {@code path} at its newest intact commit.
     *
     * @throws IllegalStateException the file is short or neither slot is intact (the message names the file)
     */
    static MetaFile open(Path path) {
        try {
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                if (channel.size() != FILE_BYTES) {
                    throw corrupt(path, "it is " + channel.size() + " bytes long, not " + FILE_BYTES);
                }
                MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, FILE_BYTES);
                CRC32C crc = new CRC32C();
                byte[] bytes = new byte[SLOT_BYTES];
                long bestSequence = -1;
                State best = null;
                for (int i = 0; i < 2; i++) {
                    mapped.get(i * SLOT_BYTES, bytes);
                    ByteBuffer s = ByteBuffer.wrap(bytes);
                    if (isIntact(s, crc) && s.getLong(8) > bestSequence) {
                        bestSequence = s.getLong(8);
                        best = decode(s);
                    }
                }
                if (best == null) {
                    throw corrupt(path, "no intact commit record (bad magic or checksum in both slots)");
                }
                return new MetaFile(path, channel, mapped, bestSequence, best);
            } catch (RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + path + ": " + e.getMessage(), e);
        }
    }

    State state() {
        return state;
    }

    /** Whether no commit followed the one {@link #create} wrote. */
    boolean neverCommitted() {
        return sequence == 0;
    }

    /** Records {@code next} as the next commit: one 64-byte copy into the slot the previous one did not use. */
    void write(State next) {
        long seq = sequence + 1;
        encode(next, seq, slot, crc);
        mapped.put((int) (seq & 1) * SLOT_BYTES, slot.array(), 0, SLOT_BYTES);
        sequence = seq;
        state = next;
    }

    @Override
    public void close() {
        try {
            channel.close(); // the mapping stays valid until it is garbage-collected; nothing writes it then
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + path + ": " + e.getMessage(), e);
        }
    }

    /** Writes the slot for commit #{@code seq} of {@code st} into {@code b[0..64)} (a heap buffer). */
    private static void encode(State st, long seq, ByteBuffer b, CRC32C crc) {
        b.clear();
        b.putInt(MAGIC).putInt(FORMAT).putLong(seq)
                .putLong(st.meta().revision()).putLong(st.meta().compactRevision())
                .putLong(st.meta().noSpaceAlarm() ? 1 : 0)
                .putLong(st.revisionsFileLength()).putLong(st.sizedForQuotaBytes());
        crc.reset();
        crc.update(b.array(), 0, CRC_OFFSET);
        b.putInt((int) crc.getValue()).putInt(0);
    }

    private static boolean isIntact(ByteBuffer s, CRC32C crc) {
        crc.reset();
        crc.update(s.array(), 0, CRC_OFFSET);
        return s.getInt(0) == MAGIC && s.getInt(4) == FORMAT && s.getInt(CRC_OFFSET) == (int) crc.getValue();
    }

    private static State decode(ByteBuffer s) {
        BackendMeta meta = new BackendMeta(s.getLong(16), s.getLong(24), s.getLong(32) != 0);
        return new State(meta, s.getLong(40), s.getLong(48));
    }

    private static IllegalStateException corrupt(Path path, String why) {
        return new IllegalStateException("corrupt data file " + path + ": " + why);
    }
}
