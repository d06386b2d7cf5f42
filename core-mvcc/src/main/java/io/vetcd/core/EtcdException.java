package io.vetcd.core;

/** A request failed the way etcd would fail it; carries the {@link EtcdError} to send to the client. */
public final class EtcdException extends RuntimeException {
    private final EtcdError error;

    public EtcdException(EtcdError error) {
        super(error.message(), null, false, false); // expected outcomes: no stack trace to fill
        this.error = error;
    }

    public EtcdError error() {
        return error;
    }
}
