#!/usr/bin/python3
"""Drives python3-etcd3's own lock recipe (Debian's python3-etcd3, 0.12) against an etcd v3 server.

Usage: /usr/bin/python3 etcd3_lock_test.py --endpoint 127.0.0.1:2379 [--prefix etcd3-lock-test/]

client.lock(name, ttl) is python3-etcd3's single-key recipe, not etcd's Lock service: acquire grants a lease
of the lock's TTL and puts /locks/<name> = a uuid with it in a txn guarded by "create revision == 0"; release
deletes the key in a txn guarded by "value == the uuid" (it does not revoke the lease); refresh keeps the
lease alive. Only paths that never wait are driven: with Debian's tenacity 8, Lock.acquire raises TypeError
when it has to wait for a held lock (a client bug, against real etcd too), so a held lock is only tried with
timeout=0, which gives up before waiting.

The JUnit test that runs this script runs it against a real etcd as well, so these expectations are
etcd's. Locks that must expire get a TTL of 2 s (etcd's minimum). It prints one line per failed check,
then the summary line

    etcd3_lock_test: <n> checks passed, <m> failed (<endpoint>)

and exits 0 when every check passed, 1 when one failed, 2 when the script itself could not run.
"""

import sys
import time

try:
    import etcd3
    import etcd3_checks
    from etcd3_checks import catch, check, wait_until
except ImportError as e:
    print("etcd3_lock_test: cannot import etcd3: %s" % e, file=sys.stderr)
    sys.exit(2)







def run(client, p):
    prefix = "/locks/" + p
    client.delete_prefix(prefix)

    def lock_key(name):
        return (prefix + name).encode()

    # ---- acquire with a TTL ----
    lock = client.lock(p + "a", ttl=30)
    check("lock: the key it will use", lock.key, prefix + "a")
    check("refresh before acquire: ValueError", type(catch(lock.refresh)).__name__, "ValueError")
    check("is_acquired before acquire", lock.is_acquired(), False)
    check("acquire (uncontended)", lock.acquire(timeout=5), True)
    check("is_acquired after acquire", lock.is_acquired(), True)

    # the key: the lock's uuid, put with a lease of the lock's TTL
    value, meta = client.get(lock.key)
    check("the lock key holds the lock's uuid", value, lock.uuid)
    check("the lock key is put with the lock's lease", meta.lease_id, lock.lease.id)
    check("the lock key's version", meta.version, 1)
    check("the lease: granted_ttl", lock.lease.granted_ttl, 30)
    remaining = lock.lease.remaining_ttl
    check("the lease: remaining_ttl in [28, 30]", 28 <= remaining <= 30, True)
    info = client.get_lease_info(lock.lease.id)
    check("get_lease_info: grantedTTL", info.grantedTTL, 30)
    check("get_lease_info: the lock key is the lease's one key", list(info.keys), [lock_key("a")])

    # ---- refresh ----
    responses = lock.refresh()
    check("refresh: one response, the lease's id and TTL",
          [(r.ID, r.TTL) for r in responses], [(lock.lease.id, 30)])
    check("refresh: still acquired", lock.is_acquired(), True)

    # ---- a second lock on the held name gives up at once with timeout=0 (no wait) ----
    other = client.lock(p + "a", ttl=30)
    check("acquire a held lock with timeout=0: False", other.acquire(timeout=0), False)
    check("the failed acquire holds no lease", other.lease, None)
    check("the failed acquire: not acquired", other.is_acquired(), False)
    check("the failed acquire leaves the holder's key", client.get(lock.key)[0], lock.uuid)
    check("the other lock's release does not delete the holder's key", other.release(), False)
    check("the holder still holds it", lock.is_acquired(), True)

    # ---- release ----
    lease_id = lock.lease.id
    check("release", lock.release(), True)
    check("is_acquired after release", lock.is_acquired(), False)
    check("the lock key is gone after release", client.get(lock.key)[0], None)
    check("release keeps the lease (python3-etcd3 does not revoke it)",
          client.get_lease_info(lease_id).grantedTTL, 30)
    check("the lease has no key after release", list(client.get_lease_info(lease_id).keys), [])
    check("release again: False", lock.release(), False)
    check("acquire after release", other.acquire(timeout=0), True)
    check("the new holder's key", client.get(other.key)[0], other.uuid)
    check("release of the new holder", other.release(), True)
    client.revoke_lease(lease_id)
    other.lease.revoke()

    # ---- the context-manager form ----
    with client.lock(p + "ctx", ttl=20) as held:
        check("with: is_acquired", held.is_acquired(), True)
        value, meta = client.get(lock_key("ctx"))
        check("with: the key holds the uuid", value, held.uuid)
        check("with: the key's lease", meta.lease_id, held.lease.id)
        check("with: granted_ttl", held.lease.granted_ttl, 20)
        check("with: refresh", [r.TTL for r in held.refresh()], [20])
    check("after with: released", held.is_acquired(), False)
    check("after with: the key is gone", client.get(lock_key("ctx"))[0], None)
    held.lease.revoke()

    # ---- kept by refresh past its TTL ----
    kept = client.lock(p + "kept", ttl=2)
    check("kept: acquire", kept.acquire(timeout=5), True)
    alive = True
    for _ in range(8):
        time.sleep(0.5)
        kept.refresh()
        alive = alive and kept.is_acquired()
    check("refresh every 0.5 s keeps a 2 s lock past its TTL", alive, True)
    check("kept: release", kept.release(), True)
    kept.lease.revoke()

    # ---- a holder that stops refreshing loses the lock after its TTL ----
    stale = client.lock(p + "stale", ttl=2)
    check("stale: acquire", stale.acquire(timeout=5), True)
    check("stale: granted_ttl", stale.lease.granted_ttl, 2)
    check("stale: the key disappears after the TTL",
          wait_until(lambda: client.get(lock_key("stale"))[0] is None, 8), True)
    check("stale: is_acquired after expiry", stale.is_acquired(), False)
    check("stale: its lease is gone", stale.lease.remaining_ttl, -1)
    successor = client.lock(p + "stale", ttl=30)
    check("a new acquire succeeds without waiting", successor.acquire(timeout=0), True)
    check("the successor holds it", successor.is_acquired(), True)
    check("the stale holder's release does not delete the successor's key", stale.release(), False)
    check("the successor still holds it", client.get(lock_key("stale"))[0], successor.uuid)
    check("the successor releases", successor.release(), True)
    successor.lease.revoke()

    client.delete_prefix(prefix)


if __name__ == "__main__":
    etcd3_checks.run_script("etcd3_lock_test", __doc__, run, "etcd3-lock-test/")
