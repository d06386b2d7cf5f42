package io.vetcd.server.metrics;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.vetcd.core.KvStore;
import io.vetcd.core.MemberIdentity;

/**
 * One member's metrics registry: etcd's server metrics, the process metrics every Prometheus client
 * exports, and the JVM's memory, GC and thread metrics.
 *
 * <p>The process metrics come from the Prometheus Java client's {@link ProcessMetrics}, registered on the
 * registry Micrometer writes from: it emits them under the Go client's names ({@code
 * process_resident_memory_bytes}, {@code process_cpu_seconds_total}, {@code process_open_fds}, ...),
 * which is what {@code etcdctl check datascale} and etcd dashboards read. Micrometer's own process
 * binders are left out on purpose: their names differ, and its uptime binder would register {@code
 * process_start_time_seconds} a second time.
 *
 * <p>Each server has its own registry (no global state), so several members can run in one JVM.
 */
final class MemberMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics(); // listens to GC notifications until closed

    MemberMetrics(KvStore store, MemberIdentity identity) {
        ProcessMetrics.builder().register(registry.getPrometheusRegistry());
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        gc.bindTo(registry);
        new EtcdServerMeters(store, identity).bindTo(registry);
    }

    /** Every metric, written in the format {@code contentType} names. */
    String scrape(String contentType) {
        return registry.scrape(contentType);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
