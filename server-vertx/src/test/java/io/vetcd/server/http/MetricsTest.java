package io.vetcd.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.OperatingSystemMXBean;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /metrics} on the client port: Prometheus's text format, with the process metrics under the
 * Go client's names and etcd's server metrics at the values a single-member etcd 3.4 reports (checked
 * against Debian's etcd 3.4.23: has_leader 1, is_leader 1, leader_changes_seen_total 1, compact_revision
 * -1 and current_revision 1 when fresh).
 */
class MetricsTest {
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    @RegisterExtension
    static final HttpFixture fixture = new HttpFixture();

    @Test
    void servesPrometheusText() throws Exception {
        HttpResponse<String> r = fixture.get("/metrics");
        assertEquals(200, r.statusCode());
        assertEquals(PROMETHEUS_TEXT, r.headers().firstValue("content-type").orElse(null));
        assertTrue(r.body().contains("# TYPE process_resident_memory_bytes gauge\n"), r.body());
    }

    @Test
    void headAnswersLikeGetWithoutABody() throws Exception {
        HttpResponse<String> r = fixture.send("HEAD", "/metrics");
        assertEquals(200, r.statusCode());
        assertEquals(PROMETHEUS_TEXT, r.headers().firstValue("content-type").orElse(null));
        assertEquals("", r.body());
    }

    @Test
    void residentMemoryIsThisProcesssSize() throws Exception {
        double rss = sample("process_resident_memory_bytes");
        long machine = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        assertTrue(rss > 10e6 && rss < machine, "process_resident_memory_bytes " + rss + ", machine " + machine);
    }

    @Test
    void processMetricsHaveTheGoClientsNames() throws Exception {
        String body = fixture.get("/metrics").body();
        for (String family : new String[] {"process_cpu_seconds_total counter", "process_start_time_seconds gauge",
                "process_open_fds gauge", "process_max_fds gauge", "process_virtual_memory_bytes gauge"}) {
            assertTrue(body.contains("# TYPE " + family + "\n"), family);
        }
    }

    @Test
    void singleMemberIsItsOwnLeader() throws Exception {
        assertEquals(1, sample("etcd_server_has_leader"));
        assertEquals(1, sample("etcd_server_is_leader"));
        assertEquals(1, sample("etcd_server_leader_changes_seen_total"));
        assertEquals(1, sample("etcd_server_version{server_version=\"3.5.0\"}"));
    }

    @Test
    void databaseSizesAreTheOnesStatusReports() throws Exception {
        try (Client client = Client.builder().endpoints(fixture.server().endpoint()).build()) {
            client.getKVClient().put(ByteSequence.from("sized", StandardCharsets.UTF_8),
                    ByteSequence.from("v", StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
            var status = client.getMaintenanceClient().statusMember(fixture.server().endpoint()).get(20, TimeUnit.SECONDS);
            assertTrue(status.getDbSizeInUse() > 0, "a stored key takes room even in memory (the quota counts it)");
            assertEquals(status.getDbSize(), sample("etcd_mvcc_db_total_size_in_bytes"));
            assertEquals(status.getDbSizeInUse(), sample("etcd_mvcc_db_total_size_in_use_in_bytes"));
        }
        assertEquals(-1, sample("etcd_debugging_mvcc_compact_revision"));
    }

    @Test
    void currentRevisionFollowsPuts() throws Exception {
        try (Client client = Client.builder().endpoints(fixture.server().endpoint()).build()) {
            long revision = client.getKVClient()
                    .put(ByteSequence.from("k", StandardCharsets.UTF_8), ByteSequence.from("v", StandardCharsets.UTF_8))
                    .get(20, TimeUnit.SECONDS).getHeader().getRevision();
            assertEquals(revision, sample("etcd_debugging_mvcc_current_revision"));
            client.getKVClient()
                    .put(ByteSequence.from("k", StandardCharsets.UTF_8), ByteSequence.from("w", StandardCharsets.UTF_8))
                    .get(20, TimeUnit.SECONDS);
            assertEquals(revision + 1, sample("etcd_debugging_mvcc_current_revision"));
        }
    }

    /** The value of the sample whose name and labels are {@code series}, from a fresh scrape. */
    private static double sample(String series) throws Exception {
        HttpResponse<String> r = fixture.get("/metrics");
        assertEquals(200, r.statusCode());
        for (String line : r.body().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        throw new AssertionError("no sample " + series + " in\n" + r.body());
    }
}
