package io.vetcd.core.apply;

import com.google.protobuf.CodedOutputStream;

/**
 * The size etcd checks against {@code --max-request-bytes}: not the request itself but the raft entry
 * it proposes ({@code processInternalRaftRequestOnce} in etcdserver/v3_server.go), an
 * {@code InternalRaftRequest} holding
 *
 * <ul>
 *   <li>the request in its own field: put = 4, delete_range = 5, txn = 6 (tag, length, bytes);</li>
 *   <li>{@code header = 100}: a {@code RequestHeader} with the request id (2-byte tag, 1-byte length,
 *       1-byte tag of {@code ID}, the id as a varint).</li>
 * </ul>
 *
 * The request id comes from etcd's {@code idutil.Generator}: the member id's low 16 bits, then 40 bits
 * of the start time in milliseconds, then an 8-bit counter. Its varint length, and so the limit, thus
 * depends on the member id: 10 bytes when bit 15 of the member id is set, 9 for most others.
 * Example: a put of 1,572,838 bytes has a 1,572,864-byte entry (the default limit, accepted) on a member
 * whose id has bit 15 set, and a 1,572,863-byte one elsewhere.
 */
final class RaftEntrySize {
    static final int PUT = 4;
    static final int DELETE_RANGE = 5;
    static final int TXN = 6;
    /** Bits 8..47 of the request id: etcd's generator takes the low 40 bits of the time in ms. */
    private static final long TIMESTAMP_MASK = (1L << 40) - 1;

    private final int headerBytes;

    RaftEntrySize(long memberId, long startMillis) {
        long requestId = ((memberId & 0xFFFF) << 48) | ((startMillis & TIMESTAMP_MASK) << 8);
        // field 100 tag (2) + length (1) + ID tag (1) + ID
        this.headerBytes = 2 + 1 + 1 + CodedOutputStream.computeUInt64SizeNoTag(requestId);
    }

    /** The entry size for a request of {@code requestBytes} bytes in field {@code field}. */
    long of(int field, int requestBytes) {
        return headerBytes + CodedOutputStream.computeTagSize(field)
                + CodedOutputStream.computeUInt32SizeNoTag(requestBytes) + requestBytes;
    }
}
