package io.vetcd.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vetcd.server.testing.Etcdctl;
import io.vetcd.server.testing.ExternalTool;
import io.vetcd.server.testing.ProcessRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code etcdctl watch} (3.4) against a real etcd and vetcd: the same scenario runs against each, with
 * etcdctl watching in the background while other etcdctl runs write; what the watching etcdctl printed must
 * be the same. Covered: one key, a range, {@code --prefix}, {@code --prev-kv}, {@code --rev} (history),
 * {@code -w json}, interactive {@code watch -i} (its {@code watch} and {@code progress} commands) and a
 * {@code --rev} below the compaction point (etcdctl reports the cancel and exits on its own).
 *
 * <p>A background watch is known to be in place when a "ready" write on its range shows up in its output;
 * an "end" write marks where the scenario's output ends. Revisions in JSON output are shown relative to the
 * revision the scenario started at, and cluster and member ids are masked.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EtcdctlWatchTest extends EtcdctlAgainstEtcd {
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** {@code -Dvetcd.watch.etcdOnly=true}: run the scenarios against etcd alone (to check them). */
    private static final boolean ETCD_ONLY = Boolean.getBoolean("vetcd.watch.etcdOnly");

    @Test
    @Order(1)
    void singleKey() {
        String out = compare(s -> {
            Watching w = s.watch("watch", "w1/k");
            s.ready(w, "w1/k");
            s.put("w1/k", "v1");
            s.put("w1/other", "x");
            s.put("w1/k", "two words");
            s.del("w1/k");
            s.put("w1/k", "again");
            return s.end(w, "w1/k");
        });
        assertEquals("PUT\nw1/k\nv1\nPUT\nw1/k\ntwo words\nDELETE\nw1/k\n\nPUT\nw1/k\nagain\nPUT\nw1/k\nend\n", out);
    }

    @Test
    @Order(2)
    void prefixWithPrevKv() {
        String out = compare(s -> {
            Watching w = s.watch("watch", "--prefix", "w2/", "--prev-kv");
            s.ready(w, "w2/");
            s.put("w2/a", "1");
            s.put("w2/a", "2");
            s.put("w2x", "outside");
            s.put("w2/b", "3");
            s.del("w2/a");
            s.run("del", "w2/a", "w2/c");
            return s.end(w, "w2/");
        });
        assertEquals("PUT\nw2/a\n1\nPUT\nw2/a\n1\nw2/a\n2\nPUT\nw2/b\n3\nDELETE\nw2/a\n2\nw2/a\n\n"
                + "DELETE\nw2/b\n3\nw2/b\n\nPUT\nw2/end\nend\n", out);
    }

    @Test
    @Order(3)
    void rangeOfKeys() {
        compare(s -> {
            Watching w = s.watch("watch", "w3/b", "w3/d");
            s.ready(w, "w3/b");
            for (String k : List.of("w3/a", "w3/b", "w3/c", "w3/cc", "w3/d", "w3/e")) {
                s.put(k, k.toUpperCase());
            }
            return s.end(w, "w3/c");
        });
    }

    @Test
    @Order(4)
    void revReplaysHistory() {
        String out = compare(s -> {
            s.put("w4/k", "1");
            s.put("w4/k", "2");
            s.del("w4/k");
            s.put("w4/k", "3");
            Watching w = s.watch("watch", "w4/k", "--rev", s.rev(2));
            return s.end(w, "w4/k");
        });
        assertEquals("PUT\nw4/k\n2\nDELETE\nw4/k\n\nPUT\nw4/k\n3\nPUT\nw4/k\nend\n", out);
    }

    @Test
    @Order(5)
    void jsonOutput() {
        // live events only, each awaited: one response per revision (how etcd groups a replay of several
        // revisions into one response is timing, not contract)
        String out = compare(s -> {
            Watching w = s.watch("watch", "-w", "json", "--prefix", "w5/", "--prev-kv");
            s.ready(w, "w5/");
            s.rebase();
            s.put("w5/a", "0");
            w.await("\"value\":\"MA==\"");
            s.put("w5/a", "1");
            w.await("\"value\":\"MQ==\"");
            s.del("w5/a");
            w.await("\"type\":1");
            return s.end(w, "w5/");
        });
        assertEquals(4, out.lines().count(), out);
    }

    @Test
    @Order(6)
    void interactiveWatchAndProgress() {
        String out = compare(s -> {
            Watching w = s.watch("watch", "-i");
            w.send("watch w6/a");
            s.ready(w, "w6/a");
            w.send("watch --prefix w6/b/ --prev-kv");
            s.ready(w, "w6/b/");
            s.rebase();
            s.put("w6/a", "1");
            w.await("\n1\n");
            s.put("w6/b/x", "2");
            w.await("\n2\n");
            s.put("w6/b/x", "3");
            w.await("\n3\n");
            w.send("progress");
            // one line per watcher of the stream (two of them here)
            w.await("two progress notifications", (all, unused) -> all.split("progress notify: ", -1).length == 3);
            w.send("bogus");
            w.send("watch");
            w.await("(command type or key is not provided)");
            return s.end(w, "w6/a");
        });
        assertTrue(out.contains("progress notify: r+"), out);
    }

    @Test
    @Order(7)
    void revBelowTheCompactionPointEndsTheWatch() {
        compare(s -> {
            s.put("w7/k", "1");
            s.put("w7/k", "2");
            s.put("w7/k", "3");
            ProcessRunner.Result compact = s.run("compaction", s.rev(2));
            assertEquals(0, compact.exitCode(), compact.toString());
            ProcessRunner.Result r = s.run("watch", "w7/k", "--rev", s.rev(1));
            return "exit " + r.exitCode() + "\n--- stdout ---\n" + s.normalize(r.stdout()) + "\n--- stderr ---\n"
                    + s.normalize(r.stderr());
        });
    }

    // ---- running a scenario against both servers ----

    /** Runs the scenario against etcd, then vetcd; fails if vetcd's normalized output differs; returns etcd's. */
    private String compare(Function<Side, String> scenario) {
        String expected;
        try (Side etcd = new Side(servers.etcdEndpoint())) {
            expected = scenario.apply(etcd);
        }
        if (ETCD_ONLY) {
            System.out.println("etcd printed:\n" + expected);
            return expected;
        }
        String actual;
        try (Side vetcd = new Side(servers.vetcdEndpoint())) {
            actual = scenario.apply(vetcd);
        }
        assertEquals(expected, actual, "etcdctl watch printed something else against vetcd than against etcd");
        return expected;
    }

    /** One server, the revision the scenario started at, and the etcdctl processes it started. */
    static final class Side implements AutoCloseable {
        private static final Pattern REVISION = Pattern.compile("\"revision\":(\\d+)");
        final String endpoint;
        final Etcdctl etcdctl;
        long base;
        final List<Watching> started = new ArrayList<>();
        final String clusterId;
        final String memberId;

        Side(String endpoint) {
            this.endpoint = endpoint;
            this.etcdctl = new Etcdctl(endpoint);
            ProcessRunner.Result probe = etcdctl.run("get", "revision-probe", "-w", "json");
            Matcher m = REVISION.matcher(probe.stdout());
            if (probe.exitCode() != 0 || !m.find()) {
                throw new AssertionError("no revision from " + endpoint + ": " + probe);
            }
            base = Long.parseLong(m.group(1));
            clusterId = group(probe.stdout(), "\"cluster_id\":(\\d+)");
            memberId = group(probe.stdout(), "\"member_id\":(\\d+)");
        }

        /**
         * Revisions from here on are shown relative to the current one: after a {@link #ready}, which may
         * take a different number of writes on each server.
         */
        void rebase() {
            ProcessRunner.Result probe = etcdctl.run("get", "revision-probe", "-w", "json");
            Matcher m = REVISION.matcher(probe.stdout());
            if (probe.exitCode() != 0 || !m.find()) {
                throw new AssertionError("no revision from " + endpoint + ": " + probe);
            }
            base = Long.parseLong(m.group(1));
        }

        String rev(int offset) {
            return Long.toString(base + offset);
        }

        ProcessRunner.Result run(String... args) {
            return etcdctl.run(args);
        }

        void put(String key, String value) {
            ProcessRunner.Result r = etcdctl.run("put", key, value);
            assertEquals(0, r.exitCode(), () -> "put " + key + ": " + r);
        }

        void del(String key) {
            ProcessRunner.Result r = etcdctl.run("del", key);
            assertEquals(0, r.exitCode(), () -> "del " + key + ": " + r);
        }

        Watching watch(String... args) {
            Watching w = Watching.start(endpoint, args);
            started.add(w);
            return w;
        }

        /**
         * Puts {@code <prefix>ready} (or to the key itself) until the watch prints it: etcdctl may not have
         * registered its watch yet when the first one is written. Each attempt writes another value
         * ({@code ready1}, {@code ready2}, ...) and waits 2 s, so a late one cannot be taken for a later one.
         */
        void ready(Watching w, String keyOrPrefix) {
            String key = keyOrPrefix.endsWith("/") ? keyOrPrefix + "ready" : keyOrPrefix;
            for (int attempt = 1; ; attempt++) {
                String value = "ready" + attempt;
                put(key, value);
                String seen = w.json ? java.util.Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))
                        : "\n" + value + "\n";
                if (w.awaitFor(seen, attempt < 5 ? Duration.ofSeconds(2) : WAIT)) {
                    w.markAfter(seen);
                    return;
                }
            }
        }

        /** Puts {@code end} to {@code key}, waits for it, stops the watch; returns what it printed since ready. */
        String end(Watching w, String keyOrPrefix) {
            String key = keyOrPrefix.endsWith("/") ? keyOrPrefix + "end" : keyOrPrefix;
            put(key, "end");
            w.await(w.json ? "ZW5k" : "\nend\n");
            return normalize(w.stop());
        }

        String normalize(String text) {
            String s = text.replaceAll("(?<!\\d)" + clusterId + "(?!\\d)", "<cluster-id>")
                    .replaceAll("(?<!\\d)" + memberId + "(?!\\d)", "<member-id>")
                    .replace(endpoint, "<endpoint>");
            Matcher m = Pattern.compile("(\"(?:revision|create_revision|mod_revision)\":|progress notify: )(\\d+)").matcher(s);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                long n = Long.parseLong(m.group(2));
                m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + (n == 0 ? "0" : "r+" + (n - base))));
            }
            m.appendTail(sb);
            return sb.toString();
        }

        @Override
        public void close() {
            started.forEach(Watching::kill);
        }

        private static String group(String text, String regex) {
            Matcher m = Pattern.compile(regex).matcher(text);
            if (!m.find()) {
                throw new AssertionError("no " + regex + " in " + text);
            }
            return m.group(1);
        }
    }

    /** A background {@code etcdctl watch}: its standard input open, its output collected as it comes. */
    static final class Watching {
        private final Process process;
        private final StringBuffer out = new StringBuffer();
        private final StringBuffer err = new StringBuffer();
        private final OutputStream stdin;
        private final String command;
        final boolean json;
        private int mark;

        private Watching(Process process, String command, boolean json) {
            this.process = process;
            this.command = command;
            this.json = json;
            this.stdin = process.getOutputStream();
            pump(process.getInputStream(), out);
            pump(process.getErrorStream(), err);
        }

        static Watching start(String endpoint, String... args) {
            Path binary = ExternalTool.require("etcdctl", "etcd-client");
            List<String> command = new ArrayList<>(List.of(binary.toString(), "--endpoints", endpoint,
                    "--dial-timeout", "5s", "--command-timeout", "10s"));
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().remove("ETCDCTL_ENDPOINTS");
            pb.environment().put("ETCDCTL_API", "3");
            try {
                return new Watching(pb.start(), String.join(" ", args), List.of(args).contains("json"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static void pump(InputStream in, StringBuffer into) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        into.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    // process gone
                }
            }, "etcdctl-output");
            t.setDaemon(true);
            t.start();
        }

        /** Writes one line to its standard input (interactive mode). */
        void send(String line) {
            try {
                stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                stdin.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Waits until what it printed (stdout and stderr) since the mark contains {@code text}. */
        void await(String text) {
            await(text, (all, t) -> all.contains(t));
        }

        /** Like {@link #await(String)}, but returns false after {@code timeout} instead of failing. */
        boolean awaitFor(String text, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (out.substring(Math.min(mark, out.length())).contains(text)) {
                    return true;
                }
                sleep(20);
            }
            return false;
        }

        /** The scenario's output starts after the (last) {@code text} printed so far. */
        void markAfter(String text) {
            String all = out.toString();
            int i = all.lastIndexOf(text);
            int lineEnd = all.indexOf('\n', i + text.length() - 1);
            mark = lineEnd < 0 ? all.length() : lineEnd + 1;
        }

        void await(String text, java.util.function.BiPredicate<String, String> done) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                String all = out.substring(Math.min(mark, out.length())) + err;
                if (done.test(all, text)) {
                    return;
                }
                if (!process.isAlive() && !done.test(out.substring(Math.min(mark, out.length())) + err, text)) {
                    sleep(100);
                    if (done.test(out.substring(Math.min(mark, out.length())) + err, text)) {
                        return;
                    }
                    fail("etcdctl " + command + " exited (" + process.exitValue() + ") before printing " + text
                            + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err);
                }
                sleep(20);
            }
            fail("etcdctl " + command + " did not print " + text + " in " + WAIT.toSeconds() + " s\n--- stdout ---\n"
                    + out + "\n--- stderr ---\n" + err);
        }

        /** What follows is the scenario's output: forget what came before. */
        void mark() {
            mark = out.length();
        }

        /**
         * Stops it; returns stdout since the mark, then stderr (if any) after a separator: what it printed
         * before it was stopped (whether etcdctl -i also reports its stdin closing while it dies is a race).
         */
        String stop() {
            String o = out.substring(Math.min(mark, out.length()));
            String e = err.toString();
            kill();
            return e.isEmpty() ? o : o + "--- stderr ---\n" + e;
        }

        void kill() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
