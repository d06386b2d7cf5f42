package io.vetcd.server.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs Debian's {@code etcdctl} (v3 API) against an endpoint and captures what it printed. */
public final class Etcdctl {
    private final Path binary = ExternalTool.require("etcdctl", "etcd-client");
    private final String endpoint;

    public Etcdctl(String endpoint) {
        this.endpoint = endpoint;
    }

    public ProcessRunner.Result run(String... args) {
        return runWithInput("", args);
    }

    /** Runs with {@code input} on standard input (for the interactive forms such as {@code txn -i}). */
    public ProcessRunner.Result runWithInput(String input, String... args) {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--endpoints", endpoint,
                "--dial-timeout", "5s", "--command-timeout", "10s"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("ETCDCTL_ENDPOINTS");
        pb.environment().put("ETCDCTL_API", "3");
        return ProcessRunner.run(pb, input, 30);
    }
}
