package io.vetcd.bench.report;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One workload measured side by side on several servers in the same run.
 *
 * @param name     a stable identifier reports are compared by, e.g. {@code put-10x100}
 * @param command  the load-tool arguments that produced it (without the endpoints)
 * @param servers  figures per server: {@value #VETCD}, {@value #ETCD}, {@value #FLOOR} (any may be missing)
 */
public record Workload(String name, String command, Map<String, Measurement> servers) {
    public static final String VETCD = "vetcd";
    public static final String ETCD = "etcd";
    public static final String FLOOR = "floor";

    public Workload {
        servers = Map.copyOf(servers);
    }

    /** vetcd's throughput over etcd's, measured in the same run; NaN when either is missing. */
    public double ratioToEtcd() {
        return ratio(ETCD);
    }

    /** vetcd's throughput over the bare transport's (the floor server); NaN when either is missing. */
    public double ratioToFloor() {
        return ratio(FLOOR);
    }

    private double ratio(String reference) {
        Measurement vetcd = servers.get(VETCD);
        Measurement other = servers.get(reference);
        return vetcd == null || other == null || other.reqPerSec() == 0 ? Double.NaN
                : vetcd.reqPerSec() / other.reqPerSec();
    }

    public JsonObject toJson() {
        JsonObject measured = new JsonObject();
        servers.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> measured.put(e.getKey(), e.getValue().toJson()));
        JsonObject ratios = new JsonObject();
        if (!Double.isNaN(ratioToEtcd())) {
            ratios.put("vetcdToEtcd", ratioToEtcd());
        }
        if (!Double.isNaN(ratioToFloor())) {
            ratios.put("vetcdToFloor", ratioToFloor());
        }
        return new JsonObject().put("name", name).put("command", command).put("servers", measured)
                .put("ratios", ratios);
    }

    public static Workload fromJson(JsonObject json) {
        Map<String, Measurement> servers = new LinkedHashMap<>();
        JsonObject measured = json.getJsonObject("servers");
        for (String server : measured.fieldNames()) {
            servers.put(server, Measurement.fromJson(measured.getJsonObject(server)));
        }
        return new Workload(json.getString("name"), json.getString("command", ""), servers);
    }
}
