package io.vetcd.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Codes and messages must be byte-identical to etcd's api/v3rpc/rpctypes/error.go, since clients map
 * the strings back to error types.
 */
class EtcdErrorTest {
    /** Copied from etcd 3.4 rpctypes/error.go (ErrGRPC*), plus 3.5's invalid sort option. */
    private static final Map<EtcdError, String[]> ETCD = Map.ofEntries(
            Map.entry(EtcdError.EMPTY_KEY, new String[] {"INVALID_ARGUMENT", "etcdserver: key is not provided"}),
            Map.entry(EtcdError.KEY_NOT_FOUND, new String[] {"INVALID_ARGUMENT", "etcdserver: key not found"}),
            Map.entry(EtcdError.VALUE_PROVIDED, new String[] {"INVALID_ARGUMENT", "etcdserver: value is provided"}),
            Map.entry(EtcdError.LEASE_PROVIDED, new String[] {"INVALID_ARGUMENT", "etcdserver: lease is provided"}),
            Map.entry(EtcdError.LEASE_NOT_FOUND,
                    new String[] {"NOT_FOUND", "etcdserver: requested lease not found"}),
            Map.entry(EtcdError.LEASE_EXIST,
                    new String[] {"FAILED_PRECONDITION", "etcdserver: lease already exists"}),
            Map.entry(EtcdError.LEASE_TTL_TOO_LARGE, new String[] {"OUT_OF_RANGE", "etcdserver: too large lease TTL"}),
            Map.entry(EtcdError.TOO_MANY_OPS,
                    new String[] {"INVALID_ARGUMENT", "etcdserver: too many operations in txn request"}),
            Map.entry(EtcdError.DUPLICATE_KEY,
                    new String[] {"INVALID_ARGUMENT", "etcdserver: duplicate key given in txn request"}),
            Map.entry(EtcdError.REQUEST_TOO_LARGE,
                    new String[] {"INVALID_ARGUMENT", "etcdserver: request is too large"}),
            Map.entry(EtcdError.INVALID_SORT_OPTION,
                    new String[] {"INVALID_ARGUMENT", "etcdserver: invalid sort option"}),
            Map.entry(EtcdError.COMPACTED,
                    new String[] {"OUT_OF_RANGE", "etcdserver: mvcc: required revision has been compacted"}),
            Map.entry(EtcdError.FUTURE_REVISION,
                    new String[] {"OUT_OF_RANGE", "etcdserver: mvcc: required revision is a future revision"}),
            Map.entry(EtcdError.NO_SPACE,
                    new String[] {"RESOURCE_EXHAUSTED", "etcdserver: mvcc: database space exceeded"}),
            Map.entry(EtcdError.STOPPED, new String[] {"UNAVAILABLE", "etcdserver: server stopped"}));

    @Test
    void everyErrorHasEtcdsCodeAndMessage() {
        assertEquals(ETCD.keySet().size(), EtcdError.values().length, "every error is checked");
        for (EtcdError e : EtcdError.values()) {
            assertEquals(ETCD.get(e)[0], e.grpcCode(), e + " code");
            assertEquals(ETCD.get(e)[1], e.message(), e + " message");
        }
    }

    @Test
    void exceptionCarriesTheErrorAndItsMessage() {
        EtcdException ex = EtcdError.COMPACTED.exception();
        assertSame(EtcdError.COMPACTED, ex.error());
        assertEquals("etcdserver: mvcc: required revision has been compacted", ex.getMessage());
    }
}
