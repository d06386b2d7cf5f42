package io.vetcd.bench.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of the side-by-side benchmark: where it ran, on which commit, and every workload's figures.
 * The JSON form (schema 1) is the perf-report format users compare in CI; change it only on purpose.
 *
 * <pre>{@code
 * {"schema":1, "date":"2026-11-24T05:00:00Z", "commit":"14dc789", "tool":"vetcd-bench",
 *  "machine":{"cores":2, "jdk":"17.0.15", "os":"Linux 6.18"}, "vetcdStorage":"tmpfs",
 *  "workloads":[{"name":"put-10x100", "command":"put --conns 10 --clients 100 ...",
 *                "servers":{"etcd":{...}, "floor":{...}, "vetcd":{"reqPerSec":..., "errors":0,
 *                           "latencyMs":{"p50":..,"p90":..,"p99":..,"p999":..}}},
 *                "ratios":{"vetcdToEtcd":3.1, "vetcdToFloor":0.84}}]}
 * }</pre>
 * {@code vetcdStorage} says where vetcd kept its data: {@code memory} ({@code --in-memory}), {@code tmpfs}
 * (a data dir on {@code /dev/shm}, like etcd's) or {@code disk}; reports written before it existed
 * measured {@code memory}.
 */
public record PerfReport(String date, String commit, String tool, Machine machine, String vetcdStorage,
                         List<Workload> workloads) {
    public static final int SCHEMA = 1;
    /** What reports without {@code vetcdStorage} measured: every side-by-side run before it had the option. */
    static final String STORAGE_BEFORE_THE_FIELD = "memory";

    /** The machine a report was measured on; ratios from different machines are not comparable. */
    public record Machine(int cores, String jdk, String os) {
        public static Machine current() {
            return new Machine(Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                    System.getProperty("os.name") + " " + System.getProperty("os.version"));
        }
    }

    public PerfReport {
        workloads = List.copyOf(workloads);
    }

    public Workload workload(String name) {
        return workloads.stream().filter(w -> w.name().equals(name)).findFirst().orElse(null);
    }

    public JsonObject toJson() {
        JsonArray list = new JsonArray();
        workloads.forEach(w -> list.add(w.toJson()));
        return new JsonObject().put("schema", SCHEMA).put("date", date).put("commit", commit).put("tool", tool)
                .put("machine", new JsonObject().put("cores", machine.cores()).put("jdk", machine.jdk())
                        .put("os", machine.os()))
                .put("vetcdStorage", vetcdStorage)
                .put("workloads", list);
    }

    public static PerfReport fromJson(JsonObject json) {
        int schema = json.getInteger("schema", 0);
        if (schema != SCHEMA) {
            throw new IllegalArgumentException("perf report schema " + schema + " is not " + SCHEMA);
        }
        JsonObject m = json.getJsonObject("machine");
        List<Workload> workloads = new ArrayList<>();
        for (Object w : json.getJsonArray("workloads")) {
            workloads.add(Workload.fromJson((JsonObject) w));
        }
        return new PerfReport(json.getString("date"), json.getString("commit"), json.getString("tool"),
                new Machine(m.getInteger("cores"), m.getString("jdk"), m.getString("os")),
                json.getString("vetcdStorage", STORAGE_BEFORE_THE_FIELD), workloads);
    }

    public static PerfReport read(Path file) throws IOException {
        try {
            return fromJson(new JsonObject(Files.readString(file)));
        } catch (RuntimeException e) {
            throw new IOException("not a vetcd perf report: " + file + " (" + e.getMessage() + ")", e);
        }
    }

    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, toJson().encodePrettily() + "\n");
    }
}
