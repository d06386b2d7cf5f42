package io.vetcd.bench.report;

import io.vertx.core.json.JsonObject;

/**
 * One server's figures for one workload: throughput, errors and latency percentiles in milliseconds,
 * as the load tool (and etcd's benchmark tool) print them.
 */
public record Measurement(double reqPerSec, long errors, double p50Ms, double p90Ms, double p99Ms, double p999Ms) {

    public JsonObject toJson() {
        return new JsonObject()
                .put("reqPerSec", reqPerSec)
                .put("errors", errors)
                .put("latencyMs", new JsonObject().put("p50", p50Ms).put("p90", p90Ms).put("p99", p99Ms)
                        .put("p999", p999Ms));
    }

    /** Reads the form above, which is also the {@code --json} output of {@code vetcd-bench}. */
    public static Measurement fromJson(JsonObject json) {
        JsonObject latency = json.getJsonObject("latencyMs", new JsonObject());
        return new Measurement(json.getDouble("reqPerSec"), json.getLong("errors", 0L),
                latency.getDouble("p50", 0.0), latency.getDouble("p90", 0.0), latency.getDouble("p99", 0.0),
                latency.getDouble("p999", 0.0));
    }
}
