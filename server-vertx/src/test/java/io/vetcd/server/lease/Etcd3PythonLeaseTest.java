package io.vetcd.server.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.server.testing.ExternalTool;
import io.vetcd.server.testing.ProcessRunner;
import io.vetcd.server.testing.RealEtcd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Debian's python3-etcd3 (0.12) leases against vetcd: runs {@code src/test/python/etcd3_lease_test.py}
 * ({@code lease()}, {@code refresh()}, {@code remaining_ttl}, {@code put(lease=…)} with the keys gone
 * after expiry, {@code revoke()}, the errors), which checks every answer itself. The same script runs
 * against a real etcd, so its expectations are etcd's; both runs must pass the same number of checks.
 */
class Etcd3PythonLeaseTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final String NAME = "etcd3_lease_test";
    private static Path script;

    @BeforeAll
    static void requirePythonEtcd3() {
        if (!Files.isExecutable(PYTHON)) {
            ExternalTool.missing(PYTHON + " (Debian package python3)");
        }
        ProcessRunner.Result probe = python(List.of("-c", "import etcd3"));
        if (probe.exitCode() != 0) {
            ExternalTool.missing("the etcd3 module for " + PYTHON + " (Debian package python3-etcd3)");
        }
        Path base = Path.of(System.getProperty("basedir", "."));
        String relative = "src/test/python/" + NAME + ".py";
        script = List.of(base.resolve(relative), Path.of("server-vertx").resolve(relative)).stream()
                .filter(Files::isRegularFile).findFirst().orElseThrow(() -> new AssertionError(relative + " not found"))
                .toAbsolutePath();
    }

    @Test
    void scriptPassesAgainstVetcdAndAgainstEtcd() {
        int vetcdChecks;
        try (LeaseServer vetcd = LeaseServer.start()) {
            vetcdChecks = runAgainst("vetcd", vetcd.port());
        }
        int etcdChecks;
        try (RealEtcd etcd = RealEtcd.start()) {
            etcdChecks = runAgainst("etcd", etcd.port());
        }
        assertEquals(etcdChecks, vetcdChecks, "the script ran different numbers of checks against etcd and vetcd");
    }

    private static int runAgainst(String server, int port) {
        String endpoint = "127.0.0.1:" + port;
        ProcessRunner.Result run = python(List.of(script.toString(), "--endpoint", endpoint));
        String transcript = "\n--- stdout ---\n" + run.stdout() + "--- stderr ---\n" + run.stderr();
        Matcher m = Pattern.compile(NAME + ": (\\d+) checks passed, (\\d+) failed \\(([^)]*)\\)").matcher(run.stdout());
        assertTrue(m.find(), "no summary line against " + server + transcript);
        assertEquals("0", m.group(2), "checks failed against " + server + transcript);
        assertEquals(0, run.exitCode(), "exit code against " + server + transcript);
        int checks = Integer.parseInt(m.group(1));
        assertTrue(checks >= 25, "only " + checks + " checks ran against " + server + transcript);
        return checks;
    }

    private static ProcessRunner.Result python(List<String> args) {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        for (String proxy : List.of("http_proxy", "https_proxy", "grpc_proxy", "HTTP_PROXY", "HTTPS_PROXY")) {
            pb.environment().remove(proxy);
        }
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        pb.environment().remove("PYTHONPATH");
        pb.environment().remove("PYTHONHOME");
        return ProcessRunner.run(pb, "", 90);
    }
}
