package io.vetcd.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The readable side of a report, regenerated from its JSON: a Markdown table and an SVG chart with,
 * per workload, each server's throughput (bars) and p99 latency (labels).
 */
public final class SummaryWriter {
    private static final List<String> SERVERS = List.of(Workload.VETCD, Workload.ETCD, Workload.FLOOR);
    private static final List<String> COLORS = List.of("#2b7bb9", "#e07b39", "#9aa0a6");

    private SummaryWriter() {}

    /** Writes {@code SUMMARY.md} and {@code summary.svg} into {@code dir}. */
    public static void write(PerfReport report, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("SUMMARY.md"), markdown(report));
        Files.writeString(dir.resolve("summary.svg"), svg(report));
    }

    static String markdown(PerfReport report) {
        StringBuilder md = new StringBuilder();
        md.append("# vetcd side-by-side benchmark\n\n")
                .append("Commit `").append(report.commit()).append("`, ").append(report.date()).append(", ")
                .append(report.machine().cores()).append(" cores, JDK ").append(report.machine().jdk())
                .append(", ").append(report.machine().os()).append(", vetcd storage: ").append(report.vetcdStorage())
                .append(". Generated from the JSON report by ")
                .append("`vetcd-bench summary`; ratios are vetcd's req/s over the other server's, same run.\n\n")
                .append("| workload | vetcd req/s | etcd req/s | floor req/s | vetcd/etcd | vetcd/floor "
                        + "| vetcd p99 ms | etcd p99 ms |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Workload w : report.workloads()) {
            md.append("| ").append(w.name())
                    .append(" | ").append(reqPerSec(w, Workload.VETCD))
                    .append(" | ").append(reqPerSec(w, Workload.ETCD))
                    .append(" | ").append(reqPerSec(w, Workload.FLOOR))
                    .append(" | ").append(ratio(w.ratioToEtcd()))
                    .append(" | ").append(ratio(w.ratioToFloor()))
                    .append(" | ").append(p99(w, Workload.VETCD))
                    .append(" | ").append(p99(w, Workload.ETCD)).append(" |\n");
        }
        md.append("\nCommands (load tool arguments, endpoints omitted):\n\n");
        for (Workload w : report.workloads()) {
            md.append("- `").append(w.name()).append("`: `").append(w.command()).append("`\n");
        }
        return md.append("\n![throughput and p99](summary.svg)\n").toString();
    }

    static String svg(PerfReport report) {
        List<Workload> workloads = report.workloads();
        double max = workloads.stream().flatMap(w -> w.servers().values().stream())
                .mapToDouble(Measurement::reqPerSec).max().orElse(1);
        int bar = 22;
        int group = bar * SERVERS.size() + 40;
        int height = 260;
        int chart = 200;
        int width = 80 + group * Math.max(1, workloads.size());
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"10\">\n", width, height + 40));
        svg.append("<text x=\"10\" y=\"14\" font-size=\"12\">req/s per workload (bar), p99 ms (label); "
                + "commit ").append(report.commit()).append("</text>\n");
        for (int s = 0; s < SERVERS.size(); s++) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"22\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"31\">%s</text>\n", 10 + s * 70, COLORS.get(s), 24 + s * 70, SERVERS.get(s)));
        }
        for (int i = 0; i < workloads.size(); i++) {
            Workload w = workloads.get(i);
            int x0 = 60 + i * group;
            for (int s = 0; s < SERVERS.size(); s++) {
                Measurement m = w.servers().get(SERVERS.get(s));
                if (m == null) {
                    continue;
                }
                int h = (int) Math.round(chart * m.reqPerSec() / max);
                int x = x0 + s * bar;
                int y = 40 + chart - h;
                svg.append(String.format(Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%s %s: %.0f req/s, "
                                + "p99 %.2f ms</title></rect>\n", x, y, bar - 2, h, COLORS.get(s), w.name(),
                        SERVERS.get(s), m.reqPerSec(), m.p99Ms()));
                svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"8\">%.1f</text>\n",
                        x, y - 2, m.p99Ms()));
            }
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>\n", x0, 40 + chart + 14,
                    w.name()));
        }
        return svg.append("</svg>\n").toString();
    }

    private static String reqPerSec(Workload w, String server) {
        Measurement m = w.servers().get(server);
        return m == null ? "–" : String.format(Locale.ROOT, "%,.0f", m.reqPerSec());
    }

    private static String p99(Workload w, String server) {
        Measurement m = w.servers().get(server);
        return m == null ? "–" : String.format(Locale.ROOT, "%.2f", m.p99Ms());
    }

    private static String ratio(double r) {
        return Double.isNaN(r) ? "–" : String.format(Locale.ROOT, "%.2f×", r);
    }
}
