package io.vetcd.server.differential;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.server.ServerConfig;
import io.vetcd.server.VetcdServer;
import io.vetcd.server.testing.RealEtcd;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Assertions;

/**
 * A real etcd and an in-process vetcd, both fresh (so both at revision 1), each with a jetcd client and
 * a raw gRPC KV stub. Every step runs against both; the answers are normalized and compared.
 *
 * <p>A mismatch is recorded rather than thrown so one run shows every difference of a test, first one
 * first; {@link #assertNoMismatch()} (called after each test) fails with the list. Later mismatches
 * of the same test may only be consequences of the first, since the two keyspaces then diverge.
 */
final class Pair implements AutoCloseable {
    private static final long TIMEOUT_SECONDS = 20;
    /** {@code -Dvetcd.diff.verbose=true}: print every step, etcd's answer and both servers' latency. */
    private static final boolean VERBOSE = Boolean.getBoolean("vetcd.diff.verbose");
    /** The clients accept large answers; what is limited is what the servers accept. */
    private static final int MAX_INBOUND = 64 * 1024 * 1024;

    private final RealEtcd etcd;
    private final VetcdServer vetcd;
    private final Side reference;
    private final Side candidate;
    private final List<String> mismatches = new ArrayList<>();
    /** The first mismatching step of an earlier test: after it the keyspaces may differ for good. */
    private String earlierDivergence;

    /** One server with its clients. */
    private record Side(String name, Client client, ManagedChannel channel) {
        static Side connect(String name, String endpoint, int port) {
            Client client = Client.builder().endpoints(endpoint).maxInboundMessageSize(MAX_INBOUND).build();
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port)
                    .usePlaintext()
                    .maxInboundMessageSize(MAX_INBOUND)
                    .build();
            return new Side(name, client, channel);
        }

        RawKv raw() {
            return new RawKv(channel, TIMEOUT_SECONDS);
        }

        void close() {
            client.close();
            channel.shutdownNow();
        }
    }

    private Pair(RealEtcd etcd, VetcdServer vetcd) {
        this.etcd = etcd;
        this.vetcd = vetcd;
        this.reference = Side.connect("etcd", etcd.endpoint(), etcd.port());
        this.candidate = Side.connect("vetcd", vetcd.endpoint(), vetcd.port());
    }

    /** Starts both servers; skips (or fails under CI=true) when etcd is not installed. */
    static Pair start() {
        long t0 = System.nanoTime();
        RealEtcd etcd = RealEtcd.start();
        if (VERBOSE) {
            System.err.printf("etcd started in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        }
        VetcdServer vetcd;
        try {
            vetcd = VetcdServer.start(ServerConfig.inMemoryOnFreePort());
        } catch (RuntimeException e) {
            etcd.close();
            throw e;
        }
        return new Pair(etcd, vetcd);
    }

    /** Runs {@code call} through jetcd against both servers and compares the answers; returns etcd's. */
    <T> Outcome kv(String step, Function<KV, CompletableFuture<T>> call) {
        return compare(step, side -> {
            try {
                T response = call.apply(side.client().getKVClient()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                return Outcome.ok(Render.jetcd(response), response);
            } catch (Exception e) {
                return failure(e);
            }
        });
    }

    /** Runs {@code call} on the raw gRPC KV calls of both servers and compares the answers; returns etcd's. */
    Outcome raw(String step, Function<RawKv, ? extends Message> call) {
        return compare(step, side -> {
            try {
                Message response = call.apply(side.raw());
                return Outcome.ok(Render.proto(response), response);
            } catch (RuntimeException e) {
                return failure(e);
            }
        });
    }

    /**
     * Like {@link #raw}, but the request may depend on the answering member's id (etcd's raft request
     * ids, and so the size etcd checks against --max-request-bytes, do).
     */
    Outcome rawForMember(String step, BiFunction<RawKv, Long, ? extends Message> call) {
        return compare(step, side -> {
            long memberId = side.raw().range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("-")).build())
                    .getHeader().getMemberId();
            try {
                Message response = call.apply(side.raw(), memberId);
                return Outcome.ok(Render.proto(response), response);
            } catch (RuntimeException e) {
                return failure(e);
            }
        });
    }

    private Outcome compare(String step, Function<Side, Outcome> run) {
        long t0 = System.nanoTime();
        Outcome expected = run.apply(reference);
        long t1 = System.nanoTime();
        Outcome actual = run.apply(candidate);
        if (VERBOSE) {
            System.err.printf("STEP %s [etcd %d ms, vetcd %d ms]%n    %s%n", step, (t1 - t0) / 1_000_000,
                    (System.nanoTime() - t1) / 1_000_000, expected.text().replace("\n", " "));
        }
        if (!expected.text().equals(actual.text())) {
            String mismatch = step + "\n    etcd:  " + expected + "\n    vetcd: " + actual;
            System.err.println("MISMATCH " + mismatch);
            mismatches.add(mismatch);
        }
        return expected;
    }

    /** The gRPC status of a failed call: jetcd wraps it in its EtcdException, the raw stub throws it. */
    private static Outcome failure(Throwable error) {
        for (Throwable c = error; c != null; c = c.getCause()) {
            if (c instanceof StatusRuntimeException s) {
                return Outcome.error(s.getStatus().getCode(), s.getStatus().getDescription());
            }
            if (c instanceof StatusException s) {
                return Outcome.error(s.getStatus().getCode(), s.getStatus().getDescription());
            }
        }
        for (Throwable c = error; c != null; c = c.getCause()) {
            if (c instanceof EtcdException e) {
                return Outcome.error(Status.Code.valueOf(e.getErrorCode().name()), e.getMessage());
            }
        }
        throw new AssertionError("the call failed without a gRPC status", error);
    }

    /** Fails with every mismatch recorded since the last call, then forgets them. */
    void assertNoMismatch() {
        if (!mismatches.isEmpty()) {
            String all = String.join("\n", mismatches);
            int n = mismatches.size();
            String note = earlierDivergence == null ? ""
                    : "\n(the servers had already diverged in an earlier test, at step: " + earlierDivergence + ")";
            if (earlierDivergence == null) {
                earlierDivergence = mismatches.get(0).lines().findFirst().orElse("?");
            }
            mismatches.clear();
            Assertions.fail(n + " step(s) answered differently (first one first):\n" + all + note);
        }
    }

    @Override
    public void close() {
        long t0 = System.nanoTime();
        reference.close();
        candidate.close();
        long t1 = System.nanoTime();
        vetcd.close();
        long t2 = System.nanoTime();
        etcd.close();
        if (VERBOSE) {
            System.err.printf("closed: clients %d ms, vetcd %d ms, etcd %d ms%n", (t1 - t0) / 1_000_000,
                    (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
        }
    }
}
