package io.vetcd.server.cli;

import static io.vetcd.server.cli.EtcdAndVetcd.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.server.testing.ProcessRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code etcdctl endpoint status}, {@code endpoint health} and {@code member list} in every output format,
 * against a real etcd and vetcd. Beyond the ids and endpoint, {@code endpoint status} differs by nature in
 * the server version, the db size and the raft indexes, which are normalized away; {@link
 * #endpointStatusJsonStructure} checks the structure and the values that must hold.
 */
class EtcdctlClusterTest extends EtcdctlAgainstEtcd {
    @Test
    void endpointStatus() {
        servers.compare(
                cmd("endpoint", "status").status(),
                cmd("endpoint", "status", "-w", "json").status(),
                cmd("endpoint", "status", "-w", "table").status(),
                cmd("endpoint", "status", "-w", "fields").status(),
                cmd("put", "status/a", "1"),
                cmd("put", "status/a", "2"),
                cmd("endpoint", "status", "-w", "json").status(),
                cmd("endpoint", "status", "-w", "fields").status(),
                // --cluster: the endpoints are the client URLs of the member list
                cmd("endpoint", "status", "--cluster").status(),
                cmd("endpoint", "status", "--cluster", "-w", "json").status(),
                cmd("endpoint", "status", "-w", "protobuf").status().exits(4));
    }

    @Test
    void endpointHealth() {
        servers.compare(
                cmd("endpoint", "health"),
                cmd("endpoint", "health", "-w", "json"),
                cmd("endpoint", "health", "-w", "table"),
                cmd("endpoint", "health", "-w", "fields"),
                cmd("endpoint", "health", "--cluster"),
                cmd("endpoint", "health", "--cluster", "-w", "json"));
    }

    @Test
    void memberList() {
        servers.compare(
                cmd("member", "list"),
                cmd("member", "list", "-w", "simple"),
                cmd("member", "list", "-w", "json"),
                cmd("member", "list", "-w", "table"),
                cmd("member", "list", "-w", "fields"),
                cmd("member", "list", "--hex", "-w", "json"));
    }

    /**
     * The JSON of {@code endpoint status}: the same fields in the same order as etcd's (dbSize and
     * dbSizeInUse aside: vetcd keeps no backend file, and protobuf's JSON leaves out a size of 0), and the
     * values that hold for any single-member cluster: the member leads, the header names it, the raft term
     * agrees, the header revision is the store's revision.
     */
    @Test
    void endpointStatusJsonStructure() {
        ProcessRunner.Result etcd = servers.onEtcd("endpoint", "status", "-w", "json");
        ProcessRunner.Result vetcd = servers.onVetcd("endpoint", "status", "-w", "json");
        assertEquals(0, etcd.exitCode(), etcd.stderr());
        assertEquals(0, vetcd.exitCode(), vetcd.stderr());
        List<String> etcdKeys = new ArrayList<>(keys(etcd.stdout()));
        etcdKeys.removeAll(List.of("dbSize", "dbSizeInUse"));
        List<String> vetcdKeys = new ArrayList<>(keys(vetcd.stdout()));
        vetcdKeys.removeAll(List.of("dbSize", "dbSizeInUse"));
        assertEquals(List.of("Endpoint", "Status", "header", "cluster_id", "member_id", "revision", "raft_term",
                "version", "leader", "raftIndex", "raftTerm", "raftAppliedIndex"), etcdKeys, "etcd's own structure");
        assertEquals(etcdKeys, vetcdKeys, "vetcd's endpoint status JSON: " + vetcd.stdout());

        String json = vetcd.stdout();
        assertEquals(servers.vetcdEndpoint(), string(json, "Endpoint"));
        assertEquals(number(json, "member_id"), number(json, "leader"), "the single member leads");
        assertEquals(number(json, "raft_term"), number(json, "raftTerm"));
        assertTrue(Long.parseLong(number(json, "raftTerm")) >= 1, json);
        assertTrue(Long.parseLong(number(json, "raftIndex")) >= 1, json);
        assertTrue(Long.parseLong(number(json, "raftAppliedIndex")) <= Long.parseLong(number(json, "raftIndex")), json);
        assertTrue(string(json, "version").matches("3\\.\\d+\\.\\d+"), json);
        String revision = number(servers.onVetcd("get", "status-probe", "-w", "json").stdout(), "revision");
        assertEquals(revision, number(json, "revision"), "the header revision is the store's revision");
        String members = servers.onVetcd("member", "list", "-w", "json").stdout();
        assertEquals(number(members, "member_id"), number(json, "member_id"));
        assertEquals(number(members, "cluster_id"), number(json, "cluster_id"));
    }

    private static List<String> keys(String json) {
        List<String> keys = new ArrayList<>();
        Matcher m = Pattern.compile("\"([A-Za-z_]+)\":").matcher(json);
        while (m.find()) {
            keys.add(m.group(1));
        }
        return keys;
    }

    private static String number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(\\d+)").matcher(json);
        assertTrue(m.find(), "no numeric " + key + " in " + json);
        return m.group(1);
    }

    private static String string(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":\"([^\"]*)\"").matcher(json);
        assertTrue(m.find(), "no string " + key + " in " + json);
        return m.group(1);
    }
}
