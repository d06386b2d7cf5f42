package io.vetcd.core;

/**
 * etcd's request limits, set with etcd's flags.
 *
 * @param maxRequestBytes {@code --max-request-bytes}: largest write accepted, measured as the raft entry
 *                        etcd would propose for it (etcd: 1.5 MiB)
 * @param maxTxnOps       {@code --max-txn-ops}: most operations in one txn branch (etcd: 128)
 */
public record Limits(long maxRequestBytes, int maxTxnOps) {
    public static final long DEFAULT_MAX_REQUEST_BYTES = 1536 * 1024;
    public static final int DEFAULT_MAX_TXN_OPS = 128;
    /** etcd's gRPC server takes messages this much larger than --max-request-bytes (api/v3rpc/grpc.go). */
    public static final long GRPC_OVERHEAD_BYTES = 512 * 1024;

    public static Limits defaults() {
        return new Limits(DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_TXN_OPS);
    }

    /** The largest gRPC message the server reads; a larger one is refused before it is decoded. */
    public long maxGrpcMessageBytes() {
        return maxRequestBytes + GRPC_OVERHEAD_BYTES;
    }
}
