package io.vetcd.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.server.testing.Etcdctl;
import io.vetcd.server.testing.FreePort;
import io.vetcd.server.testing.ProcessRunner;
import io.vetcd.server.testing.VetcdJar;
import java.io.IOException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar server-vertx/target/vetcd.jar}, the way users start vetcd: a subprocess on a free port,
 * driven with etcdctl. An integration test (maven-failsafe-plugin, {@code mvn verify}) because the jar is
 * built in the {@code package} phase; run without it (an IDE, {@code mvn test}) it is skipped, except under
 * {@code CI=true}, where a missing jar is a failure.
 */
class VetcdJarIT {
    private static final Pattern MEMBER_ID = Pattern.compile("\"member_id\":(\\d+)");
    private static final Pattern CLUSTER_ID = Pattern.compile("\"cluster_id\":(\\d+)");

    private static Path jar;
    private static Path java;

    /** Holds {@code work/} (the processes' working directory), {@code dirs/} (data dirs) and the logs. */
    private Path temp;
    private Path work;
    private Path dirs;
    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void findJar() {
        jar = VetcdJar.find();
        java = Path.of(System.getProperty("java.home"), "bin", "java");
    }

    @BeforeEach
    void createTemp() throws IOException {
        temp = Files.createTempDirectory("vetcd-jar-it-");
        work = Files.createDirectory(temp.resolve("work"));
        dirs = Files.createDirectory(temp.resolve("dirs"));
    }

    @AfterEach
    void stopAndClean() throws IOException {
        for (Process p : started) {
            stop(p);
        }
        try (Stream<Path> files = Files.walk(temp)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void servesEtcdctlAndKeepsItsIdentityAcrossRestarts() throws Exception {
        Path dataDir = dirs.resolve("data");
        int port = FreePort.next();
        String endpoint = "http://127.0.0.1:" + port;
        List<String> flags = List.of("--name", "jar-it", "--listen-client-urls", endpoint,
                "--data-dir", dataDir.toString(), "--initial-advertise-peer-urls", "http://127.0.0.1:2390");

        Process first = startJar(flags, "first");
        Etcdctl etcdctl = new Etcdctl(endpoint);
        ProcessRunner.Result put = etcdctl.run("put", "greeting", "hello");
        assertEquals(new ProcessRunner.Result(0, "OK\n", ""), put);
        ProcessRunner.Result get = etcdctl.run("get", "greeting");
        assertEquals(new ProcessRunner.Result(0, "greeting\nhello\n", ""), get);
        ProcessRunner.Result health = etcdctl.run("endpoint", "health");
        assertEquals(0, health.exitCode(), health.toString());
        assertTrue(health.stderr().startsWith(endpoint + " is healthy: successfully committed proposal: took = "),
                health.toString());
        ProcessRunner.Result members = etcdctl.run("member", "list");
        assertEquals(0, members.exitCode(), members.toString());
        assertTrue(members.stdout().matches("[0-9a-f]+, started, jar-it, http://127\\.0\\.0\\.1:2390, "
                + Pattern.quote(endpoint) + ", false\n"), members.stdout());
        String membersJson = etcdctl.run("member", "list", "-w", "json").stdout();
        String memberId = group(MEMBER_ID, membersJson);
        String clusterId = group(CLUSTER_ID, membersJson);
        assertTrue(membersJson.contains("\"ID\":" + memberId + ","), membersJson);
        assertTrue(Files.isDirectory(dataDir), "the data dir was not created: " + dataDir);
        stop(first);
        assertFalse(first.isAlive());

        Process second = startJar(flags, "second");
        String again = etcdctl.run("member", "list", "-w", "json").stdout();
        assertEquals(memberId, group(MEMBER_ID, again), "member id after a restart on the same data dir");
        assertEquals(clusterId, group(CLUSTER_ID, again), "cluster id after a restart on the same data dir");
        assertTrue(again.contains("\"ID\":" + memberId + ","), again);
        String status = etcdctl.run("endpoint", "status", "-w", "json").stdout();
        assertEquals(memberId, group(MEMBER_ID, status), status);
        assertTrue(status.contains("\"leader\":" + memberId), status);
        assertEmpty(work, "--data-dir was given: nothing belongs in the working directory");
        stop(second);

        // another data dir is another member (the ids are not a constant)
        List<String> otherFlags = new ArrayList<>(flags);
        otherFlags.set(otherFlags.indexOf(dataDir.toString()), dirs.resolve("other").toString());
        startJar(otherFlags, "other");
        String other = etcdctl.run("member", "list", "-w", "json").stdout();
        assertNotEquals(memberId, group(MEMBER_ID, other), "a new data dir must get a new member id");
        assertNotEquals(clusterId, group(CLUSTER_ID, other), "a new data dir must get a new cluster id");
    }

    @Test
    void withoutDataDirTheDataDirIsNameDotVetcdInTheWorkingDirectory() throws Exception {
        String endpoint = "http://127.0.0.1:" + FreePort.next();
        Process p = startJar(List.of("--name", "solo", "--listen-client-urls", endpoint), "default-dir");
        assertEquals(0, new Etcdctl(endpoint).run("put", "k", "v").exitCode());
        stop(p);
        try (Stream<Path> entries = Files.list(work)) {
            assertEquals(List.of(work.resolve("solo.vetcd")), entries.toList());
        }
    }

    @Test
    void unknownFlagIsAUsageError() throws Exception {
        Finished r = runToEnd(List.of("--no-such-flag", "--data-dir", dirs.resolve("unused").toString()));
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("Unknown option: '--no-such-flag'"), r.toString());
        assertTrue(r.stderr().contains("Usage: vetcd"), r.toString());
        assertEmpty(dirs, "a refused command line must not create the data dir");
        assertEmpty(work, "a refused command line must not create a default data dir");
    }

    @Test
    void badFlagValueIsAUsageError() throws Exception {
        Finished level = runToEnd(List.of("--log-level", "loud", "--in-memory"));
        assertEquals(2, level.exitCode(), level.toString());
        assertTrue(level.stderr().contains("--log-level: unknown level 'loud'"), level.toString());
        Finished number = runToEnd(List.of("--max-txn-ops", "many", "--in-memory"));
        assertEquals(2, number.exitCode(), number.toString());
        assertTrue(number.stderr().contains("--max-txn-ops"), number.toString());
    }

    @Test
    void unusableListenUrlExitsWithOne() throws Exception {
        Finished r = runToEnd(List.of("--listen-client-urls", "https://127.0.0.1:" + FreePort.next(), "--in-memory"));
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("vetcd: unsupported listen URL https://127.0.0.1:"), r.toString());
    }

