package io.vetcd.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a command-line tool to completion and captures what it printed and how it exited. */
public final class ProcessRunner {
    /** What one run printed (UTF-8) and how it exited. */
    public record Result(int exitCode, String stdout, String stderr) {}

    private ProcessRunner() {}

    /**
     * Starts {@code command}, writes {@code input} to its standard input and closes it, and waits for it to
     * exit; fails (after killing it) if it takes longer than {@code timeoutSeconds}.
     */
    public static Result run(ProcessBuilder command, String input, long timeoutSeconds) {
        try {
            Process p = command.start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            try (var stdin = p.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command.command()) + " did not finish in "
                        + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
