#!/usr/bin/python3
"""Drives an etcd v3 server's leases with python3-etcd3 (Debian's python3-etcd3, 0.12) and checks the answers.

Usage: /usr/bin/python3 etcd3_lease_test.py --endpoint 127.0.0.1:2379 [--prefix /etcd3-lease-test/]

The JUnit test that runs this script runs it against a real etcd as well, so these expectations are
etcd's. Leases are granted with a TTL of 2 s (etcd's minimum) where they must expire. It prints one line
per failed check, then the summary line

    etcd3_lease_test: <n> checks passed, <m> failed (<endpoint>)

and exits 0 when every check passed, 1 when one failed, 2 when the script itself could not run.
"""

import sys
import time

try:
    import grpc
    import etcd3
    from etcd3 import etcdrpc
    import etcd3_checks
    from etcd3_checks import catch, check, rpc_error, wait_until
except ImportError as e:
    print("etcd3_lease_test: cannot import etcd3/grpc: %s" % e, file=sys.stderr)
    sys.exit(2)








def run(client, p):
    k = lambda name: p + name  # noqa: E731
    client.delete_prefix(p)

    # ---- lease(), its TTLs, keys ----
    lease = client.lease(60)
    check("lease: positive id", lease.id > 0, True)
    check("lease: granted_ttl", lease.granted_ttl, 60)
    remaining = lease.remaining_ttl
    check("lease: remaining_ttl in [58, 60]", 58 <= remaining <= 60, True)
    check("lease: no keys yet", lease.keys, [])
    client.put(k("a"), "1", lease=lease)
    client.put(k("b"), "2", lease=lease.id)
    check("lease: keys after two puts", sorted(lease.keys), [k("a").encode(), k("b").encode()])
    value, meta = client.get(k("a"))
    check("get: the key's lease", (value, meta.lease_id), (b"1", lease.id))

    # ---- refresh ----
    responses = list(lease.refresh())
    check("refresh: one response", len(responses), 1)
    check("refresh: id and TTL", (responses[0].ID, responses[0].TTL), (lease.id, 60))
    responses = list(client.refresh_lease(lease.id))
    check("refresh_lease: TTL", [r.TTL for r in responses], [60])
    unknown = list(client.refresh_lease(0x5eed0042))
    check("refresh_lease of an unknown lease: its id, TTL 0", [(r.ID, r.TTL) for r in unknown], [(0x5eed0042, 0)])

    # ---- get_lease_info ----
    info = client.get_lease_info(lease.id)
    check("get_lease_info: grantedTTL", info.grantedTTL, 60)
    check("get_lease_info: keys (python-etcd3 always asks for them)", sorted(info.keys),
          [k("a").encode(), k("b").encode()])
    info = client.get_lease_info(0x5eed0043)
    check("get_lease_info of an unknown lease: TTL -1", (info.ID, info.TTL, info.grantedTTL), (0x5eed0043, -1, 0))

    # ---- errors ----
    check("put with an unknown lease", rpc_error(lambda: client.put(k("c"), "3", lease=0x5eed0044)),
          (grpc.StatusCode.NOT_FOUND, "etcdserver: requested lease not found"))
    check("revoke an unknown lease", rpc_error(lambda: client.revoke_lease(0x5eed0045)),
          (grpc.StatusCode.NOT_FOUND, "etcdserver: requested lease not found"))
    # the client turns FAILED_PRECONDITION into its own exception: its stub gives the status itself
    grant = lambda ttl, lease_id: client.leasestub.LeaseGrant(  # noqa: E731
        etcdrpc.LeaseGrantRequest(TTL=ttl, ID=lease_id), client.timeout)
    check("lease with an id that exists: client exception",
          type(catch(lambda: client.lease(60, lease_id=lease.id))).__name__, "PreconditionFailedError")
    check("lease with an id that exists", rpc_error(lambda: grant(60, lease.id)),
          (grpc.StatusCode.FAILED_PRECONDITION, "etcdserver: lease already exists"))
    check("lease with a TTL too large", rpc_error(lambda: grant(9000000001, 0)),
          (grpc.StatusCode.OUT_OF_RANGE, "etcdserver: too large lease TTL"))
    chosen = client.lease(30, lease_id=0x5eed0046)
    check("lease with a chosen id", (chosen.id, chosen.granted_ttl), (0x5eed0046, 30))
    chosen.revoke()

    # ---- revoke ----
    lease.revoke()
    check("revoke: the keys are gone", [client.get(k("a"))[0], client.get(k("b"))[0]], [None, None])
    check("revoke: remaining_ttl of the revoked lease", lease.remaining_ttl, -1)
    check("revoke again", rpc_error(lease.revoke),
          (grpc.StatusCode.NOT_FOUND, "etcdserver: requested lease not found"))

    # ---- expiry ----
    short = client.lease(2)
    check("short lease: granted_ttl", short.granted_ttl, 2)
    client.put(k("e1"), "x", lease=short)
    client.put(k("e2"), "y", lease=short)
    check("short lease: the keys exist", client.get(k("e1"))[0], b"x")
    check("short lease: the keys disappear after expiry",
          wait_until(lambda: client.get(k("e1"))[0] is None and client.get(k("e2"))[0] is None, 8), True)
    check("short lease: remaining_ttl after expiry", short.remaining_ttl, -1)
    check("short lease: refresh after expiry", [r.TTL for r in short.refresh()], [0])

    # ---- kept alive by refresh ----
    kept = client.lease(2)
    client.put(k("kept"), "z", lease=kept)
    alive = True
    for _ in range(8):
        time.sleep(0.5)
        kept.refresh()
        alive = alive and client.get(k("kept"))[0] == b"z"
    check("refresh every 0.5 s keeps the key past its TTL", alive, True)
    kept.revoke()
    check("revoked: kept key gone", client.get(k("kept"))[0], None)

    client.delete_prefix(p)


if __name__ == "__main__":
    etcd3_checks.run_script("etcd3_lease_test", __doc__, run, "/etcd3-lease-test/")
