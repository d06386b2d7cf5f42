package io.vetcd.bench.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.bench.floor.FloorServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(20)
class BenchCommandTest {
    private static FloorServer floor;

    @BeforeAll
    static void startFloor() {
        floor = FloorServer.start("127.0.0.1", 0);
    }

    @AfterAll
    static void stopFloor() {
        floor.close();
    }

    /** Runs the tool in-process; returns {exit code, stdout}. */
    private static Object[] run(String... args) {
        BenchCommand root = new BenchCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        root.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        root.err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        int code = BenchCommand.newCommandLine(root).execute(args);
        return new Object[] {code, out.toString(StandardCharsets.UTF_8)};
    }

    private static String endpoint() {
        return "127.0.0.1:" + floor.port();
    }

    @Test
    void parsesEtcdFlagsWithDefaultsAndGlobalsOnEitherSide() {
        BenchCommand root = new BenchCommand();
        CommandLine cl = BenchCommand.newCommandLine(root);
        CommandLine.ParseResult pr = cl.parseArgs("--endpoints", "http://a:1,b:2", "--conns", "3",
                "put", "--clients", "7", "--key-size", "16", "--sequential-keys");
        PutCmd put = pr.subcommand().commandSpec().commandLine().getCommand();
        assertEquals(List.of("http://a:1", "b:2"), root.endpoints);
        assertEquals(3, root.conns);
        assertEquals(7, root.clients, "a global flag after the verb still sets the global");
        assertEquals(16, put.keySize);
        assertEquals(8, put.valSize);
        assertEquals(10000, put.total);
        assertEquals(1, put.keySpaceSize);
        assertEquals(0, put.rate);
        assertTrue(put.sequentialKeys);

        BenchCommand root2 = new BenchCommand();
        CommandLine.ParseResult r = BenchCommand.newCommandLine(root2).parseArgs("range", "foo", "fop", "--consistency", "s");
        RangeCmd range = r.subcommand().commandSpec().commandLine().getCommand();
        assertEquals("foo", range.key);
        assertEquals("fop", range.end);
        assertEquals("s", range.consistency);
        assertEquals(List.of("127.0.0.1:2379"), root2.endpoints);
        assertEquals(1, root2.conns);
        assertEquals(1, root2.clients);

        assertEquals(Duration.ofMillis(1500), BenchCommand.goDuration("1.5s"));
        assertEquals(Duration.ofSeconds(90), BenchCommand.goDuration("1m30s"));
        assertEquals(2379, Connections.parseEndpoint("127.0.0.1").port());
        assertEquals(23790, Connections.parseEndpoint("http://127.0.0.1:23790").port());
    }

    @Test
    void keysAreGoVarints() {
        assertArrayEquals(new byte[] {0, 0, 0, 0}, Verb.varintKey(4, 0));
        assertArrayEquals(new byte[] {2, 0, 0, 0}, Verb.varintKey(4, 1));
        assertArrayEquals(new byte[] {(byte) 0xd8, 0x04, 0, 0}, Verb.varintKey(4, 300));
    }

    @Test
    void putAgainstTheFloorPrintsEtcdsSummaryAndWritesJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("put.json");
        Object[] r = run("--endpoints", endpoint(), "--conns", "2", "--clients", "8", "--no-progress",
                "put", "--total", "1000", "--val-size", "64", "--json", json.toString());
        String out = (String) r[1];
        assertEquals(0, r[0], out);
        for (String s : List.of("Summary:", "Total:", "Slowest:", "Fastest:", "Average:", "Stddev:",
                "Requests/sec:", "Response time histogram:", "Latency distribution:", "99.9% in 0.")) {
            assertTrue(out.contains(s), s + " missing in\n" + out);
        }
        assertTrue(!out.contains("Error distribution"), out);
        String j = Files.readString(json);
        for (String s : List.of("\"tool\": \"vetcd-bench\"", "\"verb\": \"put\"", "\"total\": 1000",
                "\"succeeded\": 1000", "\"errors\": 0", "\"reqPerSec\"", "\"p999\"", "\"val-size\": 64", "\"conns\": 2")) {
            assertTrue(j.contains(s), s + " missing in\n" + j);
        }
    }

    @Test
    void rangeAnswersAndUnimplementedMethodsAreReportedAsErrors() {
        Object[] range = run("--endpoints", endpoint(), "--no-progress", "range", "foo", "--total", "200");
        assertEquals(0, range[0]);
        assertTrue(((String) range[1]).startsWith("bench with linearizable range"));
        assertTrue(((String) range[1]).contains("Requests/sec:"));

        // the floor serves only Put and Range: a txn is refused, and the tool says so like etcd's
        Object[] txn = run("--endpoints", endpoint(), "--no-progress", "txn-put", "--total", "50");
        assertEquals(2, txn[0]);
        assertTrue(((String) txn[1]).contains("Error distribution:\n  [50]\trpc error: code = Unimplemented"), (String) txn[1]);

        Object[] watch = run("--endpoints", endpoint(), "--no-progress", "watch", "--streams", "2",
                "--watch-per-stream", "3");
        assertEquals(2, watch[0]);
        assertTrue(((String) watch[1]).contains("[6]\trpc error: code = Unimplemented"), (String) watch[1]);

        Object[] notABenchmark = run("--warmup-runs", "1", "summary", "no-such-report.json");
        assertEquals(2, notABenchmark[0], "--warmup-runs is refused for the report commands");
        assertEquals("", notABenchmark[1]);

        Object[] lease = run("--endpoints", endpoint(), "--no-progress", "--clients", "2", "lease-keepalive", "--total", "20");
        assertEquals(2, lease[0]);
        assertTrue(((String) lease[1]).contains("[20]\tlease grant failed: rpc error: code = Unimplemented"), (String) lease[1]);
    }
}
