package io.vetcd.server.differential;

import io.etcd.jetcd.ByteSequence;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.etcd.jetcd.options.PutOption;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

/** Put against etcd: plain, prev_kv, ignore_value, ignore_lease, and the errors of each. */
class DifferentialPutTest extends AgainstEtcd {
    private static final String KEY_NOT_FOUND = "etcdserver: key not found";

    @Test
    void plainPutsAndOverwrites() {
        pair.kv("put new key", kv -> kv.put(bs("p/a"), bs("1"))).assertOk();
        pair.kv("overwrite", kv -> kv.put(bs("p/a"), bs("2"))).assertOk();
        pair.kv("empty value", kv -> kv.put(bs("p/b"), ByteSequence.EMPTY)).assertOk();
        pair.kv("binary key and value", kv -> kv.put(ByteSequence.from(new byte[] {'p', '/', 0, (byte) 0xff}),
                ByteSequence.from(new byte[] {0, 1, (byte) 0x80}))).assertOk();
        pair.kv("read back", kv -> kv.get(bs("p/a"))).assertOk();
        pair.kv("read back binary", kv -> kv.get(ByteSequence.from(new byte[] {'p', '/', 0, (byte) 0xff})))
                .assertOk();
    }

    @Test
    void prevKv() {
        pair.kv("prev_kv of a missing key", kv -> kv.put(bs("pp/a"), bs("1"), PutOption.builder().withPrevKV().build()))
                .assertOk();
        pair.kv("prev_kv of an existing key", kv -> kv.put(bs("pp/a"), bs("2"),
                PutOption.builder().withPrevKV().build()))
                .assertOk();
        pair.kv("no prev_kv asked", kv -> kv.put(bs("pp/a"), bs("3"))).assertOk();
        pair.kv("prev_kv again", kv -> kv.put(bs("pp/a"), bs("4"), PutOption.builder().withPrevKV().build()))
                .assertOk();
    }

    @Test
    void emptyKey() {
        pair.kv("put with empty key", kv -> kv.put(ByteSequence.EMPTY, bs("v")))
                .assertError(Status.Code.INVALID_ARGUMENT, "etcdserver: key is not provided");
        pair.raw("raw put with empty key", s -> s.put(PutRequest.newBuilder().setValue(b("v")).build()))
                .assertError(Status.Code.INVALID_ARGUMENT, "etcdserver: key is not provided");
    }

    @Test
    void ignoreValue() {
        pair.raw("ignore_value on a missing key", s -> s.put(PutRequest.newBuilder()
                .setKey(b("iv/a")).setIgnoreValue(true).build()))
                .assertError(Status.Code.INVALID_ARGUMENT, KEY_NOT_FOUND);
        pair.raw("ignore_value with a value", s -> s.put(PutRequest.newBuilder()
                .setKey(b("iv/a")).setValue(b("x")).setIgnoreValue(true).build()))
                .assertError(Status.Code.INVALID_ARGUMENT, "etcdserver: value is provided");
        pair.raw("create", s -> s.put(PutRequest.newBuilder().setKey(b("iv/a")).setValue(b("kept")).build()))
                .assertOk();
        pair.raw("ignore_value on an existing key", s -> s.put(PutRequest.newBuilder()
                .setKey(b("iv/a")).setIgnoreValue(true).setPrevKv(true).build())).assertOk();
        pair.raw("value kept, version bumped", s -> s.range(RangeRequest.newBuilder().setKey(b("iv/a")).build()))
                .assertOk();
        pair.raw("ignore_value with a value on an existing key", s -> s.put(PutRequest.newBuilder()
                .setKey(b("iv/a")).setValue(b("x")).setIgnoreValue(true).build()))
                .assertError(Status.Code.INVALID_ARGUMENT, "etcdserver: value is provided");
    }

    @Test
    void ignoreLease() {
        pair.raw("ignore_lease on a missing key", s -> s.put(PutRequest.newBuilder()
                .setKey(b("il/a")).setValue(b("v")).setIgnoreLease(true).build()))
                .assertError(Status.Code.INVALID_ARGUMENT, KEY_NOT_FOUND);
        pair.raw("ignore_lease with a lease", s -> s.put(PutRequest.newBuilder()
                .setKey(b("il/a")).setLease(7).setIgnoreLease(true).build()))
                .assertError(Status.Code.INVALID_ARGUMENT, "etcdserver: lease is provided");
        pair.raw("create", s -> s.put(PutRequest.newBuilder().setKey(b("il/a")).setValue(b("v1")).build()))
                .assertOk();
        pair.raw("ignore_lease on an existing key", s -> s.put(PutRequest.newBuilder()
                .setKey(b("il/a")).setValue(b("v2")).setIgnoreLease(true).setPrevKv(true).build())).assertOk();
        pair.raw("both ignores", s -> s.put(PutRequest.newBuilder()
                .setKey(b("il/a")).setIgnoreValue(true).setIgnoreLease(true).setPrevKv(true).build())).assertOk();
        pair.raw("both ignores on a missing key", s -> s.put(PutRequest.newBuilder()
                .setKey(b("il/b")).setIgnoreValue(true).setIgnoreLease(true).build()))
                .assertError(Status.Code.INVALID_ARGUMENT, KEY_NOT_FOUND);
        pair.raw("after", s -> s.range(RangeRequest.newBuilder().setKey(b("il/")).setRangeEnd(b("il0")).build()))
                .assertOk();
    }

    @Test
    void putErrorsComeInEtcdsOrder() {
        // etcd checks the key first, then ignore_value, then ignore_lease.
        pair.raw("empty key with ignore_value and a value", s -> s.put(PutRequest.newBuilder()
                .setValue(b("x")).setIgnoreValue(true).build()))
                .assertError(Status.Code.INVALID_ARGUMENT, "etcdserver: key is not provided");
        pair.raw("value and lease both provided", s -> s.put(PutRequest.newBuilder()
                .setKey(b("ie/a")).setValue(b("x")).setIgnoreValue(true).setLease(3).setIgnoreLease(true).build()))
                .assertError(Status.Code.INVALID_ARGUMENT, "etcdserver: value is provided");
    }

    @Test
    void leaseThatDoesNotExist() {
        pair.kv("put with a lease nobody granted", kv -> kv.put(bs("l/a"), bs("v"),
                PutOption.builder().withLeaseId(0x1234).build())).assertError(Status.Code.NOT_FOUND,
                "etcdserver: requested lease not found");
        pair.raw("the lease is looked up before ignore_value looks for the key", s -> s.put(PutRequest.newBuilder()
                .setKey(b("l/missing")).setIgnoreValue(true).setLease(5).build()))
                .assertError(Status.Code.NOT_FOUND, "etcdserver: requested lease not found");
        pair.raw("lease and ignore_lease together", s -> s.put(PutRequest.newBuilder()
                .setKey(b("l/missing")).setIgnoreLease(true).setLease(5).build()))
                .assertError(Status.Code.INVALID_ARGUMENT, "etcdserver: lease is provided");
        pair.raw("nothing was written", s -> s.range(RangeRequest.newBuilder().setKey(b("l/"))
                .setRangeEnd(b("l0")).build())).assertOk();
    }
}