    @Test
    void inMemoryLeavesTheDataDirUntouched() throws Exception {
        Path existing = Files.createDirectory(dirs.resolve("existing"));
        Path sentinel = Files.writeString(existing.resolve("sentinel"), "keep me");
        Path absent = existing.resolve("absent");
        String endpoint = "http://127.0.0.1:" + FreePort.next();

        Process p = startJar(List.of("--in-memory", "--listen-client-urls", endpoint, "--data-dir", absent.toString()),
                "in-memory");
        Etcdctl etcdctl = new Etcdctl(endpoint);
        assertEquals(new ProcessRunner.Result(0, "OK\n", ""), etcdctl.run("put", "k", "v"));
        assertEquals(new ProcessRunner.Result(0, "k\nv\n", ""), etcdctl.run("get", "k"));
        assertEquals(0, etcdctl.run("member", "list").exitCode());
        stop(p);
        assertFalse(Files.exists(absent), "--in-memory created the data dir " + absent);
        try (Stream<Path> entries = Files.list(existing)) {
            assertEquals(List.of(sentinel), entries.toList(), "--in-memory wrote next to the data dir");
        }
        assertEquals("keep me", Files.readString(sentinel));
        try (Stream<Path> entries = Files.list(dirs)) {
            assertEquals(List.of(existing), entries.toList(), "--in-memory wrote into the data dirs' parent");
        }
        assertEmpty(work, "--in-memory wrote into the working directory");

        // without --data-dir, --in-memory does not create the default ./default.vetcd either
        p = startJar(List.of("--in-memory", "--listen-client-urls", endpoint), "in-memory-default");
        assertEquals(0, etcdctl.run("get", "k").exitCode());
        stop(p);
        assertEmpty(work, "--in-memory created a data dir in the working directory");
    }

    /** The shaded jar carries Micrometer and the Prometheus client whole: the metrics render from it. */
    @Test
    void servesMetrics() throws Exception {
        String endpoint = "http://127.0.0.1:" + FreePort.next();
        startJar(List.of("--in-memory", "--listen-client-urls", endpoint), "metrics");
        HttpRequest scrape = HttpRequest.newBuilder(URI.create(endpoint + "/metrics"))
                .timeout(Duration.ofSeconds(20)).build();
        HttpResponse<String> r = HttpClient.newHttpClient().send(scrape, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\nprocess_resident_memory_bytes "), r.body());
        assertTrue(r.body().contains("\netcd_server_has_leader 1.0\n"), r.body());
    }

    private static void assertEmpty(Path dir, String message) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            assertEquals(List.of(), entries.toList(), message);
        }
    }

    // ---- processes ----

    private record Finished(int exitCode, String stdout, String stderr) {}

    private List<String> command(List<String> flags) {
        List<String> command = new ArrayList<>(List.of(java.toString(), "-jar", jar.toString()));
        command.addAll(flags);
        return command;
    }

    /** Starts the jar and returns once {@code GET /health} on its client URL answers. */
    private Process startJar(List<String> flags, String label) throws IOException {
        String url = flags.get(flags.indexOf("--listen-client-urls") + 1);
        Path log = temp.resolve("vetcd-" + label + ".log");
        Process p = new ProcessBuilder(command(flags)).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(p);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("vetcd exited with " + p.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/health"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return p;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            sleep(50);
        }
        throw new AssertionError("vetcd did not serve /health within 30 s:\n" + Files.readString(log));
    }

    /** Runs the jar with flags it must refuse, to its end. */
    private Finished runToEnd(List<String> flags) throws IOException, InterruptedException {
        Path out = temp.resolve("out.txt");
        Path err = temp.resolve("err.txt");
        Process p = new ProcessBuilder(command(flags)).directory(work.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        started.add(p);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("vetcd " + flags + " is still running after 30 s");
        }
        Finished f = new Finished(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return f;
    }

    /** SIGTERM, as a service manager stops it; then the kill it cannot ignore if it hangs. */
    private static void stop(Process p) {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String group(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        assertTrue(m.find(), "no " + pattern + " in " + text);
        return m.group(1);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
