package io.vetcd.bench.report;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A server the side-by-side run starts on a free 127.0.0.1 port and stops afterwards: vetcd (its jar, in
 * memory or with a data dir on tmpfs or disk), etcd (the Debian binary, data dir on tmpfs like etcd's
 * published no-fsync comparisons) or the floor.
 */
final class ServerProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final int port;
    private final Path workDir;

    private ServerProcess(String name, Process process, int port, Path workDir) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.workDir = workDir;
    }

    /** Where vetcd keeps its data in a run (the report's {@code vetcdStorage}). */
    enum Storage {
        /** {@code --in-memory}: nothing kept. */
        MEMORY,
        /** A data dir on {@code /dev/shm}, where the run keeps etcd's too. */
        TMPFS,
        /** A data dir on the disk under {@code java.io.tmpdir}. */
        DISK;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static ServerProcess vetcd(Path jar, Storage storage) throws IOException {
        int port = freePort();
        List<String> command = new java.util.ArrayList<>(List.of(java(), "-jar", jar.toAbsolutePath().toString(),
                "--listen-client-urls", "http://127.0.0.1:" + port));
        Path workDir = storage == Storage.TMPFS ? tmpfsDir("vetcd-bench-vetcd-")
                : Files.createTempDirectory("vetcd-bench-vetcd-");
        if (storage == Storage.MEMORY) {
            command.add("--in-memory");
        } else {
            command.addAll(List.of("--data-dir", workDir.resolve("data").toString()));
        }
        return start(Workload.VETCD, port, command, workDir);
    }

    private static Path tmpfsDir(String prefix) throws IOException {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) ? Files.createTempDirectory(shm, prefix) : Files.createTempDirectory(prefix);
    }

    static ServerProcess etcd(Path binary) throws IOException {
        int client = freePort();
        int peer = freePort();
        Path dir = tmpfsDir("vetcd-bench-etcd-");
        String clientUrl = "http://127.0.0.1:" + client;
        String peerUrl = "http://127.0.0.1:" + peer;
        return start(Workload.ETCD, client, List.of(binary.toAbsolutePath().toString(), "--name", "bench",
                "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
                "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", "bench=" + peerUrl, "--log-level", "error"), dir);
    }

    /** The canned-answer KV server of this jar: what the transport alone allows. */
    static ServerProcess floor(Path benchJar) throws IOException {
        int port = freePort();
        return start(Workload.FLOOR, port, List.of(java(), "-jar", benchJar.toString(), "floor",
                "--listen-client-urls", "http://127.0.0.1:" + port));
    }

    private static ServerProcess start(String name, int port, List<String> command) throws IOException {
        return start(name, port, command, Files.createTempDirectory("vetcd-bench-" + name + "-"));
    }

    private static ServerProcess start(String name, int port, List<String> command, Path workDir)
            throws IOException {
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(workDir.resolve(name + ".log").toFile()).start();
        ServerProcess server = new ServerProcess(name, process, port, workDir);
        server.awaitListening(Duration.ofSeconds(30));
        return server;
    }

    String endpoint() {
        return "127.0.0.1:" + port;
    }

    String name() {
        return name;
    }

    private void awaitListening(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + "; see "
                        + workDir.resolve(name + ".log"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        close();
        throw new IOException(name + " did not listen on " + port + " within " + timeout);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(workDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir: best effort
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
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
