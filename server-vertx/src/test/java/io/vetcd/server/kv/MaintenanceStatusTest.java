package io.vetcd.server.kv;

import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.maintenance.StatusResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code Maintenance.Status} through jetcd's maintenance client: a single member is its own leader, at
 * raft term 2, reports the server version that {@code /version} reports, has no errors, is no learner,
 * and its raft index moves with every write.
 */
class MaintenanceStatusTest {
    @RegisterExtension
    static final KvServerFixture server = new KvServerFixture();

    @BeforeAll
    static void start() {
        await(server.kv().put(bs("k"), bs("v")));
    }

    private static StatusResponse status() {
        return await(server.client().getMaintenanceClient().statusMember(server.endpoint()));
    }

    @Test
    void theMemberIsItsOwnLeader() {
        StatusResponse s = status();
        long memberId = await(server.kv().get(bs("k"))).getHeader().getMemberId();
        assertEquals(memberId, s.getHeader().getMemberId());
        assertEquals(memberId, s.getLeader());
        assertEquals(2, s.getRaftTerm());
        assertFalse(s.isLearner());
        assertEquals(java.util.List.of(), s.getErrorList());
    }

    @Test
    void versionIsTheOneHttpVersionReports() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(server.endpoint() + "/version")).timeout(Duration.ofSeconds(10))
                        .build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("\"etcdserver\":\"([^\"]+)\"").matcher(r.body());
        assertTrue(m.find(), r.body());
        assertEquals(m.group(1), status().getVersion());
    }

    @Test
    void raftIndexMovesWithEveryWrite() {
        StatusResponse before = status();
        assertTrue(before.getRaftIndex() > 0);
        assertTrue(before.getRaftAppliedIndex() > 0);
        await(server.kv().put(bs("k"), bs("again")));
        StatusResponse after = status();
        assertTrue(after.getRaftIndex() > before.getRaftIndex(),
                before.getRaftIndex() + " -> " + after.getRaftIndex());
        assertTrue(after.getRaftAppliedIndex() > before.getRaftAppliedIndex());
        assertTrue(after.getRaftAppliedIndex() <= after.getRaftIndex());
    }

    @Test
    void headerRevisionIsTheCurrentRevision() {
        long rev = await(server.kv().put(bs("k2"), bs("v"))).getHeader().getRevision();
        assertEquals(rev, status().getHeader().getRevision());
    }
}
