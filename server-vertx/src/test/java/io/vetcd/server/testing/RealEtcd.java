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
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real etcd (Debian's etcd-server, 3.4) on free loopback ports with its data dir on tmpfs when there
 * is one: the reference the differential tests compare vetcd with. Stopped and deleted by {@link #close()}.
 */
public final class RealEtcd implements AutoCloseable {
    private final Process process;
    private final Path dataDir;
    private final int clientPort;

    private RealEtcd(Process process, Path dataDir, int clientPort) {
        this.process = process;
        this.dataDir = dataDir;
        this.clientPort = clientPort;
    }

    /** @param extraFlags more etcd flags, e.g. {@code --experimental-watch-progress-notify-interval=250ms} */
    public static RealEtcd start(String... extraFlags) {
        Path etcd = ExternalTool.require("etcd", "etcd-server");
        try {
            Path shm = Path.of("/dev/shm");
            Path dataDir = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "vetcd-ref-") : Files.createTempDirectory("vetcd-ref-");
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
            command.addAll(List.of(extraFlags));
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dataDir.resolve("etcd.log").toFile())
                    .start();
            RealEtcd real = new RealEtcd(process, dataDir, client);
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
                throw new IllegalStateException("etcd exited with " + process.exitValue() + "; see its log");
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
            sleep(50);
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
