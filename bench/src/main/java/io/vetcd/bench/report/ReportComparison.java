package io.vetcd.bench.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Compares a fresh report with a baseline by the ratios measured within each run (vetcd over etcd,
 * vetcd over the floor), never by raw req/s: both servers share the run's machine and its noise, so
 * the ratio survives a slower or busier CI machine where absolute figures do not.
 *
 * <p>A ratio is low when it falls below {@code baseline × (1 - threshold)}. Example with threshold 0.25:
 * baseline vetcd/etcd 3.2, fresh 2.5 → 2.5 &lt; 2.4? no, within noise; fresh 2.3 → low.
 *
 * <p>A workload regresses when every ratio it has a baseline for is low: vetcd slower against both the
 * floor and etcd. A slower vetcd lowers both; a machine that slows the JVM servers (vetcd and the floor
 * alike) more than Go's etcd, or the reverse, lowers only one. Measured on 2026-12-03, same range code all
 * day: range-l vetcd/etcd 6.69, 5.60, 7.49, 7.12, 5.65, 6.17 and 4.66 in seven runs (baseline 7.76) while
 * its vetcd/floor stayed at 0.90-1.11 (baseline 0.96). A workload with only one ratio (no floor figure)
 * regresses when that one is low. A workload missing from the fresh report counts as a regression; a new
 * one is only listed.
 */
public final class ReportComparison {
    /** One line of the verdict: a ratio, whether it is low, and whether its workload regressed. */
    public record Finding(String workload, String ratio, double baseline, double current, boolean low,
                          boolean regression) {
        @Override
        public String toString() {
            return String.format("%-24s %-13s baseline %6.2f  now %6.2f  %s", workload, ratio, baseline, current,
                    regression ? "REGRESSION" : low ? "low (the other ratio held)" : "ok");
        }
    }

    private final List<Finding> findings = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public static ReportComparison compare(PerfReport baseline, PerfReport current, double threshold) {
        if (threshold <= 0 || threshold >= 1) {
            throw new IllegalArgumentException("threshold must be between 0 and 1, was " + threshold);
        }
        ReportComparison c = new ReportComparison();
        if (baseline.machine().cores() != current.machine().cores()) {
            c.notes.add("machines differ (" + baseline.machine().cores() + " vs " + current.machine().cores()
                    + " cores): ratios may not be comparable");
        }
        if (!baseline.vetcdStorage().equals(current.vetcdStorage())) {
            c.notes.add("vetcd's storage differs (" + baseline.vetcdStorage() + " vs " + current.vetcdStorage()
                    + "): the vetcd ratios measure different servers");
        }
        for (Workload base : baseline.workloads()) {
            Workload now = current.workload(base.name());
            if (now == null) {
                c.findings.add(new Finding(base.name(), "missing", base.ratioToEtcd(), Double.NaN, true, true));
                continue;
            }
            List<Finding> ratios = new ArrayList<>(2);
            check(ratios, base.name(), "vetcd/etcd", base.ratioToEtcd(), now.ratioToEtcd(), threshold);
            check(ratios, base.name(), "vetcd/floor", base.ratioToFloor(), now.ratioToFloor(), threshold);
            boolean regressed = !ratios.isEmpty() && ratios.stream().allMatch(Finding::low);
            for (Finding f : ratios) {
                c.findings.add(new Finding(f.workload(), f.ratio(), f.baseline(), f.current(), f.low(), regressed));
            }
        }
        for (Workload now : current.workloads()) {
            if (baseline.workload(now.name()) == null) {
                c.notes.add("new workload " + now.name() + " (no baseline)");
            }
        }
        return c;
    }

    private static void check(List<Finding> to, String workload, String ratio, double baseline, double current,
                              double threshold) {
        if (Double.isNaN(baseline)) {
            return; // nothing to hold it to
        }
        boolean low = Double.isNaN(current) || current < baseline * (1 - threshold);
        to.add(new Finding(workload, ratio, baseline, current, low, false));
    }

    public List<Finding> findings() {
        return List.copyOf(findings);
    }

    public List<String> notes() {
        return List.copyOf(notes);
    }

    public boolean regressed() {
        return findings.stream().anyMatch(Finding::regression);
    }
}
