package io.vetcd.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs Debian's {@code etcdctl} (v3 API) against an endpoint and captures what it printed. */
public final class Etcdctl {
    /** What one etcdctl run printed and how it exited. */
    public record Result(int exitCode, String stdout, String stderr) {}

    private final Path binary = ExternalTool.require("etcdctl", "etcd-client");
    private final String endpoint;

    public Etcdctl(String endpoint) {
        this.endpoint = endpoint;
    }

    public Result run(String... args) {
        return runWithInput("", args);
    }

    /** Runs with {@code input} on standard input (for the interactive forms such as {@code txn -i}). */
    public Result runWithInput(String input, String... args) {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--endpoints", endpoint,
                "--dial-timeout", "5s", "--command-timeout", "10s"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("ETCDCTL_ENDPOINTS");
        pb.environment().put("ETCDCTL_API", "3");
        try {
            Process p = pb.start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            try (var stdin = p.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("etcdctl " + String.join(" ", args) + " did not finish in 30 s");
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
