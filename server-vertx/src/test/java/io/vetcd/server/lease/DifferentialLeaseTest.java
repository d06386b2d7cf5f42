package io.vetcd.server.lease;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.vetcd.proto.etcdserverpb.DeleteRangeRequest;
import io.vetcd.proto.etcdserverpb.LeaseGrantResponse;
import io.vetcd.proto.etcdserverpb.LeaseLeasesResponse;
import io.vetcd.proto.etcdserverpb.LeaseStatus;
import io.vetcd.proto.etcdserverpb.LeaseTimeToLiveResponse;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import io.vetcd.server.ServerConfig;
import io.vetcd.server.VetcdServer;
import io.vetcd.server.testing.RealEtcd;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Lease service against a real etcd 3.4: the same calls to both (a fresh etcd and a fresh in-process
 * vetcd with etcd's minimum TTL of 2 s), the answers compared as protobuf text. Normalized away: the
 * header's cluster and member ids, the id of a lease the server chose, the order of LeaseLeases' leases
 * and of LeaseTimeToLive's keys (etcd's come from Go maps, in random order). Errors compare as code and
 * message. Lease ids are otherwise chosen by the test, so they compare as they are.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DifferentialLeaseTest {
    private RealEtcd etcd;
    private VetcdServer vetcd;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private RawLease reference;
    private RawLease candidate;
    private final List<String> mismatches = new ArrayList<>();

    @BeforeAll
    void startServers() {
        etcd = RealEtcd.start();
        vetcd = VetcdServer.start(ServerConfig.inMemoryOnFreePort());
        reference = new RawLease(channel(etcd.port()));
        candidate = new RawLease(channel(vetcd.port()));
    }

    private ManagedChannel channel(int port) {
        ManagedChannel c = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        channels.add(c);
        return c;
    }

    @AfterEach
    void compare() {
        if (!mismatches.isEmpty()) {
            String all = String.join("\n", mismatches);
            mismatches.clear();
            Assertions.fail("answered differently (first one first):\n" + all);
        }
    }

    @AfterAll
    void stopServers() {
        channels.forEach(ManagedChannel::shutdownNow);
        if (vetcd != null) {
            vetcd.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    /** Runs {@code call} against both servers and compares; returns etcd's answer as text. */
    private String step(String name, Function<RawLease, Object> call) {
        String expected = run(reference, call);
        String actual = run(candidate, call);
        if (!expected.equals(actual)) {
            String mismatch = name + "\n    etcd:  " + expected + "\n    vetcd: " + actual;
            System.err.println("MISMATCH " + mismatch);
            mismatches.add(mismatch);
        }
        return expected;
    }

    private static String run(RawLease side, Function<RawLease, Object> call) {
        try {
            Object answer = call.apply(side);
            if (answer instanceof RawLease.KeepAlives k) {
                StringBuilder sb = new StringBuilder();
                k.responses().forEach(r -> sb.append(render(r)).append(" | "));
                return sb + "status " + k.status().getCode() + " " + k.status().getDescription();
            }
            return render((Message) answer);
        } catch (StatusRuntimeException e) {
            return "ERROR " + e.getStatus().getCode() + ": " + e.getStatus().getDescription();
        }
    }

    private static String render(Message m) {
        return TextFormat.printer().emittingSingleLine(true).printToString(normalize(m));
    }

    private static Message normalize(Message m) {
        if (m instanceof LeaseLeasesResponse r) {
            m = r.toBuilder().clearLeases().addAllLeases(r.getLeasesList().stream()
                    .sorted(Comparator.comparingLong(LeaseStatus::getID)).toList()).build();
        } else if (m instanceof LeaseTimeToLiveResponse r) {
            m = r.toBuilder().clearKeys().addAllKeys(r.getKeysList().stream()
                    .sorted(ByteString.unsignedLexicographicalComparator()).toList()).build();
        }
        Message.Builder b = m.toBuilder();
        for (FieldDescriptor f : m.getDescriptorForType().getFields()) {
            if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                continue;
            }
            if (f.isRepeated()) {
                for (int i = 0; i < m.getRepeatedFieldCount(f); i++) {
                    b.setRepeatedField(f, i, normalize((Message) m.getRepeatedField(f, i)));
                }
            } else if (m.hasField(f)) {
                b.setField(f, normalize((Message) m.getField(f)));
            }
        }
        if (m.getDescriptorForType().getFullName().equals("etcdserverpb.ResponseHeader")) {
            b.clearField(m.getDescriptorForType().findFieldByName("cluster_id"));
            b.clearField(m.getDescriptorForType().findFieldByName("member_id"));
        }
        return b.build();
    }

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private static PutRequest put(String key, long lease) {
        return PutRequest.newBuilder().setKey(b(key)).setValue(b("v")).setLease(lease).build();
    }

    private static RangeRequest prefix(String p) {
        ByteString key = b(p);
        byte[] end = key.toByteArray();
        end[end.length - 1]++;
        return RangeRequest.newBuilder().setKey(key).setRangeEnd(ByteString.copyFrom(end)).build();
    }

    @Test
    @Order(1)
    void grant() {
        step("grant with a server-chosen id", s -> {
            LeaseGrantResponse r = s.grant(0, 60);
            assertTrue(r.getID() > 0, "server-chosen id " + r.getID());
            return r.toBuilder().setID(1).build(); // the id itself is the server's choice
        });
        step("grant 100", s -> s.grant(100, 60));
        step("grant 100 again", s -> s.grant(100, 30));
        step("grant 101 below the minimum", s -> s.grant(101, 1));
        step("grant 102 with TTL 0", s -> s.grant(102, 0));
        step("grant 103 with a negative TTL", s -> s.grant(103, -5));
        step("grant 104 with the largest TTL", s -> s.grant(104, 9_000_000_000L));
        step("grant 105 with a TTL too large", s -> s.grant(105, 9_000_000_001L));
        step("grant a negative id", s -> s.grant(-7, 60)); // etcd 3.4 accepts it
        step("time to live of 101", s -> s.timeToLive(101, false));
        step("revoke 101", s -> s.revoke(101));
        step("revoke 102", s -> s.revoke(102));
        step("revoke 103", s -> s.revoke(103));
        step("revoke the negative id", s -> s.revoke(-7));
        step("leases", s -> {
            LeaseLeasesResponse r = s.leases();
            // the server-chosen lease is the only one not below 1000
            return r.toBuilder().clearLeases().addAllLeases(r.getLeasesList().stream()
                    .map(l -> l.getID() > 1000 ? l.toBuilder().setID(1).build() : l).toList()).build();
        });
    }

    @Test
    @Order(2)
    void timeToLive() {
        step("time to live of 100", s -> s.timeToLive(100, false));
        step("time to live of 100 with keys", s -> s.timeToLive(100, true));
        step("time to live of an unknown lease", s -> s.timeToLive(4242, true));
        step("time to live of lease 0", s -> s.timeToLive(0, false));
        step("time to live of 105, refused at grant", s -> s.timeToLive(105, false));
    }

    @Test
    @Order(3)
    void putsWithLeases() {
        step("put a with 100", s -> s.put(put("p/a", 100)));
        step("put b with 100", s -> s.put(put("p/b", 100)));
        step("put c with an unknown lease", s -> s.put(put("p/c", 4242)));
        step("txn put with an unknown lease", s -> s.txn(TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(put("p/c", 4242))).build()));
        step("txn put with 104", s -> s.txn(TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(put("p/d", 104))).build()));
        step("ignore_lease with a lease", s -> s.put(PutRequest.newBuilder().setKey(b("p/a")).setLease(100)
                .setIgnoreLease(true).build()));
        step("ignore_lease", s -> s.put(PutRequest.newBuilder().setKey(b("p/a")).setValue(b("v2"))
                .setIgnoreLease(true).setPrevKv(true).build()));
        step("the keys", s -> s.range(prefix("p/")));
        step("time to live of 100 with keys", s -> s.timeToLive(100, true));
        step("time to live of 104 with keys", s -> s.timeToLive(104, true));
    }

    @Test
    @Order(4)
    void keepAlive() {
        step("keep-alive of known and unknown leases", s -> s.keepAlive(100, 4242, 0, 104, 100, -1));
        step("time to live of 100 after its keep-alive", s -> s.timeToLive(100, false));
    }

    @Test
    @Order(5)
    void movingAndDetaching() {
        step("grant 300", s -> s.grant(300, 60));
        step("grant 301", s -> s.grant(301, 60));
        step("put m with 300", s -> s.put(put("m/k", 300)));
        step("put m with 301", s -> s.put(put("m/k", 301)));
        step("300's keys", s -> s.timeToLive(300, true));
        step("301's keys", s -> s.timeToLive(301, true));
        step("put n with 301", s -> s.put(put("m/n", 301)));
        step("delete m", s -> s.deleteRange(DeleteRangeRequest.newBuilder().setKey(b("m/k")).build()));
        step("301's keys after the delete", s -> s.timeToLive(301, true));
        step("put n without a lease", s -> s.put(put("m/n", 0)));
        step("301's keys after n left", s -> s.timeToLive(301, true));
        step("revoke 300", s -> s.revoke(300));
        step("revoke 301", s -> s.revoke(301));
        step("the keys", s -> s.range(prefix("m/")));
    }

    @Test
    @Order(6)
    void revoke() {
        step("revoke 100", s -> s.revoke(100));
        step("the keys after the revoke", s -> s.range(prefix("p/")));
        step("revoke 100 again", s -> s.revoke(100));
        step("revoke lease 0", s -> s.revoke(0));
        step("revoke an unknown lease", s -> s.revoke(4242));
        step("time to live of 100 after the revoke", s -> s.timeToLive(100, true));
        step("keep-alive of 100 after the revoke", s -> s.keepAlive(100));
        step("put with 100 after the revoke", s -> s.put(put("p/e", 100)));
    }

    @Test
    @Order(7)
    void expiry() {
        step("grant 200 for the minimum", s -> s.grant(200, 1));
        step("put x with 200", s -> s.put(put("x/1", 200)));
        step("put y with 200", s -> s.put(put("x/2", 200)));
        for (RawLease side : List.of(reference, candidate)) {
            assertTrue(LeaseServer.eventually(8_000, () -> side.range(prefix("x/")).getCount() == 0),
                    (side == reference ? "etcd" : "vetcd") + " did not expire lease 200");
        }
        step("the keys after the expiry", s -> s.range(prefix("x/")));
        step("time to live of 200 after its expiry", s -> s.timeToLive(200, true));
        step("keep-alive of 200 after its expiry", s -> s.keepAlive(200));
        step("revoke 200 after its expiry", s -> s.revoke(200));
        step("leases at the end", s -> {
            LeaseLeasesResponse r = s.leases();
            return r.toBuilder().clearLeases().addAllLeases(r.getLeasesList().stream()
                    .map(l -> l.getID() > 1000 ? l.toBuilder().setID(1).build() : l).toList()).build();
        });
    }
}
