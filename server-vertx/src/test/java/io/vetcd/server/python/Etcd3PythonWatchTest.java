package io.vetcd.server.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.server.ServerConfig;
import io.vetcd.server.VetcdServer;
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
 * python3-etcd3 (0.12) watches against vetcd: runs {@code src/test/python/etcd3_watch_test.py} (watch,
 * watch_prefix, watch_once, add_watch_callback, add_watch_prefix_callback, cancel_watch; range_end,
 * start_revision, prev_kv, filters, a compacted start revision), which checks every answer itself. The
 * same script runs against a real etcd, so its expectations are etcd's; both runs must pass the same checks.
 */
class Etcd3PythonWatchTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Pattern SUMMARY =
            Pattern.compile("etcd3_watch_test: (\\d+) checks passed, (\\d+) failed \\(([^)]*)\\)");

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
        script = Etcd3PythonClientTest.locate("src/test/python/etcd3_watch_test.py");
    }

    @Test
    void watchScriptPassesAgainstVetcdAndAgainstEtcd() {
        int vetcdChecks;
        try (VetcdServer vetcd = VetcdServer.start(ServerConfig.inMemoryOnFreePort())) {
            vetcdChecks = runScript("vetcd", vetcd.port());
        }
        int etcdChecks;
        try (RealEtcd etcd = RealEtcd.start()) {
            etcdChecks = runScript("etcd", etcd.port());
        }
        assertEquals(etcdChecks, vetcdChecks, "the script ran different numbers of checks against etcd and vetcd");
    }

    private static int runScript(String server, int port) {
        String endpoint = "127.0.0.1:" + port;
        ProcessRunner.Result run = python(List.of(script.toString(), "--endpoint", endpoint));
        String transcript = "\n--- stdout ---\n" + run.stdout() + "--- stderr ---\n" + run.stderr();
        Matcher m = SUMMARY.matcher(run.stdout());
        assertTrue(m.find(), "no summary line from the script against " + server + transcript);
        assertEquals(endpoint, m.group(3), transcript);
        assertEquals("0", m.group(2), "python3-etcd3 watch checks failed against " + server + transcript);
        assertEquals(0, run.exitCode(), "the script's exit code against " + server + transcript);
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
