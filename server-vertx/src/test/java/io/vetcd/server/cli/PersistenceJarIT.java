package io.vetcd.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.etcd.jetcd.Client;
import io.vetcd.server.testing.EtcdProcess;
import io.vetcd.server.testing.Etcdctl;
import io.vetcd.server.testing.ProcessRunner.Result;
import io.vetcd.server.testing.VetcdJar;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The jar with {@code --data-dir}, driven by {@code etcdctl} as a user would: what it keeps across a restart
 * (keys, history, compaction point, hash, identity), {@code snapshot save} and {@code vetcd snapshot restore},
 * {@code --quota-backend-bytes} and the NOSPACE alarm, and a corrupt data file. Where etcd 3.4 behaves the
 * same way the same etcdctl steps run against a real etcd too (Debian's etcd-server) and the outputs are
 * compared: revisions, versions, error messages and exit codes, the alarm list format. Not compared: the
 * hashes (vetcd's own, not bbolt's) and the quota thresholds (etcd checks the bbolt file size, vetcd the
 * retained history at 256 + len(key) + len(value) per version).
 */
class PersistenceJarIT {
    private static final String SPACE_EXCEEDED = "Error: etcdserver: mvcc: database space exceeded";
    private static final String COMPACTED = "Error: etcdserver: mvcc: required revision has been compacted";
    private static final Pattern REVISION = Pattern.compile("\"revision\":(\\d+)");
    private static final Pattern MEMBER_ID = Pattern.compile("\"member_id\":(\\d+)");
    private static final Pattern CLUSTER_ID = Pattern.compile("\"cluster_id\":(\\d+)");
    private static final Pattern HASH = Pattern.compile("\"hash\":(\\d+)");
    private static final Pattern COMPACT_REVISION = Pattern.compile("\"compact_revision\":(\\d+)");
    private static final String KIB = "x".repeat(1024);
    private static final long QUOTA = 65536;

    private VetcdJar jar;
    private final List<AutoCloseable> closeLater = new ArrayList<>();

    @BeforeEach
    void setUp() {
        jar = VetcdJar.create();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeLater) {
            c.close();
        }
        if (jar != null) {
            jar.close();
        }
    }

    private EtcdProcess etcd(String... flags) {
        EtcdProcess e = EtcdProcess.start(flags);
        closeLater.add(e);
        return e;
    }

    // ---- keys, history and compaction across a restart ----

    @Test
    void keysHistoryAndCompactionSurviveARestart() throws IOException {
        // the same steps on etcd and on vetcd give the same keys, revisions, versions and compaction point
        EtcdProcess reference = etcd();
        Etcdctl etcdctl = new Etcdctl(reference.endpoint());
        writeHistory(etcdctl);
        State expected = state(etcdctl);
        reference.stop();

        Path dataDir = jar.dir("data");
        VetcdJar.Server first = jar.start("first", "--data-dir", dataDir.toString());
        Etcdctl vetcd = new Etcdctl(first.endpoint());
        writeHistory(vetcd);
        State before = state(vetcd);
        assertEquals(expected.withoutHash(), before.withoutHash(), "vetcd (right) vs etcd (left) after the same steps");

        String status = ok(vetcd, "endpoint", "status", "-w", "json").stdout();
        long dbSize = number(status, "dbSize");
        long inUse = number(status, "dbSizeInUse");
        assertTrue(dbSize > 0 && inUse > 0 && inUse <= dbSize, "dbSize " + dbSize + ", dbSizeInUse " + inUse
                + " in " + status);
        String ids = ok(vetcd, "member", "list", "-w", "json").stdout();

        int exit = first.stop();
        assertTrue(exit == 0 || exit == 143, "exit code after SIGTERM: " + exit + "\n" + first.log());
        assertTrue(Files.isDirectory(dataDir.resolve("member").resolve("vetcd")),
                "no member/vetcd in the data dir: " + listing(dataDir));

        VetcdJar.Server second = jar.start("second", "--data-dir", dataDir.toString());
        vetcd = new Etcdctl(second.endpoint());
        assertEquals(before, state(vetcd), "after a restart on the same data dir");
        String idsAgain = ok(vetcd, "member", "list", "-w", "json").stdout();
        assertEquals(group(MEMBER_ID, ids), group(MEMBER_ID, idsAgain), "member id after the restart");
        assertEquals(group(CLUSTER_ID, ids), group(CLUSTER_ID, idsAgain), "cluster id after the restart");

        // the history continues at the next revision
        String put = ok(vetcd, "put", "f", "1", "-w", "json").stdout();
        assertEquals(before.revision() + 1, Long.parseLong(group(REVISION, put)), put);
        String f = ok(vetcd, "get", "f", "-w", "json").stdout();
        assertTrue(f.contains("\"create_revision\":" + (before.revision() + 1) + ",\"mod_revision\":"
                + (before.revision() + 1) + ",\"version\":1"), f);

        // defrag keeps everything
        Result defrag = ok(vetcd, "defrag");
        assertEquals("Finished defragmenting etcd member[" + second.endpoint() + "]\n", defrag.stdout());
        State afterDefrag = state(vetcd);
        assertEquals(before.compactRevision(), afterDefrag.compactRevision(), "compaction point after defrag");
        assertEquals(before.revision() + 1, afterDefrag.revision(), "revision after defrag");
        assertEquals(before.historic(), afterDefrag.historic(), "history after defrag");
        assertEquals(before.compactedError(), afterDefrag.compactedError());
        String fAgain = ok(vetcd, "get", "f", "-w", "json").stdout();
        assertEquals(f.substring(f.indexOf("\"kvs\"")), fAgain.substring(fAgain.indexOf("\"kvs\"")));
        second.stop();

        // and the defragmented files load again
        VetcdJar.Server third = jar.start("third", "--data-dir", dataDir.toString());
        assertEquals(afterDefrag, state(new Etcdctl(third.endpoint())), "after defrag and a restart");
        third.stop();
    }

    /** Puts, deletes, a txn and a compaction: revisions 2 to 11, compacted at 5. */
    private static void writeHistory(Etcdctl c) {
        ok(c, "put", "a", "1");      // 2
        ok(c, "put", "b", "1");      // 3
        ok(c, "put", "a", "2");      // 4
        ok(c, "put", "c", "1");      // 5
        assertEquals("1\n", ok(c, "del", "b").stdout()); // 6
        Result txn = c.runWithInput("value(\"a\") = \"2\"\n\nput c 2\ndel a\n\nput x 1\n\n", "txn", "-i"); // 7
        assertEquals(0, txn.exitCode(), txn.toString());
        assertTrue(txn.stdout().endsWith("SUCCESS\n\nOK\n\n1\n"), txn.stdout()); // after txn -i's prompts
        ok(c, "put", "d", "1");      // 8
        ok(c, "put", "a", "3");      // 9
        ok(c, "put", "d", "2");      // 10
        assertEquals("compacted revision 5\n", ok(c, "compaction", "5").stdout());
        ok(c, "put", "e", "1");      // 11
    }

    /** What a restart must keep, as etcdctl prints it. */
    record State(String kvs, long revision, String historic, String atCompaction, String compactedError,
                 String hash, String compactRevision) {
        State withoutHash() {
            return new State(kvs, revision, historic, atCompaction, compactedError, "-", compactRevision);
        }
    }

    private static State state(Etcdctl c) {
        String all = ok(c, "get", "", "--prefix", "-w", "json").stdout();
        String at7 = ok(c, "get", "", "--prefix", "--rev", "7", "-w", "json").stdout();
        String at5 = ok(c, "get", "", "--prefix", "--rev", "5", "-w", "json").stdout();
        Result compacted = c.run("get", "a", "--rev", "4");
        assertEquals(1, compacted.exitCode(), "get --rev below the compaction point: " + compacted);
        assertEquals(COMPACTED, lastLine(compacted.stderr()), compacted.toString());
        String hashkv = ok(c, "endpoint", "hashkv", "-w", "json").stdout();
        return new State(kvs(all), Long.parseLong(group(REVISION, all)), kvs(at7), kvs(at5),
                lastLine(compacted.stderr()), group(HASH, hashkv), group(COMPACT_REVISION, hashkv));
    }

    // ---- snapshot save and restore ----

    /** {@code etcdctl snapshot save} (etcdctl 3.4 checks that the stream ends in a SHA-256 on a 512-byte boundary). */
    @Test
    void etcdctlSnapshotSave() throws IOException {
        VetcdJar.Server source = jar.start("save", "--data-dir", jar.dir("save").toString());
        Etcdctl vetcd = new Etcdctl(source.endpoint());
        writeHistory(vetcd);
        Path file = jar.dir("backup.snap");
        Result save = vetcd.run("snapshot", "save", file.toString());
        // etcdctl 3.4 refuses a stream whose length n has n % 512 != 32 ("sha256 checksum not found"): etcd's
        // bbolt pages plus a SHA-256
        assertEquals(0, save.exitCode(), () -> "etcdctl snapshot save: " + save);
        assertEquals("Snapshot saved at " + file + "\n", save.stdout(), "etcdctl 3.4 prints this (as for etcd)");
        assertTrue(Files.size(file) > 0, "empty snapshot file");
        assertFalse(Files.exists(Path.of(file + ".part")), "etcdctl left its .part file: " + listing(file.getParent()));
        source.stop();

        Path restored = jar.dir("restored");
        VetcdJar.Finished restore = jar.run(Duration.ofSeconds(60), "snapshot", "restore", file.toString(),
                "--data-dir", restored.toString());
        assertEquals(0, restore.exitCode(), restore.toString());
    }

    /**
     * A snapshot (taken over Maintenance.Snapshot with jetcd, so that this does not depend on etcdctl's
     * checks) restored with {@code java -jar vetcd.jar snapshot restore} into a new data dir serves the same
     * keys, history, compaction point and hash; an existing non-empty data dir is refused and left alone.
     */
    @Test
    void snapshotRestoreIntoANewDataDir() throws Exception {
        VetcdJar.Server source = jar.start("source", "--data-dir", jar.dir("source").toString());
        Etcdctl vetcd = new Etcdctl(source.endpoint());
        writeHistory(vetcd);
        State before = state(vetcd);
        Path file = jar.dir("backup.snap");
        try (Client client = Client.builder().endpoints(source.endpoint()).build();
             OutputStream out = Files.newOutputStream(file)) {
            long size = client.getMaintenanceClient().snapshot(out).get(30, TimeUnit.SECONDS);
            assertTrue(size > 0, "empty snapshot");
        }
        source.stop();

        Path restored = jar.dir("restored");
        VetcdJar.Finished restore = jar.run(Duration.ofSeconds(60), "snapshot", "restore", file.toString(),
                "--data-dir", restored.toString());
        assertEquals(0, restore.exitCode(), restore.toString());
        assertTrue(Files.isDirectory(restored), "restore did not create " + restored);

        VetcdJar.Server copy = jar.start("restored", "--data-dir", restored.toString());
        Etcdctl fromCopy = new Etcdctl(copy.endpoint());
        assertEquals(before, state(fromCopy), "the restored data dir serves the same keys, history and hash");
        String put = ok(fromCopy, "put", "g", "1", "-w", "json").stdout();
        assertEquals(before.revision() + 1, Long.parseLong(group(REVISION, put)), put);
        copy.stop();

        // a data dir that exists and is not empty is refused, and left alone
        Path existing = Files.createDirectories(jar.dir("existing"));
        Path sentinel = Files.writeString(existing.resolve("sentinel"), "keep me");
        VetcdJar.Finished refused = jar.run(Duration.ofSeconds(60), "snapshot", "restore", file.toString(),
                "--data-dir", existing.toString());
        assertEquals(1, refused.exitCode(), refused.toString());
        assertTrue(refused.stderr().contains("Error: data-dir \"" + existing + "\" exists"), refused.toString());
        try (Stream<Path> entries = Files.list(existing)) {
            assertEquals(List.of(sentinel), entries.toList(), "restore wrote into a refused data dir");
        }
        assertEquals("keep me", Files.readString(sentinel));
        // so is the data dir just restored into
        VetcdJar.Finished again = jar.run(Duration.ofSeconds(60), "snapshot", "restore", file.toString(),
                "--data-dir", restored.toString());
        assertEquals(1, again.exitCode(), again.toString());
        assertTrue(again.stderr().contains("Error: data-dir \"" + restored + "\" exists"), again.toString());
    }

    // ---- quota ----

    /**
     * {@code --quota-backend-bytes 65536}: 1 KiB puts until one fails with etcd's NOSPACE error; the alarm is
     * listed (as etcd lists it); reads, deletes and compaction still work; once the room is freed (vetcd:
     * compaction alone; etcd 3.4 needs a defrag too, since it counts the bbolt file) {@code alarm disarm}
     * lets puts through again. Run on etcd too with the same assertions, except the number of puts that fit.
     */
    @Test
    void quotaRaisesNospaceAndCompactionFreesRoom() {
        // etcd first: it confirms the expectations
        EtcdProcess reference = etcd("--quota-backend-bytes", Long.toString(QUOTA));
        quotaScenario(new Etcdctl(reference.endpoint()), reference.endpoint(), true, "etcd");
        reference.stop();

        VetcdJar.Server server = jar.start("quota", "--data-dir", jar.dir("quota").toString(),
                "--quota-backend-bytes", Long.toString(QUOTA));
        int fitted = quotaScenario(new Etcdctl(server.endpoint()), server.endpoint(), false, "vetcd");
        // a put is checked at etcd's cost, 256 + len("q/000") + 1024 = 1285 bytes, against the history kept so
        // far, where each version takes at least its key and value (1029 bytes) and at most about its cost:
        // from 65536 / 1285 - 1 = 50 to 65536 / 1029 = 63 puts fit
        assertTrue(fitted >= 50 && fitted <= 63, "vetcd took " + fitted + " puts of a 1 KiB value under a quota of "
                + QUOTA + "\n" + server.log());
        server.stop();
    }

    /** Returns how many puts fitted. */
    private static int quotaScenario(Etcdctl c, String endpoint, boolean defrag, String who) {
        String memberId = group(MEMBER_ID, ok(c, "endpoint", "status", "-w", "json").stdout());
        int fitted = fill(c, who);
        String alarm = "memberID:" + memberId + " alarm:NOSPACE \n";
        assertEquals(alarm, ok(c, "alarm", "list").stdout(), who + ": alarm list");
        String status = ok(c, "endpoint", "status", "-w", "json").stdout();
        assertTrue(status.contains("\"errors\":[\"memberID:" + memberId + " alarm:NOSPACE \"]"),
                who + ": endpoint status lists the alarm in errors: " + status);

        // every put is refused now, even a small one, without taking a revision
        long revision = revision(c);
        Result small = c.run("put", "tiny", "1");
        assertEquals(1, small.exitCode(), who + ": " + small);
        assertEquals(SPACE_EXCEEDED, lastLine(small.stderr()), who + ": " + small);
        Result txn = c.runWithInput("\nput tiny 1\n\n\n", "txn", "-i");
        assertEquals(1, txn.exitCode(), who + ": txn with a put under NOSPACE: " + txn);
        assertEquals(SPACE_EXCEEDED, lastLine(txn.stderr()), who + ": " + txn);
        assertEquals(revision, revision(c), who + ": a refused put took a revision");

        // reads, deletes and compaction work
        assertEquals("q/000\n" + KIB + "\n", ok(c, "get", "q/000").stdout(), who);
        assertEquals(fitted + "\n", ok(c, "del", "q/", "--prefix").stdout(), who + ": del --prefix under NOSPACE");
        long now = revision(c);
        assertEquals("compacted revision " + now + "\n", ok(c, "compaction", Long.toString(now)).stdout(), who);
        if (defrag) {
            ok(c, "defrag");
        }
        // the alarm stays until disarmed
        assertEquals(alarm, ok(c, "alarm", "list").stdout(), who + ": alarm list after freeing room");
        Result stillRefused = c.run("put", "tiny", "1");
        assertEquals(SPACE_EXCEEDED, lastLine(stillRefused.stderr()), who + ": put before disarm: " + stillRefused);

        assertEquals(alarm, ok(c, "alarm", "disarm").stdout(), who + ": alarm disarm prints what it disarmed");
        assertEquals("", ok(c, "alarm", "list").stdout(), who + ": alarm list after disarm");
        assertEquals("OK\n", ok(c, "put", "tiny", "1").stdout(), who + ": put after disarm");
        assertEquals("OK\n", ok(c, "put", "q/again", KIB).stdout(), who + ": 1 KiB put after disarm");
        String health = ok(c, "endpoint", "health").stderr();
        assertTrue(health.startsWith(endpoint + " is healthy"), who + ": " + health);
        return fitted;
    }

    /** 1 KiB puts {@code q/000}, {@code q/001}, ... until one fails; asserts how it fails; returns how many fit. */
    private static int fill(Etcdctl c, String who) {
        for (int i = 0; i < 300; i++) {
            Result r = c.run("put", String.format("q/%03d", i), KIB);
            if (r.exitCode() != 0) {
                assertEquals(1, r.exitCode(), who + ": " + r);
                assertEquals(SPACE_EXCEEDED, lastLine(r.stderr()), who + ": put #" + i + " failed: " + r);
                assertTrue(r.stderr().contains("code = ResourceExhausted desc = etcdserver: mvcc: database space exceeded"),
                        who + ": the gRPC status: " + r);
                assertTrue(i > 0, who + ": not even one put fitted");
                return i;
            }
            assertEquals("OK\n", r.stdout(), who + ": " + r);
        }
        return fail(who + ": 300 puts of 1 KiB fit under a quota of " + QUOTA + " bytes");
    }

    /** The NOSPACE alarm is kept like etcd keeps it: a restart does not clear it, a disarm does (for good). */
    @Test
    void nospaceAlarmSurvivesARestartUntilDisarmed() {
        // etcd first: it confirms the expectations
        EtcdProcess reference = etcd("--quota-backend-bytes", Long.toString(QUOTA));
        Etcdctl etcdctl = new Etcdctl(reference.endpoint());
        String etcdMember = group(MEMBER_ID, ok(etcdctl, "endpoint", "status", "-w", "json").stdout());
        int etcdFitted = fill(etcdctl, "etcd");
        long etcdRevision = revision(etcdctl);
        reference.stop();
        reference.startAgain();
        alarmAfterRestart(etcdctl, etcdMember, etcdFitted, etcdRevision, "etcd", true);
        reference.stop();
        reference.startAgain();
        assertEquals("", ok(etcdctl, "alarm", "list").stdout(), "etcd: a disarmed alarm came back after a restart");
        reference.stop();

        Path dataDir = jar.dir("alarm");
        String[] flags = {"--data-dir", dataDir.toString(), "--quota-backend-bytes", Long.toString(QUOTA)};
        VetcdJar.Server server = jar.start("alarm-1", flags);
        Etcdctl vetcd = new Etcdctl(server.endpoint());
        String memberId = group(MEMBER_ID, ok(vetcd, "endpoint", "status", "-w", "json").stdout());
        int fitted = fill(vetcd, "vetcd");
        long revision = revision(vetcd);
        server.stop();

        server = jar.start("alarm-2", false, flags);
        vetcd = new Etcdctl(server.endpoint());
        alarmAfterRestart(vetcd, memberId, fitted, revision, "vetcd", false);
        server.stop();
        server = jar.start("alarm-3", flags);
        vetcd = new Etcdctl(server.endpoint());
        assertEquals("", ok(vetcd, "alarm", "list").stdout(), "vetcd: a disarmed alarm came back after a restart");
        assertEquals("OK\n", ok(vetcd, "put", "after", "restart").stdout());
        server.stop();
    }

    private static void alarmAfterRestart(Etcdctl c, String memberId, int fitted, long revision, String who,
                                          boolean defrag) {
        String alarm = "memberID:" + memberId + " alarm:NOSPACE \n";
        assertEquals(alarm, ok(c, "alarm", "list").stdout(), who + ": the alarm after a restart");
        assertEquals(revision, revision(c), who + ": revision after the restart");
        Result put = c.run("put", "tiny", "1");
        assertEquals(SPACE_EXCEEDED, lastLine(put.stderr()), who + ": put after the restart: " + put);
        assertEquals(fitted + "\n", ok(c, "del", "q/", "--prefix").stdout(), who);
        ok(c, "compaction", Long.toString(revision(c)));
        if (defrag) {
            ok(c, "defrag");
        }
        assertEquals(alarm, ok(c, "alarm", "disarm").stdout(), who);
        assertEquals("OK\n", ok(c, "put", "tiny", "1").stdout(), who + ": put after disarm");
    }

    // ---- corrupt data files ----

    /**
     * A data file cut short (half its length; then empty) after a clean stop: the jar refuses to start, exit
     * code 1 within 30 s, naming the file on stderr; it never serves an empty store instead.
     */
    @Test
    void truncatedDataFileStopsTheStart() throws IOException {
        Path dataDir = jar.dir("corrupt");
        VetcdJar.Server server = jar.start("before-corruption", "--data-dir", dataDir.toString());
        Etcdctl vetcd = new Etcdctl(server.endpoint());
        for (int i = 0; i < 50; i++) {
            ok(vetcd, "put", "k" + i, "value-" + i + "-" + KIB);
        }
        server.stop();
        Path files = dataDir.resolve("member").resolve("vetcd");
        Path revisions = revisionsFile(files);

        Path halfDir = jar.dir("half");
        copyTree(dataDir, halfDir);
        Path half = halfDir.resolve(dataDir.relativize(revisions));
        long size = Files.size(half);
        try (FileChannel ch = FileChannel.open(half, StandardOpenOption.WRITE)) {
            ch.truncate(size / 2);
        }
        refusedStart("half", halfDir, half);

        Path emptyDir = jar.dir("empty");
        copyTree(dataDir, emptyDir);
        Path empty = emptyDir.resolve(dataDir.relativize(revisions));
        try (FileChannel ch = FileChannel.open(empty, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        refusedStart("empty", emptyDir, empty);

        // the untouched original still starts and has everything
        server = jar.start("original", "--data-dir", dataDir.toString());
        vetcd = new Etcdctl(server.endpoint());
        assertEquals("value-49-" + KIB + "\n", ok(vetcd, "get", "k49", "--print-value-only").stdout());
        assertEquals(51, revision(vetcd));
        server.stop();
    }

    private void refusedStart(String label, Path dataDir, Path damaged) {
        VetcdJar.Server s = jar.launch("corrupt-" + label, "--data-dir", dataDir.toString());
        int exit = VetcdJar.awaitExit(s, Duration.ofSeconds(30));
        assertEquals(1, exit, label + ": exit code of a start on a damaged " + damaged.getFileName() + "\n" + s.log());
        assertTrue(s.stderr().contains(damaged.getFileName().toString()), label + ": stderr does not name "
                + damaged + ":\n" + s.log());
        assertTrue(Files.exists(damaged), label + ": the damaged file was deleted: " + listing(dataDir));
    }

    /** The file holding the revisions: {@code revisions.cm} or whatever the backend names it. */
    private static Path revisionsFile(Path dir) throws IOException {
        assertTrue(Files.isDirectory(dir), "no data files in " + dir + ": " + listing(dir.getParent().getParent()));
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> all = entries.filter(Files::isRegularFile).toList();
            return all.stream().filter(p -> p.getFileName().toString().startsWith("revision"))
                    .findFirst()
                    .orElseGet(() -> all.stream().max(Comparator.comparingLong(PersistenceJarIT::size))
                            .orElseThrow(() -> new AssertionError("no files in " + dir)));
        }
    }

    // ---- helpers ----

    /** Runs etcdctl and asserts it exited 0. */
    private static Result ok(Etcdctl c, String... args) {
        Result r = c.run(args);
        assertEquals(0, r.exitCode(), () -> "etcdctl " + String.join(" ", args) + ": " + r);
        return r;
    }

    private static long revision(Etcdctl c) {
        return Long.parseLong(group(REVISION, ok(c, "get", "no-such-key", "-w", "json").stdout()));
    }

    /** The {@code "kvs":[...]} of {@code get -w json} (absent when there are none). */
    private static String kvs(String json) {
        int at = json.indexOf("\"kvs\":");
        if (at < 0) {
            return "[]";
        }
        int end = json.indexOf(",\"count\":", at);
        return end < 0 ? json.substring(at) : json.substring(at, end);
    }

    private static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
        assertTrue(m.find(), "no " + field + " in " + json);
        return Long.parseLong(m.group(1));
    }

    private static String group(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        assertTrue(m.find(), "no " + pattern + " in " + text);
        return m.group(1);
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }

    private static String listing(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return "(" + dir + " does not exist)";
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.map(p -> dir.relativize(p) + (Files.isRegularFile(p) ? " (" + size(p) + " bytes)" : "/"))
                    .toList().toString();
        } catch (IOException e) {
            return "(cannot list " + dir + ": " + e + ")";
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p));
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
