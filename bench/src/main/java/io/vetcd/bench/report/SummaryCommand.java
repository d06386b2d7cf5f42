package io.vetcd.bench.report;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vetcd-bench summary REPORT.json [--out DIR]}: regenerates SUMMARY.md and summary.svg. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Regenerate the Markdown table and SVG chart of a perf report.")
public final class SummaryCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "the report (JSON)")
    Path report;

    @Option(names = "--out", description = "directory for SUMMARY.md and summary.svg (default: the report's)")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path dir = out != null ? out : report.toAbsolutePath().getParent();
        SummaryWriter.write(PerfReport.read(report), dir);
        System.out.println("wrote " + dir.resolve("SUMMARY.md") + " and " + dir.resolve("summary.svg"));
        return 0;
    }
}
