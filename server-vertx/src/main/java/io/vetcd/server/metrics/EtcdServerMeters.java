package io.vetcd.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vetcd.core.KvStore;
import io.vetcd.core.MemberIdentity;
import io.vetcd.server.grpc.MemberEndpoints;

/**
 * The etcd server metrics vetcd has a meaning for, under etcd 3.4's names, types and help text
 * ({@code etcdserver/metrics.go}, {@code mvcc/metrics.go}), so dashboards and alerts written for etcd
 * read vetcd unchanged. Every value is computed when scraped: nothing here touches the request path.
 *
 * <p>vetcd is a single member that is its own leader from the start, so it reports what a one-member
 * etcd reports once elected: a leader exists, it is this member, and one leader change was seen (its
 * own election).
 */
final class EtcdServerMeters implements MeterBinder {
    private final KvStore store;
    private final MemberIdentity identity;

    EtcdServerMeters(KvStore store, MemberIdentity identity) {
        this.store = store;
        this.identity = identity;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        constant(registry, "etcd_server_has_leader", "Whether or not a leader exists. 1 is existence, 0 is not.", 1);
        constant(registry, "etcd_server_is_leader", "Whether or not this member is a leader. 1 if is, 0 otherwise.", 1);
        Counter.builder("etcd_server_leader_changes_seen")
                .description("The number of leader changes seen.")
                .register(registry)
                .increment(); // its own election, the only one it will see
        Gauge.builder("etcd_server_version", () -> 1)
                .description("Which version is running. 1 for 'server_version' label with current version.")
                .tag("server_version", MemberEndpoints.SERVER_VERSION)
                .register(registry);
        Gauge.builder("etcd_server_id", () -> 1)
                .description("Server or member ID in hexadecimal format. 1 for 'server_id' label with current ID.")
                .tag("server_id", Long.toHexString(identity.memberId())) // etcd's types.ID.String()
                .register(registry);
        Gauge.builder("etcd_mvcc_db_total_size_in_bytes", store, KvStore::backendSize)
                .description("Total size of the underlying database physically allocated in bytes.")
                .strongReference(true)
                .register(registry);
        Gauge.builder("etcd_mvcc_db_total_size_in_use_in_bytes", store, KvStore::backendSizeInUse)
                .description("Total size of the underlying database logically in use in bytes.")
                .strongReference(true)
                .register(registry);
        Gauge.builder("etcd_debugging_mvcc_current_revision", store, KvStore::revision)
                .description("The current revision of store.")
                .strongReference(true)
                .register(registry);
        Gauge.builder("etcd_debugging_mvcc_compact_revision", store, KvStore::compactRevision)
                .description("The revision of the last compaction in store.")
                .strongReference(true)
                .register(registry);
    }

    private static void constant(MeterRegistry registry, String name, String help, double value) {
        Gauge.builder(name, () -> value).description(help).register(registry);
    }
}
