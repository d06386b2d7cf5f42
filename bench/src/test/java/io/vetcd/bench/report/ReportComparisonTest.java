package io.vetcd.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportComparisonTest {
    private static Measurement rps(double reqPerSec) {
        return new Measurement(reqPerSec, 0, 1, 2, 3, 4);
    }

    private static PerfReport report(int cores, Workload... workloads) {
        return report(cores, "tmpfs", workloads);
    }

    private static PerfReport report(int cores, String storage, Workload... workloads) {
        return new PerfReport("2026-11-24T00:00:00Z", "abc1234", "vetcd-bench",
                new PerfReport.Machine(cores, "17", "Linux"), storage, List.of(workloads));
    }

    private static Workload put(double vetcd, double etcd, double floor) {
        return new Workload("put-10x100", "put --conns 10 --clients 100",
                Map.of(Workload.VETCD, rps(vetcd), Workload.ETCD, rps(etcd), Workload.FLOOR, rps(floor)));
    }

    @Test
    void ratiosAreVetcdOverTheOtherServer() {
        Workload w = put(90_000, 30_000, 100_000);
        assertEquals(3.0, w.ratioToEtcd(), 1e-9);
        assertEquals(0.9, w.ratioToFloor(), 1e-9);
    }

    @Test
    void aSlowerMachineWithTheSameRatiosIsNoRegression() {
        PerfReport base = report(2, put(90_000, 30_000, 100_000));
        PerfReport now = report(2, put(45_000, 15_000, 50_000)); // everything halved: same ratios
        assertFalse(ReportComparison.compare(base, now, 0.25).regressed());
    }

    @Test
    void aSlowerVetcdIsARegression() {
        PerfReport base = report(2, put(90_000, 30_000, 100_000)); // 3.0x etcd, 0.9x the floor
        assertFalse(ReportComparison.compare(base, report(2, put(70_000, 30_000, 100_000)), 0.25).regressed());
        ReportComparison c = ReportComparison.compare(base, report(2, put(60_000, 30_000, 100_000)), 0.25);
        assertTrue(c.regressed(), "2.0x < 3.0x * 0.75 and 0.6x < 0.9x * 0.75");
        assertTrue(c.findings().stream().allMatch(ReportComparison.Finding::regression), c.findings().toString());
    }

    @Test
    void oneReferenceServerFasterThanUsualIsNoRegression() {
        PerfReport base = report(2, put(90_000, 30_000, 100_000));
        // etcd 50 % faster in this run, vetcd as fast as the floor as before: vetcd/etcd low, vetcd/floor held
        ReportComparison c = ReportComparison.compare(base, report(2, put(90_000, 45_000, 100_000)), 0.25);
        assertFalse(c.regressed(), c.findings().toString());
        assertTrue(c.findings().get(0).low() && !c.findings().get(1).low(), c.findings().toString());
        assertTrue(c.findings().get(0).toString().endsWith("low (the other ratio held)"), c.findings().get(0).toString());
        // the floor 50 % faster instead: the same
        assertFalse(ReportComparison.compare(base, report(2, put(90_000, 30_000, 150_000)), 0.25).regressed());
    }

    @Test
    void aWorkloadWithoutAFloorFigureRegressesOnItsEtcdRatio() {
        Workload txn = new Workload("txn-put-10x100", "txn-put", Map.of(Workload.VETCD, rps(60_000), Workload.ETCD, rps(20_000)));
        Workload slower = new Workload("txn-put-10x100", "txn-put", Map.of(Workload.VETCD, rps(40_000), Workload.ETCD, rps(20_000)));
        assertTrue(ReportComparison.compare(report(2, txn), report(2, slower), 0.25).regressed());
    }

    @Test
    void aReportOfAnotherVetcdStorageIsNotedAndAnOldReportMeasuredMemory() {
        PerfReport base = report(2, "memory", put(90_000, 30_000, 100_000));
        ReportComparison c = ReportComparison.compare(base, report(2, "tmpfs", put(90_000, 30_000, 100_000)), 0.25);
        assertTrue(c.notes().stream().anyMatch(n -> n.contains("storage differs (memory vs tmpfs)")), c.notes().toString());
        var json = base.toJson();
        json.remove("vetcdStorage");
        assertEquals("memory", PerfReport.fromJson(json).vetcdStorage(), "reports from before the field");
        assertEquals("tmpfs", PerfReport.fromJson(report(2, put(1, 1, 1)).toJson()).vetcdStorage());
    }

    @Test
    void aMissingWorkloadIsARegressionAndANewOneOnlyANote() {
        PerfReport base = report(2, put(90_000, 30_000, 100_000));
        Workload range = new Workload("range-10x100", "range k", Map.of(Workload.VETCD, rps(1)));
        ReportComparison c = ReportComparison.compare(base, report(2, range), 0.25);
        assertTrue(c.regressed());
        assertTrue(c.notes().stream().anyMatch(n -> n.contains("range-10x100")));
    }

    @Test
    void differentMachinesAreNoted() {
        PerfReport base = report(2, put(90_000, 30_000, 100_000));
        assertTrue(ReportComparison.compare(base, report(8, put(90_000, 30_000, 100_000)), 0.25)
                .notes().stream().anyMatch(n -> n.contains("machines differ")));
    }

    @Test
    void thresholdMustBeAFraction() {
        PerfReport base = report(2, put(1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> ReportComparison.compare(base, base, 1.5));
    }

    @Test
    void jsonRoundTripAndSummaryFiles(@TempDir Path dir) throws Exception {
        PerfReport report = report(2, put(90_000, 30_000, 100_000));
        Path file = dir.resolve("run.json");
        report.write(file);
        assertEquals(report, PerfReport.read(file));
        SummaryWriter.write(report, dir);
        String md = Files.readString(dir.resolve("SUMMARY.md"));
        assertTrue(md.contains("| put-10x100 | 90,000 | 30,000 | 100,000 | 3.00× | 0.90×"), md);
        assertTrue(Files.readString(dir.resolve("summary.svg")).startsWith("<svg"));
    }
}
