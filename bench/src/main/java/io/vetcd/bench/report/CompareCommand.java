package io.vetcd.bench.report;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vetcd-bench compare BASELINE.json CURRENT.json [--threshold 0.25]}: exit code 1 when a workload's
 * within-run ratios all fell by more than the threshold (see {@link ReportComparison}), 0 otherwise.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare a perf report with a baseline by vetcd/etcd and vetcd/floor ratios; "
                + "exit 1 on a regression beyond the noise threshold.")
public final class CompareCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "the baseline report (JSON)")
    Path baseline;

    @Parameters(index = "1", description = "the fresh report (JSON)")
    Path current;

    @Option(names = "--threshold", description = "tolerated relative drop of a ratio (default: ${DEFAULT-VALUE})")
    double threshold = 0.25;

    @Override
    public Integer call() throws Exception {
        ReportComparison c = ReportComparison.compare(PerfReport.read(baseline), PerfReport.read(current), threshold);
        c.findings().forEach(System.out::println);
        c.notes().forEach(n -> System.out.println("note: " + n));
        System.out.println(c.regressed() ? "REGRESSION (threshold " + threshold + ")" : "no regression");
        return c.regressed() ? 1 : 0;
    }
}
