package io.vetcd.server.watch;

import io.vetcd.server.testing.ExternalTool;
import io.vetcd.server.testing.FreePort;
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
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real etcd (Debian's 3.4) like {@code testing.RealEtcd}, but with extra flags: the watch tests need
 * {@code --experimental-watch-progress-notify-interval}. Data dir on tmpfs when there is one.
 */
public final class WatchEtcd implements AutoCloseable {
    private final Process process;
    private final Path dataDir;
    private final int clientPort;

    private WatchEtcd(Process process, Path dataDir, int clientPort) {
        this.process = process;
        this.dataDir = dataDir;
        this.clientPort = clientPort;
    }

    /** etcd with {@code --experimental-watch-progress-notify-interval} when {@code progressInterval} is not null. */
    public static WatchEtcd start(Duration progressInterval) {
        Path etcd = ExternalTool.require("etcd", "etcd-server");
        try {
            Path shm = Path.of("/dev/shm");
            Path dataDir = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "vetcd-watch-ref-") : Files.createTempDirectory("vetcd-watch-ref-");
            int client = FreePort.next();
            int peer = FreePort.next();
            String clientUrl = "http://127.0.0.1:" + client;
            String peerUrl = "http://127.0.0.1:" + peer;
            List<String> command = new ArrayList<>(List.of(etcd.toString(),
                    "--name", "ref",
                    "--data-dir", dataDir.resolve("data").toString(),
                    "--listen-client-urls", clientUrl,
                    "--advertise-client-urls", clientUrl,
                    "--listen-peer-urls", peerUrl,
                    "--initial-advertise-peer-urls", peerUrl,
                    "--initial-cluster", "ref=" + peerUrl,
                    "--log-level", "error"));
            if (progressInterval != null) {
                command.add("--experimental-watch-progress-notify-interval=" + progressInterval.toMillis() + "ms");
            }
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dataDir.resolve("etcd.log").toFile())
                    .start();
            WatchEtcd real = new WatchEtcd(process, dataDir, client);
            real.awaitHealthy();
            return real;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitHealthy() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                close();
                throw new IllegalStateException("etcd exited with " + process.exitValue());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint() + "/health"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"true\"")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
        throw new IllegalStateException("etcd did not become healthy within 30 s");
    }

    public String endpoint() {
        return "http://127.0.0.1:" + clientPort;
    }

    public int port() {
        return clientPort;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp dir
        }
    }
}
