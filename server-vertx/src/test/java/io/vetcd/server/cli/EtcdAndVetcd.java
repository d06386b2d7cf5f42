package io.vetcd.server.cli;

import static org.junit.jupiter.api.Assertions.fail;

import io.vetcd.server.ServerConfig;
import io.vetcd.server.VetcdServer;
import io.vetcd.server.testing.Etcdctl;
import io.vetcd.server.testing.FreePort;
import io.vetcd.server.testing.ProcessRunner;
import io.vetcd.server.testing.RealEtcd;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real etcd and an in-process vetcd side by side, and {@code etcdctl} for each: {@link #compare} runs the
 * same etcdctl commands against both and fails when vetcd's output differs from etcd's in anything but what
 * must differ between two clusters (cluster and member ids, endpoint URL, durations; for {@code endpoint
 * status} also the server version, db size and raft indexes).
 *
 * <p>vetcd is started in memory with etcd's member name and peer URL (both only reported in member lists),
 * so member lists compare field for field. Both servers live as long as this object: a test class starts
 * one pair and its tests share it, each working under its own key prefix.
 */
final class EtcdAndVetcd implements AutoCloseable {
    /** How to normalize one command's output beyond the ids, endpoint and durations every output gets. */
    enum Kind {
        /** Everything else: compared exactly after the common normalization. */
        PLAIN,
        /** {@code endpoint status}: version, db size and raft indexes differ between any two servers. */
        STATUS
    }

    /**
     * One etcdctl run: its arguments and standard input, in which {@code {r+N}} stands for the revision the
     * test started at plus N (each server's own, so one difference does not cascade), and the exit code
     * etcd must give (checked so that a comparison of two failures is never taken for a passing test).
     */
    record Step(List<String> args, String input, int expectedExit, Kind kind) {
        Step exits(int code) {
            return new Step(args, input, code, kind);
        }

        Step status() {
            return new Step(args, input, expectedExit, Kind.STATUS);
        }

        @Override
        public String toString() {
            String command = "etcdctl " + args.stream()
                    .map(a -> a.isEmpty() || a.contains(" ") || a.contains("\"") ? "'" + a + "'" : a)
                    .collect(Collectors.joining(" "));
            return input.isEmpty() ? command : command + " <<< " + abbreviate(input.replace("\n", "\\n"));
        }
    }

    static Step cmd(String... args) {
        return new Step(List.of(args), "", 0, Kind.PLAIN);
    }

    static Step stdin(String input, String... args) {
        return new Step(List.of(args), input, 0, Kind.PLAIN);
    }

    /** What one server printed for one step, normalized. */
    record Output(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + abbreviate(stdout) + "\n--- stderr ---\n"
                    + abbreviate(stderr);
        }
    }

    private static final Pattern REVISION = Pattern.compile("\"revision\":(\\d+)");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{r\\+(\\d+)}");

    private final RealEtcd etcd;
    private final VetcdServer vetcd;
    private final Side etcdSide;
    private final Side vetcdSide;

    private EtcdAndVetcd(RealEtcd etcd, VetcdServer vetcd) {
        this.etcd = etcd;
        this.vetcd = vetcd;
        this.etcdSide = new Side("etcd", etcd.endpoint());
        this.vetcdSide = new Side("vetcd", vetcd.endpoint());
    }

    static EtcdAndVetcd start() {
        RealEtcd etcd = RealEtcd.start();
        VetcdServer vetcd = null;
        try {
            String members = new Etcdctl(etcd.endpoint()).run("member", "list", "-w", "json").stdout();
            String name = group(members, "\"name\":\"([^\"]+)\"");
            String peerUrl = group(members, "\"peerURLs\":\\[\"([^\"]+)\"");
            // Like inMemoryOnFreePort(), but on a port chosen here: with port 0 the member list would
            // advertise http://127.0.0.1:0 (vetcd, like etcd, reports the configured URL, not the bound port).
            ServerConfig defaults = ServerConfig.inMemoryOnFreePort();
            URI clientUrl = URI.create("http://127.0.0.1:" + FreePort.next());
            vetcd = VetcdServer.start(new ServerConfig(name, null, true, List.of(clientUrl), List.of(),
                    List.of(URI.create(peerUrl)), defaults.limits(), defaults.quotaBackendBytes(),
                    defaults.maxConcurrentStreams()));
            return new EtcdAndVetcd(etcd, vetcd);
        } catch (RuntimeException | AssertionError e) {
            if (vetcd != null) {
                vetcd.close();
            }
            etcd.close();
            throw e;
        }
    }

    /**
     * Runs {@code steps} against etcd, then against vetcd, and fails listing every step whose normalized
     * output differs, or for which etcd did not exit as the step expects.
     */
    void compare(Step... steps) {
        List<Output> expected = etcdSide.run(steps);
        List<Output> actual = vetcdSide.run(steps);
        StringBuilder problems = new StringBuilder();
        int bad = 0;
        for (int i = 0; i < steps.length; i++) {
            if (expected.get(i).exitCode() != steps[i].expectedExit()) {
                bad++;
                problems.append("\n\n#").append(i + 1).append(' ').append(steps[i])
                        .append("\nthe test expects exit ").append(steps[i].expectedExit())
                        .append(" from etcd, which gave:\n").append(expected.get(i));
            } else if (!expected.get(i).equals(actual.get(i))) {
                bad++;
                problems.append("\n\n#").append(i + 1).append(' ').append(steps[i])
                        .append("\n=== etcd (expected) ===\n").append(expected.get(i))
                        .append("\n=== vetcd (actual) ===\n").append(actual.get(i));
            }
        }
        if (bad > 0) {
            fail(bad + " of " + steps.length + " etcdctl commands differ between etcd and vetcd"
                    + " (outputs normalized)" + problems);
        }
    }

    /** Runs one command against etcd only: for the tests' own checks of what the reference does. */
    ProcessRunner.Result onEtcd(String... args) {
        return new Etcdctl(etcd.endpoint()).run(args);
    }

    /** Runs one command against vetcd only. */
    ProcessRunner.Result onVetcd(String... args) {
        return new Etcdctl(vetcd.endpoint()).run(args);
    }

    String etcdEndpoint() {
        return etcd.endpoint();
    }

    String vetcdEndpoint() {
        return vetcd.endpoint();
    }

    @Override
    public void close() {
        try {
            vetcd.close();
        } finally {
            etcd.close();
        }
    }

    /** One server, its etcdctl, and what its outputs must have replaced before comparison. */
    private static final class Side {
        private final String label;
        private final String endpoint;
        private final Etcdctl etcdctl;
        private final String hostPort;
        private final String clusterId;
        private final String memberId;
        private final String memberIdHex;

        Side(String label, String endpoint) {
            this.label = label;
            this.endpoint = endpoint;
            this.etcdctl = new Etcdctl(endpoint);
            this.hostPort = URI.create(endpoint).getAuthority();
            String members = etcdctl.run("member", "list", "-w", "json").stdout();
            this.clusterId = group(members, "\"cluster_id\":(\\d+)");
            this.memberId = group(members, "\"member_id\":(\\d+)");
            this.memberIdHex = Long.toHexString(Long.parseUnsignedLong(memberId));
        }

        List<Output> run(Step[] steps) {
            ProcessRunner.Result probe = etcdctl.run("get", "revision-probe", "-w", "json");
            Matcher m = REVISION.matcher(probe.stdout());
            if (probe.exitCode() != 0 || !m.find()) {
                throw new AssertionError(label + " at " + endpoint + " did not answer a get: " + probe);
            }
            long base = Long.parseLong(m.group(1));
            List<Output> outputs = new ArrayList<>();
            for (Step step : steps) {
                String[] args = step.args().stream().map(a -> resolve(a, base)).toArray(String[]::new);
                ProcessRunner.Result r = etcdctl.runWithInput(resolve(step.input(), base), args);
                outputs.add(new Output(r.exitCode(), normalize(r.stdout(), step.kind()),
                        normalize(r.stderr(), step.kind())));
            }
            return outputs;
        }

        private static String resolve(String text, long base) {
            return PLACEHOLDER.matcher(text).replaceAll(m -> Long.toString(base + Long.parseLong(m.group(1))));
        }

        String normalize(String text, Kind kind) {
            String s = text.replace(endpoint, "<endpoint>").replace(hostPort, "<host:port>");
            s = s.replaceAll("(?<!\\d)" + clusterId + "(?!\\d)", "<cluster-id>")
                    .replaceAll("(?<!\\d)" + memberId + "(?!\\d)", "<member-id>")
                    .replaceAll("(?<![0-9a-f])" + memberIdHex + "(?![0-9a-f])", "<member-id-hex>");
            // etcdctl's own log lines (the client's retry interceptor logs every failed call)
            s = s.replaceAll("\"ts\":\"[^\"]*\"", "\"ts\":\"<ts>\"")
                    .replaceAll("client-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "client-<uuid>");
            // endpoint health: how long the probe took
            s = s.replaceAll("took = \\S+", "took = <duration>")
                    .replaceAll("\"took\":\"[^\"]*\"", "\"took\":\"<duration>\"")
                    .replaceAll("\"Took\" : \\S+", "\"Took\" : <duration>");
            if (kind == Kind.STATUS) {
                s = s.replaceAll("\"version\":\"[^\"]*\"", "\"version\":\"<version>\"")
                        .replaceAll(",\"dbSize\":\\d+", "")          // vetcd: 0, so omitted from the JSON
                        .replaceAll(",\"dbSizeInUse\":\\d+", "")
                        .replaceAll("\"raftIndex\":\\d+", "\"raftIndex\":<n>")
                        .replaceAll("\"raftAppliedIndex\":\\d+", "\"raftAppliedIndex\":<n>")
                        .replaceAll("\"Version\" : \"[^\"]*\"", "\"Version\" : \"<version>\"")
                        .replaceAll("\"DBSize\" : \\d+", "\"DBSize\" : <n>")
                        .replaceAll("\"RaftIndex\" : \\d+", "\"RaftIndex\" : <n>")
                        .replaceAll("\"RaftAppliedIndex\" : \\d+", "\"RaftAppliedIndex\" : <n>");
                s = normalizeSimpleStatus(s);
            }
            return normalizeTables(s, kind == Kind.STATUS
                    ? Set.of("VERSION", "DB SIZE", "RAFT INDEX", "RAFT APPLIED INDEX", "TOOK") : Set.of("TOOK"));
        }

        /** {@code <endpoint>, <id>, <version>, <db size>, <leader>, <learner>, <term>, <index>, <applied>, <errors>} */
        private static String normalizeSimpleStatus(String s) {
            return Arrays.stream(s.split("\n", -1)).map(line -> {
                String[] f = line.split(", ", -1);
                if (!line.startsWith("<endpoint>, ") || f.length < 10) {
                    return line;
                }
                f[2] = "<version>";
                f[3] = "<db-size>";
                f[7] = "<n>";
                f[8] = "<n>";
                return String.join(", ", f);
            }).collect(Collectors.joining("\n"));
        }

        /**
         * etcdctl's tables: padding and border widths follow the longest cell, which the normalized values
         * change, so cells are compared trimmed; cells of the {@code masked} columns are replaced.
         */
        private static String normalizeTables(String s, Set<String> masked) {
            List<String> out = new ArrayList<>();
            List<Integer> maskedColumns = List.of();
            for (String line : s.split("\n", -1)) {
                if (line.startsWith("+-") && line.endsWith("+")) {
                    out.add("+--+");
                    continue;
                }
                if (!(line.startsWith("|") && line.endsWith("|") && line.length() > 1)) {
                    out.add(line);
                    continue;
                }
                String[] cells = line.substring(1, line.length() - 1).split("\\|", -1);
                for (int i = 0; i < cells.length; i++) {
                    cells[i] = cells[i].trim();
                }
                if (Arrays.stream(cells).anyMatch(masked::contains)) {
                    List<Integer> columns = new ArrayList<>();
                    for (int i = 0; i < cells.length; i++) {
                        if (masked.contains(cells[i])) {
                            columns.add(i);
                        }
                    }
                    maskedColumns = columns;
                } else {
                    for (int i : maskedColumns) {
                        if (i < cells.length) {
                            cells[i] = "<masked>";
                        }
                    }
                }
                out.add("| " + String.join(" | ", cells) + " |");
            }
            return String.join("\n", out);
        }
    }

    /** Failure messages show at most 2000 characters of one output (some steps put a megabyte). */
    private static String abbreviate(String text) {
        return text.length() <= 2000 ? text
                : text.substring(0, 1000) + "[... " + (text.length() - 2000) + " more characters ...]"
                        + text.substring(text.length() - 1000);
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new AssertionError("no " + regex + " in: " + text);
        }
        return m.group(1);
    }
}
