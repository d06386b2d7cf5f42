package io.vetcd.server.maintenance;

import static io.vetcd.server.maintenance.PersistentServer.failure;
import static io.vetcd.server.testing.Jetcd.await;
import static io.vetcd.server.testing.Jetcd.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.maintenance.AlarmMember;
import io.etcd.jetcd.maintenance.AlarmType;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.etcd.jetcd.options.GetOption;
import io.grpc.Status;
import io.vetcd.server.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's backend quota and NOSPACE alarm: a put that would take the store over
 * {@code --quota-backend-bytes} fails with RESOURCE_EXHAUSTED "etcdserver: mvcc: database space
 * exceeded" and raises the alarm; while it is raised every put fails, reads, deletes and compaction
 * work; the alarm is listed (Alarm GET, Status errors), survives a restart, and once disarmed (with room
 * made by a compaction) puts succeed again.
 */
class QuotaAlarmTest {
    private static final String NO_SPACE = "etcdserver: mvcc: database space exceeded";
    private static final long QUOTA = 64 * 1024;
    private static final ByteSequence KIB = ByteSequence.from(new byte[1024]);

    @TempDir
    Path dataDir;

    private PersistentServer start() {
        return PersistentServer.start(ServerConfig.persistentOnFreePort(dataDir).withQuotaBackendBytes(QUOTA));
    }

    private static void assertNoSpace(Throwable t) {
        Status status = Status.fromThrowable(t);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode(), String.valueOf(t));
        assertEquals(NO_SPACE, status.getDescription());
    }

    /** Puts 1 KiB values under distinct keys until one is refused; returns how many went in. */
    private static int fill(KV kv) {
        for (int i = 0; i < 1000; i++) {
            try {
                kv.put(bs("k" + i), KIB).get();
            } catch (Exception e) {
                assertNoSpace(e.getCause());
                return i;
            }
        }
        throw new AssertionError("1000 puts of 1 KiB fit a 64 KiB quota");
    }

    /** {@code GET /health<query>}: "status body". */
    private static String health(PersistentServer s, String query) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(s.endpoint() + "/health" + query)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aFullStoreRaisesNoSpaceUntilDisarmed() {
        long memberId;
        try (PersistentServer s = start()) {
            KV kv = s.kv();
            int stored = fill(kv);
            // 64 KiB / (1024 + 256 + key) per put; the index keeps one version each
            assertTrue(stored > 30 && stored < 64, stored + " puts");
            memberId = await(kv.get(bs("k0"))).getHeader().getMemberId();
            List<AlarmMember> alarms = await(s.maintenance().listAlarms()).getAlarms();
            assertEquals(1, alarms.size());
            assertEquals(memberId, alarms.get(0).getMemberId());
            assertEquals(AlarmType.NOSPACE, alarms.get(0).getAlarmType());
            StatusResponse status = await(s.maintenance().statusMember(s.endpoint()));
            assertEquals(List.of("memberID:" + Long.toUnsignedString(memberId) + " alarm:NOSPACE "), status.getErrorList());

            assertEquals("503 {\"health\":\"false\",\"reason\":\"ALARM NOSPACE\"}", health(s, ""), "etcd 3.5's /health");
            assertEquals("200 {\"health\":\"true\",\"reason\":\"\"}", health(s, "?exclude=NOSPACE"));
            assertNoSpace(failure(kv.put(bs("tiny"), bs("x"))));      // the alarm refuses even a small put
            assertEquals(stored, await(kv.get(bs("k"), GetOption.builder().isPrefix(true).build())).getCount());
            await(kv.delete(bs("k0")));                                 // deletes work
        }
        try (PersistentServer s = start()) {
            KV kv = s.kv();
            assertEquals(AlarmType.NOSPACE, await(s.maintenance().listAlarms()).getAlarms().get(0).getAlarmType(),
                    "the alarm survives a restart");
            assertNoSpace(failure(kv.put(bs("tiny"), bs("x"))));
            long revision = await(kv.delete(bs("k"), io.etcd.jetcd.options.DeleteOption.builder().isPrefix(true).build()))
                    .getHeader().getRevision();
            await(kv.compact(revision));                                // compaction works and makes room
            assertNoSpace(failure(kv.put(bs("tiny"), bs("x"))));      // ... but the alarm is still raised
            List<AlarmMember> disarmed = await(s.maintenance().alarmDisarm(new AlarmMember(memberId, AlarmType.NOSPACE)))
                    .getAlarms();
            assertEquals(1, disarmed.size(), "disarm answers with the alarm it cleared");
            assertEquals(List.of(), await(s.maintenance().listAlarms()).getAlarms());
            assertEquals(List.of(), await(s.maintenance().statusMember(s.endpoint())).getErrorList());
            await(kv.put(bs("tiny"), bs("x")));
            assertEquals("200 {\"health\":\"true\",\"reason\":\"\"}", health(s, ""));
            assertEquals(List.of(), await(s.maintenance().alarmDisarm(new AlarmMember(memberId, AlarmType.NOSPACE)))
                    .getAlarms(), "disarming an alarm that is not raised answers nothing");
        }
    }

    @Test
    void deletesAndReadOnlyTxnsPassWhenTheStoreIsFull() {
        try (PersistentServer s = start()) {
            KV kv = s.kv();
            fill(kv);
            assertEquals("k1", await(kv.txn().Then(io.etcd.jetcd.op.Op.get(bs("k1"), GetOption.DEFAULT)).commit())
                    .getGetResponses().get(0).getKvs().get(0).getKey().toString());
            assertEquals(1, await(kv.delete(bs("k1"))).getDeleted());
        }
    }
}
