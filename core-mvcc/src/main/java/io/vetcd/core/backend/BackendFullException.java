package io.vetcd.core.backend;

/**
 * The backend has no room for a change (its files hold as much as they were sized for). The writer
 * answers it as etcd answers an exceeded quota: the NOSPACE alarm and
 * {@code etcdserver: mvcc: database space exceeded}.
 */
public final class BackendFullException extends RuntimeException {
    public BackendFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
