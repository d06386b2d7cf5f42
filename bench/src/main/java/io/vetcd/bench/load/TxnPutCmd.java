package io.vetcd.bench.load;

import com.google.protobuf.ByteString;
import io.vetcd.proto.etcdserverpb.KVGrpcClient;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RequestOp;
import io.vetcd.proto.etcdserverpb.TxnRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "txn-put", description = "Benchmark txn-put", mixinStandardHelpOptions = true)
final class TxnPutCmd extends Verb {
    @Option(names = "--key-size", defaultValue = "8", description = "Key size of txn put (default ${DEFAULT-VALUE})")
    int keySize;
    @Option(names = "--val-size", defaultValue = "8", description = "Value size of txn put (default ${DEFAULT-VALUE})")
    int valSize;
    @Option(names = "--txn-ops", defaultValue = "1", description = "Number of puts per txn (default ${DEFAULT-VALUE})")
    int txnOps;
    @Option(names = "--rate", defaultValue = "0", description = "Maximum txns per second (0 is no limit)")
    int rate;
    @Option(names = "--total", defaultValue = "10000", description = "Total number of txn requests (default ${DEFAULT-VALUE})")
    long total;
    @Option(names = "--key-space-size", defaultValue = "1", description = "Maximum possible keys (default ${DEFAULT-VALUE})")
    int keySpaceSize;

    @Override
    public Integer call() throws Exception {
        requirePositive("--key-space-size", keySpaceSize);
        ByteString value = ByteString.copyFrom(randBytes(valSize));
        Stats stats = new Stats();
        try (Connections conns = root.connect(root.conns)) {
            Progress progress = root.progress(total);
            try {
                new LoadDriver(conns, root.clients, total, rate, progress).run((conn, client, seq) -> {
                    TxnRequest.Builder txn = TxnRequest.newBuilder();
                    for (int j = 0; j < txnOps; j++) {
                        long k = (seq * txnOps + j) % keySpaceSize; // etcd: ((i*txnPutOpsPerTxn)+j)%keySpaceSize
                        txn.addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
                                .setKey(ByteString.copyFrom(varintKey(keySize, k))).setValue(value)));
                    }
                    return conn.unary(KVGrpcClient.Txn, txn.build());
                }, seq -> stats, stats);
            } finally {
                BenchCommand.close(progress);
            }
            root.out.print(stats.format(root.precise));
        }
        root.writeJson("txn-put", spec, stats, total, null);
        return BenchCommand.exitCode(stats);
    }
}
