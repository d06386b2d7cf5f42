package io.vetcd.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd (Debian's etcd-server, 3.4) like {@link RealEtcd}, but with extra flags (such as
 * {@code --quota-backend-bytes}) and restartable on its data dir: the reference for the persistence tests.
 * Its data dir is on tmpfs when there is one; {@link #close()} stops it and deletes the dir.
 */
public final class EtcdProcess implements AutoCloseable {
    private final Path etcd = ExternalTool.require("etcd", "etcd-server");
    private final Path root;
    private final List<String> extraFlags;
    private final int clientPort = FreePort.next();
    private final int peerPort = FreePort.next();
    private Process process;
    private int starts;

    private EtcdProcess(Path root, List<String> extraFlags) {
        this.root = root;
        this.extraFlags = extraFlags;
    }

    /** Starts etcd with {@code extraFlags} after the usual single-member flags; returns once it answers /health. */
    public static EtcdProcess start(String... extraFlags) {
        try {
            Path shm = Path.of("/dev/shm");
            Path root = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "vetcd-ref-") : Files.createTempDirectory("vetcd-ref-");
            EtcdProcess e = new EtcdProcess(root, List.of(extraFlags));
            try {
                e.startAgain();
            } catch (RuntimeException | AssertionError t) {
                e.close();
                throw t;
            }
            return e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts it (again, after {@link #stop()}) on the same data dir and ports. */
    public void startAgain() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("etcd is running");
        }
        String clientUrl = endpoint();
        String peerUrl = "http://127.0.0.1:" + peerPort;
        List<String> command = new ArrayList<>(List.of(etcd.toString(),
                "--name", "ref",
                "--data-dir", root.resolve("data").toString(),
                "--listen-client-urls", clientUrl,
                "--advertise-client-urls", clientUrl,
                "--listen-peer-urls", peerUrl,
                "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", "ref=" + peerUrl,
                "--log-level", "error"));
        command.addAll(extraFlags);
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(root.resolve("etcd-" + (++starts) + ".log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitServing();
    }

    /** Any answer from /health (etcd answers 503 while an alarm is raised). */
    private void awaitServing() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("etcd exited with " + process.exitValue() + "; see " + root);
            }
            try {
                http.send(HttpRequest.newBuilder(URI.create(endpoint() + "/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                return;
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        throw new AssertionError("etcd did not answer /health within 30 s");
    }

    public String endpoint() {
        return "http://127.0.0.1:" + clientPort;
    }

    /** SIGTERM; waits for the exit. */
    public void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public void close() {
        stop();
        VetcdJar.deleteTree(root);
    }
}
