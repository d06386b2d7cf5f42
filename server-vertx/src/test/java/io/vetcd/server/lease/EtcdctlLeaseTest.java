package io.vetcd.server.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.vetcd.proto.etcdserverpb.LeaseStatus;
import io.vetcd.server.ServerConfig;
import io.vetcd.server.VetcdServer;
import io.vetcd.server.testing.Etcdctl;
import io.vetcd.server.testing.ProcessRunner;
import io.vetcd.server.testing.RealEtcd;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * etcdctl 3.4's {@code lease} subcommands and {@code put --lease} against a real etcd and vetcd: the same
 * commands must print the same thing (stdout, stderr, exit code) once the ids each server chose itself are
 * normalized. The leases the commands work on are granted with the same ids on both servers first
 * (0x3e8 and 0x3e9), so they compare as they are; etcd lists leases and attached keys in Go map order,
 * so both lists are sorted before comparison.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EtcdctlLeaseTest {
    private RealEtcd etcd;
    private VetcdServer vetcd;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private Side reference;
    private Side candidate;

    private record Side(String name, Etcdctl ctl, RawLease raw, String hostPort) {}

    @BeforeAll
    void start() {
        etcd = RealEtcd.start();
        vetcd = VetcdServer.start(ServerConfig.inMemoryOnFreePort());
        reference = new Side("etcd", new Etcdctl(etcd.endpoint()), new RawLease(channel(etcd.port())),
                "127.0.0.1:" + etcd.port());
        candidate = new Side("vetcd", new Etcdctl(vetcd.endpoint()), new RawLease(channel(vetcd.port())),
                "127.0.0.1:" + vetcd.port());
    }

    private ManagedChannel channel(int port) {
        ManagedChannel c = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        channels.add(c);
        return c;
    }

    @AfterAll
    void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        if (vetcd != null) {
            vetcd.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    private static final Pattern GRANTED = Pattern.compile("lease ([0-9a-f]+) granted with TTL");
    private static final Pattern ATTACHED = Pattern.compile("attached keys\\(\\[([^]]*)]\\)");
    private static final Pattern JSON_KEYS = Pattern.compile("\"keys\":\\[([^]]*)]");
    private static final Pattern JSON_LEASES = Pattern.compile("\"leases\":\\[([^]]*)]");

    private static String normalize(String s, Side side) {
        s = s.replace(side.hostPort, "<host:port>")
                .replaceAll("\"cluster_id\":\\d+", "\"cluster_id\":<id>")
                .replaceAll("\"member_id\":\\d+", "\"member_id\":<id>")
                .replaceAll("\"ClusterID\" : \\d+", "\"ClusterID\" : <id>")
                .replaceAll("\"MemberID\" : \\d+", "\"MemberID\" : <id>")
                .replaceAll("\"ts\":\"[^\"]*\"", "\"ts\":\"<ts>\"")
                .replaceAll("client-[0-9a-f-]{36}", "client-<uuid>");
        s = sortInside(ATTACHED, s, " ", "attached keys([", "])");
        s = sortInside(JSON_KEYS, s, ",", "\"keys\":[", "]");
        s = sortInside(JSON_LEASES, s, ",", "\"leases\":[", "]");
        if (s.startsWith("found ")) { // lease list: a count, then one id a line
            List<String> lines = new ArrayList<>(s.lines().toList());
            List<String> ids = new ArrayList<>(lines.subList(1, lines.size()));
            ids.sort(null);
            s = lines.get(0) + "\n" + String.join("\n", ids) + "\n";
        }
        return s;
    }

    private static String sortInside(Pattern p, String s, String separator, String before, String after) {
        Matcher m = p.matcher(s);
        return m.replaceAll(r -> Matcher.quoteReplacement(before + String.join(separator,
                Arrays.stream(r.group(1).split(Pattern.quote(separator))).sorted().toList()) + after));
    }

    private String run(Side side, String... args) {
        ProcessRunner.Result r = side.ctl.run(args);
        return "exit " + r.exitCode() + "\n--- stdout\n" + normalize(r.stdout(), side)
                + "--- stderr\n" + normalize(r.stderr(), side);
    }

    private final List<String> mismatches = new ArrayList<>();

    private void compare(String... args) {
        String expected = run(reference, args);
        String actual = run(candidate, args);
        if (!expected.equals(actual)) {
            mismatches.add(String.join(" ", args) + "\n  etcd:\n" + expected + "\n  vetcd:\n" + actual);
        }
    }

    @Test
    void leaseSubcommandsPrintWhatEtcdPrints() {
        for (Side side : List.of(reference, candidate)) {
            side.raw.grant(1000, 100);
            side.raw.grant(1001, 50);
        }
        // grant: the id is the server's choice; the rest of the line must match
        for (String ttl : List.of("10", "1")) {
            String e = reference.ctl.run("lease", "grant", ttl).stdout();
            ProcessRunner.Result v = candidate.ctl.run("lease", "grant", ttl);
            assertEquals(0, v.exitCode(), v.stderr());
            Matcher em = GRANTED.matcher(e);
            Matcher vm = GRANTED.matcher(v.stdout());
            assertTrue(em.find() && vm.find(), "etcd: " + e + " vetcd: " + v.stdout());
            assertEquals(e.replace(em.group(1), "<id>"), v.stdout().replace(vm.group(1), "<id>"));
            long id = Long.parseUnsignedLong(vm.group(1), 16);
            assertEquals(Long.parseLong(ttl) < 2 ? 2 : Long.parseLong(ttl),
                    candidate.raw.timeToLive(id, false).getGrantedTTL(), "the lease etcdctl printed exists");
        }
        compare("lease", "grant", "9000000001");
        compare("put", "--lease=3e8", "lk/a", "1");
        compare("put", "--lease=3e8", "lk/b", "2");
        compare("put", "--lease=3e9", "lk/c", "3");
        compare("put", "--lease=1234abcd", "lk/d", "4");
        compare("get", "lk/a", "-w", "json");
        compare("get", "lk/", "--prefix");
        compare("lease", "timetolive", "3e8");
        compare("lease", "timetolive", "--keys", "3e8");
        compare("lease", "timetolive", "--keys", "3e8", "-w", "json");
        compare("lease", "timetolive", "--keys", "3e9", "-w", "fields");
        compare("lease", "timetolive", "1234abcd");
        compare("lease", "timetolive", "--keys", "1234abcd", "-w", "json");
        compare("lease", "keep-alive", "--once", "3e8");
        compare("lease", "keep-alive", "--once", "3e8", "-w", "json");
        compare("lease", "keep-alive", "--once", "1234abcd");
        // the leases the grants above chose ids for are gone before the list
        for (Side side : List.of(reference, candidate)) {
            for (LeaseStatus l : side.raw.leases().getLeasesList()) {
                if (l.getID() != 1000 && l.getID() != 1001) {
                    side.raw.revoke(l.getID());
                }
            }
        }
        compare("lease", "list");
        compare("lease", "list", "-w", "json");
        compare("lease", "revoke", "3e9");
        compare("lease", "revoke", "1234abcd");
        compare("get", "lk/", "--prefix");
        compare("lease", "revoke", "3e8");
        compare("get", "lk/", "--prefix", "-w", "json");
        compare("lease", "list");
        compare("lease", "timetolive", "3e8");
        assertTrue(mismatches.isEmpty(), mismatches.size() + " command(s) printed differently:\n"
                + String.join("\n", mismatches));
    }
}
