package io.vetcd.server.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the Debian-packaged tools the integration tests drive (etcd, etcdctl, python3 with etcd3).
 * Where one is missing the test is skipped on a developer machine, but fails when {@code CI=true}:
 * CI installs them, so a missing tool there is a broken CI script, not a reason to pass.
 */
public final class ExternalTool {
    private ExternalTool() {}

    public static Path require(String name, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return missing(name + " (Debian package " + debianPackage + ")");
    }

    /** Fails under CI, skips otherwise. */
    public static <T> T missing(String what) {
        String message = what + " is not installed";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message + "; .ci/run must install it");
        }
        Assumptions.abort(message + "; skipping (set CI=true to make this a failure)");
        return null;
    }
}
