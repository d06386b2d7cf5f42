package io.vetcd.bench.load;

import com.google.protobuf.ByteString;
import io.vetcd.proto.etcdserverpb.KVGrpcClient;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "range", description = "Benchmark range", mixinStandardHelpOptions = true,
        customSynopsis = "vetcd-bench range key [end-range] [flags]")
final class RangeCmd extends Verb {
    @Parameters(index = "0", paramLabel = "key")
    String key;
    @Parameters(index = "1", arity = "0..1", paramLabel = "end-range")
    String end;
    @Option(names = "--rate", defaultValue = "0", description = "Maximum range requests per second (0 is no limit)")
    int rate;
    @Option(names = "--total", defaultValue = "10000", description = "Total number of range requests (default ${DEFAULT-VALUE})")
    long total;
    @Option(names = "--consistency", defaultValue = "l", description = "Linearizable(l) or Serializable(s) (default \"${DEFAULT-VALUE}\")")
    String consistency;

    @Override
    public Integer call() throws Exception {
        if (consistency.equals("l")) {
            root.out.println("bench with linearizable range");
        } else if (consistency.equals("s")) {
            root.out.println("bench with serializable range");
        } else {
            throw new CommandLine.ParameterException(spec.commandLine(), "--consistency must be l or s");
        }
        RangeRequest.Builder b = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
                .setSerializable(consistency.equals("s"));
        if (end != null) {
            b.setRangeEnd(ByteString.copyFromUtf8(end));
        }
        RangeRequest req = b.build();
        Stats stats = new Stats();
        try (Connections conns = root.connect(root.conns)) {
            Progress progress = root.progress(total);
            try {
                new LoadDriver(conns, root.clients, total, rate, progress)
                        .run((conn, client, seq) -> conn.unary(KVGrpcClient.Range, req), seq -> stats, stats);
            } finally {
                BenchCommand.close(progress);
            }
            root.out.print(stats.format(root.precise));
        }
        root.writeJson("range", spec, stats, total, null);
        return BenchCommand.exitCode(stats);
    }
}
