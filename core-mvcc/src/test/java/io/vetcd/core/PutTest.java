package io.vetcd.core;

import static io.vetcd.core.KvTestSupport.assertEtcdError;
import static io.vetcd.core.KvTestSupport.bs;
import static io.vetcd.core.KvTestSupport.delete;
import static io.vetcd.core.KvTestSupport.getKv;
import static io.vetcd.core.KvTestSupport.newStore;
import static io.vetcd.core.KvTestSupport.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.PutResponse;
import io.vetcd.proto.mvccpb.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Put semantics of etcdserver/apply.go applierV3backend.Put and mvcc storeTxnWrite.put. */
class PutTest {
    private final KvStore kv = newStore();

    @AfterEach
    void close() {
        kv.close();
    }

    private static KeyValue kv(String key, String value, long create, long mod, long version, long lease) {
        return KeyValue.newBuilder().setKey(bs(key)).setValue(bs(value)).setCreateRevision(create)
                .setModRevision(mod).setVersion(version).setLease(lease).build();
    }

    @Test
    void firstPutCreatesTheKeyAtRevisionTwo() {
        PutResponse r = put(kv, "a", "1");
        assertEquals(2, r.getHeader().getRevision());
        assertFalse(r.hasPrevKv());
        assertEquals(kv("a", "1", 2, 2, 1, 0), getKv(kv, "a"));
        assertEquals(2, kv.revision());
    }

    @Test
    void everyPutTakesANewRevisionAndBumpsTheVersion() {
        put(kv, "a", "1"); // 2
        put(kv, "b", "1"); // 3
        PutResponse r = put(kv, "a", "2"); // 4
        assertEquals(4, r.getHeader().getRevision());
        assertEquals(kv("a", "2", 2, 4, 2, 0), getKv(kv, "a"));
        put(kv, "a", "2"); // same value still counts
        assertEquals(kv("a", "2", 2, 5, 3, 0), getKv(kv, "a"));
    }

    @Test
    void prevKvReturnsTheReplacedValue() {
        put(kv, "a", "1");
        PutResponse r = put(kv, PutRequest.newBuilder().setKey(bs("a")).setValue(bs("2")).setPrevKv(true).build());
        assertEquals(kv("a", "1", 2, 2, 1, 0), r.getPrevKv());
    }

    @Test
    void prevKvOfANewKeyIsAbsent() {
        PutResponse r = put(kv, PutRequest.newBuilder().setKey(bs("a")).setValue(bs("1")).setPrevKv(true).build());
        assertFalse(r.hasPrevKv());
    }

    @Test
    void leaseIsStored() {
        put(kv, PutRequest.newBuilder().setKey(bs("a")).setValue(bs("1")).setLease(42).build());
        assertEquals(42, getKv(kv, "a").getLease());
        put(kv, "a", "2");
        assertEquals(0, getKv(kv, "a").getLease(), "a plain put detaches the lease");
    }

    @Test
    void ignoreValueKeepsTheValueButTakesTheNewLease() {
        put(kv, PutRequest.newBuilder().setKey(bs("a")).setValue(bs("keep")).setLease(1).build()); // 2
        PutResponse r = put(kv, PutRequest.newBuilder().setKey(bs("a")).setIgnoreValue(true).setLease(9)
                .setPrevKv(true).build()); // 3
        assertEquals(3, r.getHeader().getRevision());
        assertEquals("keep", r.getPrevKv().getValue().toStringUtf8());
        assertEquals(kv("a", "keep", 2, 3, 2, 9), getKv(kv, "a"));
    }

    @Test
    void ignoreLeaseKeepsTheLeaseButTakesTheNewValue() {
        put(kv, PutRequest.newBuilder().setKey(bs("a")).setValue(bs("1")).setLease(7).build()); // 2
        put(kv, PutRequest.newBuilder().setKey(bs("a")).setValue(bs("2")).setIgnoreLease(true).build()); // 3
        assertEquals(kv("a", "2", 2, 3, 2, 7), getKv(kv, "a"));
    }

    @Test
    void ignoreValueAndIgnoreLeaseTogetherOnlyBumpTheRevisions() {
        put(kv, PutRequest.newBuilder().setKey(bs("a")).setValue(bs("1")).setLease(7).build()); // 2
        put(kv, PutRequest.newBuilder().setKey(bs("a")).setIgnoreValue(true).setIgnoreLease(true).build()); // 3
        assertEquals(kv("a", "1", 2, 3, 2, 7), getKv(kv, "a"));
    }

    @Test
    void ignoreFlagsOnAMissingKeyAreKeyNotFound() {
        assertEtcdError(EtcdError.KEY_NOT_FOUND,
                () -> kv.put(PutRequest.newBuilder().setKey(bs("a")).setIgnoreValue(true).build()));
        assertEtcdError(EtcdError.KEY_NOT_FOUND,
                () -> kv.put(PutRequest.newBuilder().setKey(bs("a")).setValue(bs("v")).setIgnoreLease(true).build()));
        assertEquals(1, kv.revision(), "a failed put does not take a revision");
        assertNull(getKv(kv, "a"));
    }

    @Test
    void ignoreValueOnADeletedKeyIsKeyNotFound() {
        put(kv, "a", "1");
        delete(kv, "a");
        assertEtcdError(EtcdError.KEY_NOT_FOUND,
                () -> kv.put(PutRequest.newBuilder().setKey(bs("a")).setIgnoreValue(true).build()));
        assertEquals(3, kv.revision());
    }

    @Test
    void recreateAfterDeleteResetsVersionAndCreateRevision() {
        put(kv, "a", "1"); // 2
        put(kv, "a", "2"); // 3
        delete(kv, "a"); // 4
        PutResponse r = put(kv, PutRequest.newBuilder().setKey(bs("a")).setValue(bs("3")).setPrevKv(true).build());
        assertEquals(5, r.getHeader().getRevision());
        assertFalse(r.hasPrevKv(), "a deleted key has no previous value");
        assertEquals(kv("a", "3", 5, 5, 1, 0), getKv(kv, "a"));
    }

    @Test
    void emptyValueIsAValue() {
        put(kv, "a", "");
        KeyValue a = getKv(kv, "a");
        assertEquals(1, a.getVersion());
        assertEquals(0, a.getValue().size());
    }
}
