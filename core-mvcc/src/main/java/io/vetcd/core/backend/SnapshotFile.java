package io.vetcd.core.backend;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vetcd.proto.mvccpb.KeyValue;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * vetcd's snapshot format ({@code etcdctl snapshot save} / {@code vetcd snapshot restore}): the meta, every
 * retained version and the granted leases, in one self-checking stream. It is not bbolt's format; only
 * vetcd reads it.
 *
 * <p>Layout of format 2, written today (big-endian, {@link DataOutputStream} encodings):
 * <pre>
 * "VETCD-SNAPSHOT\n"   15 bytes of magic
 * int  2               format version
 * long revision, long compactRevision, byte noSpaceAlarm (0/1)
 * per version:  int n (&gt;= 0), long main, int sub, byte tombstone (0/1), n bytes of mvccpb.KeyValue
 * int  -1, long count  end marker and the number of versions before it
 * int  leases (&gt;= 0)   how many leases follow
 * per lease:    long id (not 0), long granted TTL in seconds (&gt;= 1), in increasing id order
 * 0-511 zero bytes     padding to a multiple of 512 bytes
 * 32 bytes             SHA-256 of every byte before them
 * </pre>
 * Format 1 (vetcd before snapshots carried leases) is the same without the lease count and the leases;
 * {@link #read} still reads it, as a snapshot with no lease. A lease's deadline is not kept: like a
 * restart, a restore gives every lease its full TTL again (etcd does the same with its lease bucket).
 *
 * <p>The padding is etcd's shape, not vetcd's need: {@code etcdctl snapshot save} keeps a download only if
 * its length is 32 more than a multiple of 512 (bbolt pages, then a SHA-256), and fails with "sha256
 * checksum not found" otherwise.
 * Worked example: a store at revision 3, never compacted, holding only {@code a=x} put at revision 2 and
 * no lease, is the magic, {@code 00000002}, {@code 0000000000000003 ffffffffffffffff 00}, one record
 * {@code 0000000c 0000000000000002 00000000 00} + the 12 bytes of KeyValue
 * {@code 0a0161 1002 1802 2001 2a0178}, then {@code ffffffff 0000000000000001}, {@code 00000000} (no
 * lease), 431 zero bytes and the 32-byte digest: 544 bytes. With lease 0x1234 of TTL 60 the lease count
 * is {@code 00000001}, followed by {@code 0000000000001234 000000000000003c} and 415 zero bytes.
 *
 * <p>Reading streams: {@link #read} hands each version and lease to its sink as soon as it is decoded, and
 * only its normal return says the whole snapshot was there and its checksum matched. A caller that writes
 * what it is handed somewhere lasting must be able to throw it away: restore writes into a fresh data dir
 * and deletes that dir when {@code read} throws.
 */
public final class SnapshotFile {
    private static final byte[] MAGIC = "VETCD-SNAPSHOT\n".getBytes(StandardCharsets.US_ASCII);
    /** The format {@link #write} writes: versions and leases. */
    private static final int FORMAT = 2;
    /** The format before leases: versions only. */
    private static final int FORMAT_WITHOUT_LEASES = 1;
    private static final int END_MARKER = -1;
    private static final int DIGEST_BYTES = 32;
    /** What the digest covers is padded to a multiple of this (see the class comment). */
    private static final int PAGE = 512;

    private SnapshotFile() {}

    /** A snapshot of {@code meta} and {@code versions} with no lease (see the four-argument form). */
    public static void write(OutputStream out, BackendMeta meta, Consumer<Consumer<StoredVersion>> versions)
            throws IOException {
        write(out, meta, versions, visitor -> {});
    }

    /**
     * Writes a snapshot of {@code meta}, the versions {@code versions} hands out (in any order; a source
     * such as {@code list::forEach} or a store's {@code forEachVersion}) and the leases {@code leases} hands
     * out (id and granted TTL, each id once, in any order; they are written in id order). Flushes
     * {@code out}, does not close it.
     *
     * @throws IllegalArgumentException a lease with id 0, a TTL below 1 or an id handed out twice
     */
    public static void write(OutputStream out, BackendMeta meta, Consumer<Consumer<StoredVersion>> versions,
                             Consumer<Backend.LeaseVisitor> leases) throws IOException {
        TreeMap<Long, Long> byId = new TreeMap<>();
        leases.accept((id, ttl) -> {
            if (id == 0 || ttl < 1) {
                throw new IllegalArgumentException("not a lease to snapshot: id " + id + ", TTL " + ttl);
            }
            if (byId.put(id, ttl) != null) {
                throw new IllegalArgumentException("lease " + id + " handed out twice");
            }
        });
        MessageDigest sha = sha256();
        long[] written = {0};
        OutputStream counting = new FilterOutputStream(new DigestOutputStream(new BufferedOutputStream(out), sha)) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                written[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                written[0] += len;
            }
        };
        DataOutputStream data = new DataOutputStream(counting);
        data.write(MAGIC);
        data.writeInt(FORMAT);
        data.writeLong(meta.revision());
        data.writeLong(meta.compactRevision());
        data.writeBoolean(meta.noSpaceAlarm());
        long[] count = {0};
        try {
            versions.accept(v -> {
                try {
                    byte[] kv = v.kv().toByteArray();
                    data.writeInt(kv.length);
                    data.writeLong(v.main());
                    data.writeInt(v.sub());
                    data.writeBoolean(v.tombstone());
                    data.write(kv);
                    count[0]++;
                } catch (IOException e) {
                    throw new WriteFailure(e);
                }
            });
        } catch (WriteFailure e) {
            throw e.getCause();
        }
        data.writeInt(END_MARKER);
        data.writeLong(count[0]);
        data.writeInt(byId.size());
        for (Map.Entry<Long, Long> lease : byId.entrySet()) {
            data.writeLong(lease.getKey());
            data.writeLong(lease.getValue());
        }
        data.write(new byte[(int) ((PAGE - written[0] % PAGE) % PAGE)]);
        data.flush();
        out.write(sha.digest());
        out.flush();
    }

    /** Reads a snapshot's meta and versions, skipping its leases (see the three-argument form). */
    public static BackendMeta read(InputStream in, Consumer<StoredVersion> sink) throws IOException {
        return read(in, sink, (id, ttl) -> {});
    }

    /**
     * Reads a snapshot, handing each version to {@code sink} and then each lease (id, granted TTL in
     * seconds) to {@code leases} as it streams (see the class comment: only a normal return confirms
     * them), and returns its meta. A format-1 snapshot hands out no lease.
     *
     * @throws IOException "not a vetcd snapshot (bad magic)", "snapshot truncated", "snapshot checksum
     *                     mismatch", or another "snapshot ..." message naming what is wrong
     */
    public static BackendMeta read(InputStream in, Consumer<StoredVersion> sink, Backend.LeaseVisitor leases)
            throws IOException {
        MessageDigest sha = sha256();
        DigestInputStream digesting = new DigestInputStream(new BufferedInputStream(in), sha);
        long[] read = {0};
        DataInputStream data = new DataInputStream(new FilterInputStream(digesting) {
            @Override
            public int read() throws IOException {
                int b = in.read();
                read[0] += b < 0 ? 0 : 1;
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                read[0] += Math.max(n, 0);
                return n;
            }
        });
        try {
            byte[] magic = data.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException("not a vetcd snapshot (bad magic)");
            }
            int format = data.readInt();
            if (format != FORMAT && format != FORMAT_WITHOUT_LEASES) {
                throw new IOException("unsupported vetcd snapshot format " + format + " (this vetcd reads "
                        + FORMAT_WITHOUT_LEASES + " and " + FORMAT + ")");
            }
            BackendMeta meta = new BackendMeta(data.readLong(), data.readLong(), readFlag(data, "alarm"));
            long count = 0;
            for (int n = data.readInt(); n != END_MARKER; n = data.readInt()) {
                sink.accept(readVersion(data, n, count));
                count++;
            }
            long recorded = data.readLong();
            if (recorded != count) {
                throw new IOException("snapshot corrupt: it ends after " + count + " versions but says " + recorded);
            }
            if (format == FORMAT) {
                readLeases(data, leases);
            }
            digesting.on(false);
            int padding = (int) ((PAGE - read[0] % PAGE) % PAGE);
            byte[] tail = data.readNBytes(padding + DIGEST_BYTES);
            if (tail.length < padding + DIGEST_BYTES) {
                throw new EOFException();
            }
            if (data.read() != -1) {
                throw new IOException("snapshot corrupt: data after its checksum");
            }
            for (int i = 0; i < padding; i++) {
                if (tail[i] != 0) {
                    throw new IOException("snapshot corrupt: data in its padding");
                }
            }
            sha.update(tail, 0, padding);
            if (!MessageDigest.isEqual(sha.digest(), Arrays.copyOfRange(tail, padding, tail.length))) {
                throw new IOException("snapshot checksum mismatch");
            }
            return meta;
        } catch (EOFException e) {
            throw new IOException("snapshot truncated", e);
        }
    }

    /** The lease count and the leases of a format-2 snapshot; each id once, in increasing order. */
    private static void readLeases(DataInputStream data, Backend.LeaseVisitor leases) throws IOException {
        int n = data.readInt();
        if (n < 0) {
            throw new IOException("snapshot corrupt: " + n + " leases");
        }
        long previous = 0;
        for (int i = 0; i < n; i++) {
            long id = data.readLong();
            long ttl = data.readLong();
            if (id == 0 || ttl < 1 || i > 0 && id <= previous) {
                throw new IOException("snapshot corrupt: lease #" + i + " has id " + id + " and TTL " + ttl);
            }
            previous = id;
            leases.lease(id, ttl);
        }
    }

    private static StoredVersion readVersion(DataInputStream data, int length, long index) throws IOException {
        if (length < 0) {
            throw new IOException("snapshot corrupt: version #" + index + " has length " + length);
        }
        long main = data.readLong();
        int sub = data.readInt();
        boolean tombstone = readFlag(data, "tombstone");
        byte[] bytes = data.readNBytes(length); // grows with what arrives, so a damaged length cannot exhaust memory
        if (bytes.length < length) {
            throw new EOFException();
        }
        KeyValue kv;
        try {
            kv = KeyValue.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("snapshot corrupt: version #" + index + " is no KeyValue: " + e.getMessage(), e);
        }
        if (kv.getModRevision() != main || sub < 0) {
            throw new IOException("snapshot corrupt: version #" + index + " at revision (" + main + ", " + sub
                    + ") has mod revision " + kv.getModRevision());
        }
        return new StoredVersion(main, sub, kv, tombstone);
    }

    private static boolean readFlag(DataInputStream data, String what) throws IOException {
        int b = data.readUnsignedByte();
        if (b > 1) {
            throw new IOException("snapshot corrupt: " + what + " flag " + b);
        }
        return b == 1;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** Carries an IOException out of the version source's callback. */
    private static final class WriteFailure extends RuntimeException {
        WriteFailure(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }
}
