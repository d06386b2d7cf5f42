package io.vetcd.server.lock;

import static io.vetcd.server.lock.LockServer.keys;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Client;
import io.vetcd.server.testing.ExternalTool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code etcdctl lock} and {@code etcdctl elect} (3.4) as background processes against vetcd: contention
 * between two etcdctl lockers, a holder killed with SIGKILL (its lease expires, the waiter gets the lock
 * within the TTL), an election observed with {@code elect -l}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EtcdctlLockElectTest {
    private static final Path ETCDCTL = ExternalTool.require("etcdctl", "etcd-client");
    private LockServer server;
    private Client client;
    private final List<Background> started = new ArrayList<>();

    @BeforeAll
    void start() {
        server = LockServer.start();
        client = server.client();
    }

    @AfterEach
    void stopProcesses() {
        for (Background b : started) {
            b.process.destroyForcibly();
        }
        started.clear();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** An etcdctl process whose output is collected as it comes. */
    private final class Background {
        final Process process;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Background(String... args) {
            List<String> command = new ArrayList<>(List.of(ETCDCTL.toString(), "--endpoints", server.endpoint(),
                    "--dial-timeout", "5s"));
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().remove("ETCDCTL_ENDPOINTS");
            pb.environment().put("ETCDCTL_API", "3");
            try {
                process = pb.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread reader = new Thread(() -> {
                try (InputStream in = process.getInputStream()) {
                    byte[] buf = new byte[4096];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        synchronized (out) {
                            out.write(buf, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // process gone
                }
            });
            reader.setDaemon(true);
            reader.start();
            started.add(this);
        }

        String output() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        String awaitOutput(Predicate<String> done) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!done.test(output())) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("etcdctl printed: " + output());
                }
                Thread.sleep(20);
            }
            return output();
        }

        int awaitExit() throws Exception {
            assertTrue(process.waitFor(15, TimeUnit.SECONDS), "etcdctl did not exit; printed: " + output());
            return process.exitValue();
        }
    }

    @Test
    void secondLockerBlocksUntilTheFirstExits() throws Exception {
        Background first = new Background("lock", "c1");
        String held = first.awaitOutput(s -> s.contains("c1/")).trim();
        assertTrue(held.matches("c1/[0-9a-f]+"), held);
        Background second = new Background("lock", "c1", "echo", "second got it");
        waitFor(() -> keys(client, "c1/").size() == 2);
        Thread.sleep(700);
        assertTrue(second.process.isAlive(), "the second etcdctl lock must wait; printed: " + second.output());
        assertFalse(second.output().contains("second got it"));
        first.process.destroy(); // SIGTERM: etcdctl unlocks and exits
        first.awaitExit();
        assertEquals(0, second.awaitExit(), second.output());
        assertTrue(second.output().contains("second got it"), second.output());
        waitFor(() -> keys(client, "c1/").isEmpty());
    }

    @Test
    void killedHolderLosesTheLockWhenItsLeaseExpires() throws Exception {
        Background holder = new Background("lock", "--ttl", "1", "c2");
        holder.awaitOutput(s -> s.contains("c2/"));
        Background waiter = new Background("lock", "c2", "echo", "waiter got it");
        waitFor(() -> keys(client, "c2/").size() == 2);
        long killedAt = System.nanoTime();
        holder.process.destroyForcibly(); // SIGKILL: no unlock; the lease (TTL 1 s) is no longer kept alive
        waiter.awaitOutput(s -> s.contains("waiter got it"));
        long passedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        assertTrue(passedMillis < 2500, "the lock passed " + passedMillis + " ms after the holder was killed");
        assertEquals(0, waiter.awaitExit());
        waitFor(() -> keys(client, "c2/").isEmpty());
    }

    @Test
    void electAndObserve() throws Exception {
        Background observer = new Background("elect", "-l", "c3");
        Thread.sleep(300);
        Background leader = new Background("elect", "c3", "first");
        String key = leader.awaitOutput(s -> s.contains("first")).lines().findFirst().orElseThrow();
        assertTrue(key.matches("c3/[0-9a-f]+"), key);
        observer.awaitOutput(s -> s.contains("first"));
        Background candidate = new Background("elect", "c3", "second");
        waitFor(() -> keys(client, "c3/").size() == 2);
        Thread.sleep(500);
        assertFalse(candidate.output().contains("second"), "the candidate waits; printed: " + candidate.output());
        leader.process.destroy(); // SIGTERM: resigns
        String won = candidate.awaitOutput(s -> s.contains("second"));
        String newKey = won.lines().findFirst().orElseThrow();
        String seen = observer.awaitOutput(s -> s.contains("second"));
        assertEquals(key + "\nfirst\n" + newKey + "\nsecond\n", seen);
        candidate.process.destroy();
        candidate.awaitExit();
        waitFor(() -> keys(client, "c3/").isEmpty());
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("condition not met in time");
            }
            Thread.sleep(20);
        }
    }
}
