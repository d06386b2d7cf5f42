package io.vetcd.core;

/**
 * The errors etcd returns to clients, with etcd's gRPC status code and its exact message.
 *
 * <p>Clients map these strings and codes back to their own error types (jetcd, clientv3's
 * {@code rpctypes}), so both must be byte-identical to etcd's {@code api/v3rpc/rpctypes/error.go}.
 * The code is the name of the gRPC status code; the server module turns it into a status.
 */
public enum EtcdError {
    EMPTY_KEY("INVALID_ARGUMENT", "etcdserver: key is not provided"),
    KEY_NOT_FOUND("INVALID_ARGUMENT", "etcdserver: key not found"),
    VALUE_PROVIDED("INVALID_ARGUMENT", "etcdserver: value is provided"),
    LEASE_PROVIDED("INVALID_ARGUMENT", "etcdserver: lease is provided"),
    LEASE_NOT_FOUND("NOT_FOUND", "etcdserver: requested lease not found"),
    LEASE_EXIST("FAILED_PRECONDITION", "etcdserver: lease already exists"),
    LEASE_TTL_TOO_LARGE("OUT_OF_RANGE", "etcdserver: too large lease TTL"),
    TOO_MANY_OPS("INVALID_ARGUMENT", "etcdserver: too many operations in txn request"),
    DUPLICATE_KEY("INVALID_ARGUMENT", "etcdserver: duplicate key given in txn request"),
    REQUEST_TOO_LARGE("INVALID_ARGUMENT", "etcdserver: request is too large"),
    INVALID_SORT_OPTION("INVALID_ARGUMENT", "etcdserver: invalid sort option"),
    COMPACTED("OUT_OF_RANGE", "etcdserver: mvcc: required revision has been compacted"),
    FUTURE_REVISION("OUT_OF_RANGE", "etcdserver: mvcc: required revision is a future revision"),
    NO_SPACE("RESOURCE_EXHAUSTED", "etcdserver: mvcc: database space exceeded"),
    STOPPED("UNAVAILABLE", "etcdserver: server stopped");

    private final String grpcCode;
    private final String message;

    EtcdError(String grpcCode, String message) {
        this.grpcCode = grpcCode;
        this.message = message;
    }

    /** The name of the gRPC status code etcd answers with, e.g. {@code OUT_OF_RANGE}. */
    public String grpcCode() {
        return grpcCode;
    }

    /** etcd's message, verbatim. */
    public String message() {
        return message;
    }

    public EtcdException exception() {
        return new EtcdException(this);
    }
}
