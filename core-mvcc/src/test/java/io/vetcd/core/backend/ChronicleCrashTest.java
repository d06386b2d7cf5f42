package io.vetcd.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backend in a child JVM ({@link CrashingWriter}): killed with {@code kill -9}, and with an empty home. */
class ChronicleCrashTest {
    @TempDir
    Path temp;

    @Test
    void everyCommitPrintedBeforeKillMinus9IsThereAfterAFastReopen() throws Exception {
        Path dataDir = temp.resolve("data");
        Set<Long> committed = new TreeSet<>();
        for (int run = 0; run < 2; run++) { // the second run starts from a recovered store
            Process child = start(dataDir, "forever", null);
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (int i = 0; i < 3000; i++) {
                    String line = out.readLine();
                    assertTrue(line != null, "the writer died: " + errors(child));
                    committed.add(Long.parseLong(line));
                }
            }
            child.destroyForcibly(); // SIGKILL, mid-batch: no shutdown hook, no close
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        }
        assertTrue(Files.notExists(dataDir.resolve("member/vetcd/clean-shutdown")));

        long start = System.nanoTime();
        try (ChronicleBackend backend = ChronicleBackend.open(dataDir, 64L << 20)) {
            List<StoredVersion> replayed = new ArrayList<>();
            BackendMeta meta = backend.load(replayed::add);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 5_000, "reopen took " + millis + " ms");
            Set<Long> present = new TreeSet<>();
            for (StoredVersion v : replayed) {
                assertEquals(v.sub() == 1, v.tombstone());
                present.add(v.main());
            }
            assertTrue(meta.revision() >= ((TreeSet<Long>) committed).last());
            assertTrue(present.containsAll(committed), "lost committed revisions");
            assertTrue(present.stream().allMatch(r -> r <= meta.revision()), "kept an uncommitted batch");
        }
    }

    @Test
    void nothingIsWrittenToTheHomeDirectory() throws Exception {
        Path home = Files.createDirectory(temp.resolve("home"));
        Process child = start(temp.resolve("data"), "100", home);
        String stdout = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue(), errors(child));
        assertEquals(100, stdout.lines().count());
        assertEquals("", errors(child), "nothing on stderr");
        try (Stream<Path> files = Files.walk(home)) {
            assertEquals(List.of(home), files.toList(), "the home directory stayed empty");
        }
    }

    /** Starts {@link CrashingWriter} with this JVM's java, class path and --add-opens/--add-exports. */
    private static Process start(Path dataDir, String revisions, Path home) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports")) {
                command.add(arg);
            }
        }
        if (home != null) {
            command.add("-Duser.home=" + home);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CrashingWriter.class.getName(),
                dataDir.toString(), revisions));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE);
        if (home != null) {
            builder.environment().put("HOME", home.toString());
            builder.environment().remove("XDG_CACHE_HOME");
        }
        return builder.start();
    }

    private static String errors(Process child) throws IOException {
        return child.isAlive() ? "" : new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
