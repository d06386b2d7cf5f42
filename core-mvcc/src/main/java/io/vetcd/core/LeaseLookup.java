package io.vetcd.core;

/**
 * Which lease ids are granted: etcd refuses a put naming a lease its lessor does not hold (NOT_FOUND
 * "etcdserver: requested lease not found"). Lease id 0 means "no lease" and is never looked up.
 */
@FunctionalInterface
public interface LeaseLookup {
    /** A server that grants no leases (no Lease service): every lease id is unknown. */
    LeaseLookup NO_LEASE = lease -> false;

    boolean isGranted(long lease);
}
