package io.vetcd.server.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.server.ServerConfig;
import io.vetcd.server.VetcdServer;
import io.vetcd.server.testing.ExternalTool;
import io.vetcd.server.testing.FreePort;
import io.vetcd.server.testing.ProcessRunner;
import io.vetcd.server.testing.RealEtcd;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Debian's python3-etcd3 (0.12) against vetcd: runs {@code src/test/python/etcd3_client_test.py}, which
 * exercises put, get, get_prefix, get_range with sorting, transactions, replace, delete, delete_prefix,
 * status, members and compaction and checks every answer itself. The same script also runs against a real
 * etcd, so its expectations are checked to be etcd's; both runs must pass the same number of checks.
 */
class Etcd3PythonClientTest {
    /** Debian's interpreter: the one python3-etcd3 is installed for (not a pyenv or venv python3 on PATH). */
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Pattern SUMMARY =
            Pattern.compile("etcd3_client_test: (\\d+) checks passed, (\\d+) failed \\(([^)]*)\\)");

    private static Path script;

    @BeforeAll
    static void requirePythonEtcd3() {
        if (!Files.isExecutable(PYTHON)) {
            ExternalTool.missing(PYTHON + " (Debian package python3)");
        }
        ProcessRunner.Result probe = python(List.of("-c", "import etcd3"));
        if (probe.exitCode() != 0) {
            ExternalTool.missing("the etcd3 module for " + PYTHON + " (Debian package python3-etcd3: "
                    + probe.stderr().strip() + ")");
        }
        script = locate("src/test/python/etcd3_client_test.py");
    }

    @Test
    void scriptPassesAgainstVetcdAndAgainstEtcd() {
        int vetcdChecks;
        // An explicit free port rather than port 0, so that the member list advertises the URL clients use.
        ServerConfig defaults = ServerConfig.inMemoryOnFreePort();
        ServerConfig config = new ServerConfig(defaults.name(), null, true,
                List.of(URI.create("http://127.0.0.1:" + FreePort.next())), List.of(), defaults.peerUrls(),
                defaults.limits(), defaults.quotaBackendBytes(), defaults.maxConcurrentStreams());
        try (VetcdServer vetcd = VetcdServer.start(config)) {
            vetcdChecks = runScript("vetcd", vetcd.port());
        }
        int etcdChecks;
        try (RealEtcd etcd = RealEtcd.start()) {
            etcdChecks = runScript("etcd", etcd.port());
        }
        assertEquals(etcdChecks, vetcdChecks, "the script ran different numbers of checks against etcd and vetcd");
    }

    /** Runs the script against 127.0.0.1:port; asserts exit 0 and a summary with no failures; returns the check count. */
    private static int runScript(String server, int port) {
        String endpoint = "127.0.0.1:" + port;
        ProcessRunner.Result run = python(List.of(script.toString(), "--endpoint", endpoint));
        String transcript = "\n--- stdout ---\n" + run.stdout() + "--- stderr ---\n" + run.stderr();
        Matcher m = SUMMARY.matcher(run.stdout());
        assertTrue(m.find(), "no summary line from the script against " + server + transcript);
        assertEquals(endpoint, m.group(3), transcript);
        assertEquals("0", m.group(2), "python3-etcd3 checks failed against " + server + transcript);
        assertEquals(0, run.exitCode(), "the script's exit code against " + server + transcript);
        int checks = Integer.parseInt(m.group(1));
        assertTrue(checks >= 100, "only " + checks + " checks ran against " + server + transcript);
        return checks;
    }

    private static ProcessRunner.Result python(List<String> args) {
        List<String> command = new java.util.ArrayList<>(List.of(PYTHON.toString()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        // gRPC honours proxy variables; the servers are on loopback. No __pycache__ in the source tree.
        for (String proxy : List.of("http_proxy", "https_proxy", "grpc_proxy", "HTTP_PROXY", "HTTPS_PROXY")) {
            pb.environment().remove(proxy);
        }
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        pb.environment().remove("PYTHONPATH");
        pb.environment().remove("PYTHONHOME");
        return ProcessRunner.run(pb, "", 60);
    }

    /** A file of this module, whether the tests run from the module (Maven) or from the repository root. */
    static Path locate(String relative) {
        Path base = Path.of(System.getProperty("basedir", "."));
        for (Path candidate : List.of(base.resolve(relative), Path.of("server-vertx").resolve(relative))) {
            if (Files.isRegularFile(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        throw new AssertionError(relative + " not found under " + base.toAbsolutePath());
    }
}
