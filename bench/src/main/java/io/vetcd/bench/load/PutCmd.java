package io.vetcd.bench.load;

import com.google.protobuf.ByteString;
import io.vertx.core.Future;
import io.vetcd.proto.etcdserverpb.CompactionRequest;
import io.vetcd.proto.etcdserverpb.HashKVRequest;
import io.vetcd.proto.etcdserverpb.HashKVResponse;
import io.vetcd.proto.etcdserverpb.KVGrpcClient;
import io.vetcd.proto.etcdserverpb.MaintenanceGrpcClient;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.StatusRequest;
import io.vetcd.proto.etcdserverpb.StatusResponse;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "put", description = "Benchmark put", mixinStandardHelpOptions = true)
final class PutCmd extends Verb {
    @Option(names = "--key-size", defaultValue = "8", description = "Key size of put request (default ${DEFAULT-VALUE})")
    int keySize;
    @Option(names = "--val-size", defaultValue = "8", description = "Value size of put request (default ${DEFAULT-VALUE})")
    int valSize;
    @Option(names = "--rate", defaultValue = "0", description = "Maximum puts per second (0 is no limit)")
    int rate;
    @Option(names = "--total", defaultValue = "10000", description = "Total number of put requests (default ${DEFAULT-VALUE})")
    long total;
    @Option(names = "--key-space-size", defaultValue = "1", description = "Maximum possible keys (default ${DEFAULT-VALUE})")
    int keySpaceSize;
    @Option(names = "--sequential-keys", description = "Use sequential keys")
    boolean sequentialKeys;
    @Option(names = "--compact-interval", defaultValue = "0s",
            description = "Interval to compact database (do not duplicate this with etcd's 'auto-compaction-retention' flag) (e.g. --compact-interval=5m compacts every 5-minute)")
    String compactInterval;
    @Option(names = "--compact-index-delta", defaultValue = "1000",
            description = "Delta between current revision and compact revision (e.g. current revision 10000, compact at 9000) (default ${DEFAULT-VALUE})")
    long compactIndexDelta;
    @Option(names = "--check-hashkv", description = "'true' to check hashkv")
    boolean checkHashkv;

    @Override
    public Integer call() throws Exception {
        requirePositive("--key-space-size", keySpaceSize);
        ByteString value = ByteString.copyFrom(randBytes(valSize));
        Duration compact = BenchCommand.goDuration(compactInterval);
        Stats stats = new Stats();
        try (Connections conns = root.connect(root.conns)) {
            long timer = -1;
            if (!compact.isZero()) {
                Connections.Conn c0 = conns.get(0);
                timer = conns.vertx().setPeriodic(Math.max(1, compact.toMillis()), t -> compact(c0));
            }
            Progress progress = root.progress(total);
            try {
                new LoadDriver(conns, root.clients, total, rate, progress).run((conn, client, seq) -> {
                    PutRequest req = PutRequest.newBuilder()
                            .setKey(ByteString.copyFrom(varintKey(keySize, keyIndex(sequentialKeys, seq, keySpaceSize))))
                            .setValue(value)
                            .build();
                    return conn.unary(KVGrpcClient.Put, req);
                }, seq -> stats, stats);
            } finally {
                BenchCommand.close(progress);
            }
            if (timer >= 0) {
                conns.vertx().cancelTimer(timer);
            }
            root.out.println(stats.format(root.precise));
            if (checkHashkv) {
                hashKv(conns.get(0));
            }
        }
        root.writeJson("put", spec, stats, total, null);
        return BenchCommand.exitCode(stats);
    }

    private void compact(Connections.Conn c) {
        c.unary(KVGrpcClient.Range, RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("foo")).build())
                .compose(r -> c.unary(KVGrpcClient.Compact, CompactionRequest.newBuilder()
                        .setRevision(Math.max(0, r.getHeader().getRevision() - compactIndexDelta)).build()))
                .onFailure(e -> root.err.println("compaction failed: " + e.getMessage()));
    }

    private void hashKv(Connections.Conn c) {
        long st = System.nanoTime();
        try {
            HashKVResponse h = Connections.await(c.unary(MaintenanceGrpcClient.HashKV, HashKVRequest.newBuilder().build()));
            StatusResponse s = Connections.await(c.unary(MaintenanceGrpcClient.Status, StatusRequest.getDefaultInstance()));
            root.out.println("HashKV Summary:\n\tHashKV: " + Integer.toUnsignedString(h.getHash())
                    + "\n\tEndpoint: " + c.address + "\n\tTime taken to get hashkv: "
                    + (System.nanoTime() - st) / 1000 + "µs\n\tDB size: " + s.getDbSize() + " B");
        } catch (RuntimeException e) {
            root.err.println("Failed to get the hashkv of endpoint " + c.address + " (" + e.getMessage() + ")");
        }
    }
}
