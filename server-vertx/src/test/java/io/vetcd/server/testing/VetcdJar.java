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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The shaded jar ({@code server-vertx/target/vetcd.jar}) as users start it, {@code java -jar vetcd.jar FLAGS},
 * for integration tests (failsafe, {@code mvn verify}): subprocesses on free loopback ports, a working
 * directory and data dirs in one temp dir, a log per process. {@link #close()} stops every process it
 * started (SIGTERM, then {@code kill -9}) and deletes the temp dir.
 *
 * <p>Without the jar (an IDE, {@code mvn test}) the calling test is skipped, except under {@code CI=true},
 * where a missing jar is a failure (as {@code VetcdJarIT} does; it could switch to this class).
 *
 * <pre>{@code
 * try (VetcdJar jar = VetcdJar.create()) {
 *     VetcdJar.Server s = jar.start("first", "--data-dir", jar.dir("data").toString());
 *     new Etcdctl(s.endpoint()).run("put", "k", "v");
 *     s.stop();
 * }
 * }</pre>
 */
public final class VetcdJar implements AutoCloseable {
    /** How long a start may take before it is a failure (a loaded 2-core CI machine; a JVM start). */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Path jar;
    private final Path java;
    private final Path temp;
    private final Path work;
    private final Path dirs;
    private final List<Process> started = new ArrayList<>();
    private int runs;

    private VetcdJar(Path jar, Path temp) throws IOException {
        this.jar = jar;
        this.java = Path.of(System.getProperty("java.home"), "bin", "java");
        this.temp = temp;
        this.work = Files.createDirectory(temp.resolve("work"));
        this.dirs = Files.createDirectory(temp.resolve("dirs"));
    }

    /** Finds the jar (skips the test, or fails it under {@code CI=true}, without it) and makes a temp dir. */
    public static VetcdJar create() {
        Path jar = find();
        try {
            return new VetcdJar(jar, Files.createTempDirectory("vetcd-jar-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code server-vertx/target/vetcd.jar}, absolute. */
    public static Path find() {
        Path candidate = Path.of(System.getProperty("basedir", ".")).resolve("target/vetcd.jar");
        if (!Files.isRegularFile(candidate)) {
            candidate = Path.of("server-vertx/target/vetcd.jar");
        }
        if (!Files.isRegularFile(candidate)) {
            String message = "server-vertx/target/vetcd.jar does not exist: it is built in the package phase;"
                    + " run this test with `mvn verify`";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(message);
            }
            Assumptions.abort(message + " (skipping)");
        }
        return candidate.toAbsolutePath();
    }

    /** The processes' working directory. */
    public Path work() {
        return work;
    }

    /** {@code dirs/<name>} inside the temp dir, not created: a data dir, a snapshot file, ... */
    public Path dir(String name) {
        return dirs.resolve(name);
    }

    /** The temp dir; deleted by {@link #close()}. */
    public Path temp() {
        return temp;
    }

    // ---- servers ----

    /** A started vetcd: its process, client URL and logs. */
    public final class Server {
        private final Process process;
        private final String endpoint;
        private final Path out;
        private final Path err;
        private final String label;

        private Server(Process process, String endpoint, Path out, Path err, String label) {
            this.process = process;
            this.endpoint = endpoint;
            this.out = out;
            this.err = err;
            this.label = label;
        }

        /** {@code http://127.0.0.1:<port>}. */
        public String endpoint() {
            return endpoint;
        }

        public int port() {
            return URI.create(endpoint).getPort();
        }

        public Process process() {
            return process;
        }

        /** SIGTERM, as a service manager stops it; returns the exit code. Fails if it does not exit in 20 s. */
        public int stop() {
            return VetcdJar.stop(process, label);
        }

        /** {@code kill -9}: no shutdown hook runs. */
        public void kill() {
            process.destroyForcibly();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    throw new AssertionError("vetcd " + label + " survived kill -9 for 20 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        /** What the process wrote to stderr so far. */
        public String stderr() {
            return read(err);
        }

        /** What the process wrote to stdout so far. */
        public String stdout() {
            return read(out);
        }

        /** Both streams, for a failure message. */
        public String log() {
            return "---- vetcd " + label + " stdout ----\n" + stdout() + "---- vetcd " + label + " stderr ----\n"
                    + stderr();
        }

        @Override
        public String toString() {
            return "vetcd " + label + " on " + endpoint;
        }
    }

    /** How a run to the end went. */
    public record Finished(int exitCode, String stdout, String stderr, Duration took) {}

    /**
     * Starts {@code java -jar vetcd.jar} with {@code flags} plus {@code --listen-client-urls} on a free port
     * (unless {@code flags} names one) and returns once {@code GET /health} answers 200.
     */
    public Server start(String label, String... flags) {
        return start(label, true, flags);
    }

    /**
     * As {@link #start(String, String...)}; with {@code requireHealthy == false} any HTTP answer from
     * {@code /health} will do (etcd answers 503 while an alarm is raised).
     */
    public Server start(String label, boolean requireHealthy, String... flags) {
        Server s = launch(label, flags);
        awaitServing(s, requireHealthy, START_TIMEOUT);
        return s;
    }

    /** Starts it without waiting for anything (for a start that must fail, or to time the start). */
    public Server launch(String label, String... flags) {
        List<String> args = new ArrayList<>(List.of(flags));
        String endpoint;
        int at = args.indexOf("--listen-client-urls");
        if (at >= 0) {
            endpoint = args.get(at + 1).split(",")[0];
        } else {
            endpoint = "http://127.0.0.1:" + FreePort.next();
            args.add("--listen-client-urls");
            args.add(endpoint);
        }
        Path out = temp.resolve("vetcd-" + label + ".out");
        Path err = temp.resolve("vetcd-" + label + ".err");
        try {
            Process p = new ProcessBuilder(command(args)).directory(work.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            synchronized (started) {
                started.add(p);
            }
            return new Server(p, endpoint, out, err, label);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for {@code /health} to answer (200 if {@code requireHealthy}); fails if the process exits. */
    public void awaitServing(Server s, boolean requireHealthy, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!s.process.isAlive()) {
                throw new AssertionError(s + " exited with " + s.process.exitValue() + " while starting:\n" + s.log());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.endpoint + "/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 || !requireHealthy) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            sleep(50);
        }
        throw new AssertionError(s + " did not serve /health within " + timeout.toSeconds() + " s (last: " + last
                + "):\n" + s.log());
    }

    /** Waits for a process that must exit by itself (a refused start); fails after {@code timeout}. */
    public static int awaitExit(Server s, Duration timeout) {
        try {
            if (!s.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(s + " is still running after " + timeout.toSeconds() + " s:\n" + s.log());
            }
            return s.process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Runs {@code java -jar vetcd.jar ARGS} (a subcommand, a refused command line) to its end. */
    public Finished run(Duration timeout, String... args) {
        int n;
        synchronized (started) {
            n = ++runs;
        }
        Path out = temp.resolve("run-" + n + ".out");
        Path err = temp.resolve("run-" + n + ".err");
        long t0 = System.nanoTime();
        try {
            Process p = new ProcessBuilder(command(List.of(args))).directory(work.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            synchronized (started) {
                started.add(p);
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("vetcd " + List.of(args) + " is still running after " + timeout.toSeconds()
                        + " s:\n" + read(out) + read(err));
            }
            return new Finished(p.exitValue(), read(out), read(err), Duration.ofNanos(System.nanoTime() - t0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private List<String> command(List<String> args) {
        List<String> command = new ArrayList<>(List.of(java.toString(), "-jar", jar.toString()));
        command.addAll(args);
        return command;
    }

    /** SIGTERM; after 20 s {@code kill -9} and a failure: a graceful stop must not hang. */
    private static int stop(Process p, String label) {
        if (!p.isAlive()) {
            return p.exitValue();
        }
        p.destroy();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("vetcd " + label + " did not exit within 20 s of SIGTERM (killed)");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Stops every process still running (SIGTERM, then kill -9) and deletes the temp dir. */
    @Override
    public void close() {
        List<Process> all;
        synchronized (started) {
            all = new ArrayList<>(started);
            started.clear();
        }
        for (Process p : all) {
            if (p.isAlive()) {
                p.destroy();
            }
        }
        for (Process p : all) {
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        deleteTree(temp);
    }

    /** Deletes a directory tree; best effort. */
    public static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp dir
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
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
