package io.vetcd.server.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.server.testing.ExternalTool;
import io.vetcd.server.testing.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A python3-etcd3 check script of {@code src/test/python/} run with Debian's interpreter against one
 * server. Each script takes {@code --endpoint host:port}, checks every answer itself and ends with
 * {@code <name>: N checks passed, M failed (endpoint)}.
 */
final class Etcd3Script {
    /** Debian's interpreter: the one python3-etcd3 is installed for (not a pyenv or venv python3 on PATH). */
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private final String name;
    private final Path script;
    private final int minChecks;
    private final int timeoutSeconds;
    private final Pattern summary;

    /**
     * Finds {@code src/test/python/<name>.py}, after making sure the interpreter and the etcd3 module are
     * there (missing: skipped, or failed under {@code CI=true}).
     *
     * @param minChecks fewer checks than this in a run is a failure (the script stopped early)
     */
    static Etcd3Script require(String name, int minChecks, int timeoutSeconds) {
        if (!Files.isExecutable(PYTHON)) {
            ExternalTool.missing(PYTHON + " (Debian package python3)");
        }
        ProcessRunner.Result probe = python(List.of("-c", "import etcd3"), 60);
        if (probe.exitCode() != 0) {
            ExternalTool.missing("the etcd3 module for " + PYTHON + " (Debian package python3-etcd3: "
                    + probe.stderr().strip() + ")");
        }
        return new Etcd3Script(name, locate("src/test/python/" + name + ".py"), minChecks, timeoutSeconds);
    }

    private Etcd3Script(String name, Path script, int minChecks, int timeoutSeconds) {
        this.name = name;
        this.script = script;
        this.minChecks = minChecks;
        this.timeoutSeconds = timeoutSeconds;
        this.summary = Pattern.compile(Pattern.quote(name) + ": (\\d+) checks passed, (\\d+) failed \\(([^)]*)\\)");
    }

    /** Runs the script against 127.0.0.1:port; asserts exit 0 and a summary with no failures; returns the check count. */
    int runAgainst(String server, int port) {
        String endpoint = "127.0.0.1:" + port;
        ProcessRunner.Result run = python(List.of(script.toString(), "--endpoint", endpoint), timeoutSeconds);
        String transcript = "\n--- stdout ---\n" + run.stdout() + "--- stderr ---\n" + run.stderr();
        Matcher m = summary.matcher(run.stdout());
        assertTrue(m.find(), "no summary line from " + name + " against " + server + transcript);
        assertEquals(endpoint, m.group(3), transcript);
        assertEquals("0", m.group(2), name + " checks failed against " + server + transcript);
        assertEquals(0, run.exitCode(), "the exit code of " + name + " against " + server + transcript);
        int checks = Integer.parseInt(m.group(1));
        assertTrue(checks >= minChecks, "only " + checks + " checks ran against " + server + transcript);
        return checks;
    }

    private static ProcessRunner.Result python(List<String> args, int timeoutSeconds) {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        // gRPC honours proxy variables; the servers are on loopback. No __pycache__ in the source tree.
        for (String proxy : List.of("http_proxy", "https_proxy", "grpc_proxy", "HTTP_PROXY", "HTTPS_PROXY")) {
            pb.environment().remove(proxy);
        }
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        pb.environment().remove("PYTHONPATH");
        pb.environment().remove("PYTHONHOME");
        return ProcessRunner.run(pb, "", timeoutSeconds);
    }

    /** A file of this module, whether the tests run from the module (Maven) or from the repository root. */
    private static Path locate(String relative) {
        Path base = Path.of(System.getProperty("basedir", "."));
        for (Path candidate : List.of(base.resolve(relative), Path.of("server-vertx").resolve(relative))) {
            if (Files.isRegularFile(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        throw new AssertionError(relative + " not found under " + base.toAbsolutePath());
    }
}
