package io.vetcd.server.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.grpc.Status;

/**
 * What one server answered to one step, in a form two servers' answers can be compared by: the
 * normalized response as text, or the gRPC status code and description of the error.
 *
 * @param text        the normalized response, or {@code ERROR <code>: <description>}
 * @param errorCode   null on success
 * @param description the error's description (null on success)
 * @param response    the response object itself (null on error), for tests that read values from it
 */
record Outcome(String text, Status.Code errorCode, String description, Object response) {
    static Outcome ok(String text, Object response) {
        return new Outcome(text, null, null, response);
    }

    static Outcome error(Status.Code code, String description) {
        return new Outcome("ERROR " + code + ": " + description, code, description, null);
    }

    /** The response, which must be of {@code type}. */
    <T> T response(Class<T> type) {
        assertOk();
        return type.cast(response);
    }

    /** The revision in the response header, jetcd's or raw. */
    long revision() {
        assertOk();
        if (response instanceof io.etcd.jetcd.Response r) {
            return r.getHeader().getRevision();
        }
        com.google.protobuf.Message m = (com.google.protobuf.Message) response;
        var header = (io.vetcd.proto.etcdserverpb.ResponseHeader)
                m.getField(m.getDescriptorForType().findFieldByName("header"));
        return header.getRevision();
    }

    boolean isError() {
        return errorCode != null;
    }

    /** Asserts the reference answered without error: a step meant to succeed that fails tests nothing. */
    Outcome assertOk() {
        assertNull(errorCode, () -> "expected success, got " + text);
        return this;
    }

    /** Asserts the reference failed with {@code code} and {@code message}. */
    Outcome assertError(Status.Code code, String message) {
        assertEquals("ERROR " + code + ": " + message, text);
        return this;
    }

    @Override
    public String toString() {
        return text;
    }
}
