package io.vetcd.bench.load;

import com.google.protobuf.ByteString;
import io.vetcd.proto.etcdserverpb.KVGrpcClient;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * etcd 3.5's txn-mixed (3.4's tool has none): each txn is one range (probability rw/(1+rw)) or one put;
 * reads and writes are reported separately. The range reads [key, --end-key) or, without
 * --end-key, every key with the prefix {@code key} (etcd's tool ignores key and reads the whole
 * key space; give "" for that), at most --limit keys.
 */
@Command(name = "txn-mixed", description = "Benchmark a mixed load of txn-put & txn-range.", mixinStandardHelpOptions = true,
        customSynopsis = "vetcd-bench txn-mixed key [end-range] [flags]")
final class TxnMixedCmd extends Verb {
    @Parameters(index = "0", arity = "0..1", paramLabel = "key", defaultValue = "")
    String key;
    @Parameters(index = "1", arity = "0..1", paramLabel = "end-range")
    String endArg;
    @Option(names = "--key-size", defaultValue = "8", description = "Key size of mixed txn (default ${DEFAULT-VALUE})")
    int keySize;
    @Option(names = "--val-size", defaultValue = "8", description = "Value size of mixed txn (default ${DEFAULT-VALUE})")
    int valSize;
    @Option(names = "--rate", defaultValue = "0", description = "Maximum txns per second (0 is no limit)")
    int rate;
    @Option(names = "--total", defaultValue = "10000", description = "Total number of txn requests (default ${DEFAULT-VALUE})")
    long total;
    @Option(names = "--end-key", defaultValue = "", description = "Read operation range end key. By default, we do full range query with the default limit of 1000.")
    String endKey;
    @Option(names = "--limit", defaultValue = "1000", description = "Read operation range result limit (default ${DEFAULT-VALUE})")
    long limit;
    @Option(names = "--key-space-size", defaultValue = "1", description = "Maximum possible keys (default ${DEFAULT-VALUE})")
    int keySpaceSize;
    @Option(names = "--consistency", defaultValue = "l", description = "Linearizable(l) or Serializable(s) (default \"${DEFAULT-VALUE}\")")
    String consistency;
    @Option(names = "--rw-ratio", defaultValue = "1", description = "Read/write ops ratio (default ${DEFAULT-VALUE})")
    double rwRatio;

    @Override
    public Integer call() throws Exception {
        requirePositive("--key-space-size", keySpaceSize);
        if (consistency.equals("l")) {
            root.out.println("bench with linearizable range");
        } else if (consistency.equals("s")) {
            root.out.println("bench with serializable range");
        } else {
            throw new CommandLine.ParameterException(spec.commandLine(), "--consistency must be l or s");
        }
        String end = endArg != null ? endArg : endKey;
        ByteString k = ByteString.copyFromUtf8(key);
        RangeRequest.Builder rb = RangeRequest.newBuilder().setLimit(limit).setSerializable(consistency.equals("s"));
        if (k.isEmpty()) { // clientv3's WithPrefix on "": key and end "\0", every key
            rb.setKey(ByteString.copyFrom(new byte[] {0})).setRangeEnd(ByteString.copyFrom(new byte[] {0}));
        } else {
            rb.setKey(k).setRangeEnd(!end.isEmpty() ? ByteString.copyFromUtf8(end) : prefixEnd(k));
        }
        RequestOp read = RequestOp.newBuilder().setRequestRange(rb).build();
        ByteString value = ByteString.copyFrom(randBytes(valSize));
        double pRead = rwRatio / (1 + rwRatio);
        // decide up front which requests are reads, so the sink knows where each result goes
        boolean[] isRead = new boolean[(int) total];
        long reads = 0;
        for (int i = 0; i < total; i++) {
            isRead[i] = ThreadLocalRandom.current().nextDouble() < pRead;
            reads += isRead[i] ? 1 : 0;
        }
        Stats readStats = new Stats();
        Stats writeStats = new Stats();
        try (Connections conns = root.connect(root.conns)) {
            Progress progress = root.progress(total);
            try {
                new LoadDriver(conns, root.clients, total, rate, progress).run((conn, client, seq) -> {
                    RequestOp op = isRead[(int) seq] ? read : RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
                            .setKey(ByteString.copyFrom(varintKey(keySize, seq % keySpaceSize))).setValue(value)).build();
                    return conn.unary(KVGrpcClient.Txn, TxnRequest.newBuilder().addSuccess(op).build());
                }, seq -> isRead[(int) seq] ? readStats : writeStats, readStats, writeStats);
            } finally {
                BenchCommand.close(progress);
            }
            root.out.print("Total Read Ops: " + reads + "\nDetails:");
            root.out.println(readStats.format(root.precise));
            root.out.print("Total Write Ops: " + (total - reads) + "\nDetails:");
            root.out.println(writeStats.format(root.precise));
        }
        Map<String, Stats> parts = new LinkedHashMap<>();
        parts.put("read", readStats);
        parts.put("write", writeStats);
        root.writeJson("txn-mixed", spec, merged(readStats, writeStats), total, parts);
        return BenchCommand.exitCode(readStats, writeStats);
    }

    static ByteString prefixEnd(ByteString k) {
        byte[] b = k.toByteArray();
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] != (byte) 0xff) {
                b[i]++;
                return ByteString.copyFrom(b, 0, i + 1);
            }
        }
        return ByteString.copyFrom(new byte[] {0}); // no upper bound: all keys >= key
    }

    private static Stats merged(Stats a, Stats b) {
        return Stats.merge(a, b);
    }
}
