#!/usr/bin/python3
"""Drives an etcd v3 server with python3-etcd3 (Debian's python3-etcd3, 0.12) and checks what it answers.

Usage: /usr/bin/python3 etcd3_client_test.py --endpoint 127.0.0.1:2379 [--prefix /etcd3-client-test/]

Every check compares a value the server returned with the value etcd returns (the JUnit test that runs
this script runs it against a real etcd as well, so these expectations are etcd's). Revisions are
checked relative to the revision of the script's first write, so the script needs no fresh server, only
a key prefix nobody else writes to. It prints one line per failed check, then the summary line

    etcd3_client_test: <n> checks passed, <m> failed (<endpoint>)

and exits 0 when every check passed, 1 when one failed, 2 when the script itself could not run.
Note: python-etcd3 0.12 silently drops `limit` and `revision` of get/get_prefix/get_range, so the
checks of those build the RangeRequest themselves and call the client's KV stub.
"""

import re
import sys

try:
    import grpc
    import etcd3
    from etcd3 import etcdrpc
    import etcd3_checks
    from etcd3_checks import check, check_true, rpc_error
except ImportError as e:  # the JUnit test checks `import etcd3` first; this is for hand runs
    print("etcd3_client_test: cannot import etcd3/grpc: %s" % e, file=sys.stderr)
    sys.exit(2)







def run(client, p):
    k = lambda name: p + name  # noqa: E731
    endpoint = etcd3_checks.endpoint
    # Start from an empty prefix (reruns against the same server).
    client.delete_prefix(p)

    # ---- put ----
    r = client.put(k("a"), "1")
    base = r.header.revision
    check("put: header revision > 0", base > 0, True)
    check("put: no prev_kv unless asked", r.HasField("prev_kv"), False)
    r = client.put(k("a"), "2", prev_kv=True)
    check("put prev_kv: revision", r.header.revision, base + 1)
    check("put prev_kv: key", r.prev_kv.key, k("a").encode())
    check("put prev_kv: value", r.prev_kv.value, b"1")
    check("put prev_kv: version", r.prev_kv.version, 1)
    check("put prev_kv: create_revision", r.prev_kv.create_revision, base)
    check("put prev_kv: mod_revision", r.prev_kv.mod_revision, base)
    r = client.put(k("new"), "n", prev_kv=True)
    check("put prev_kv of a new key: absent", r.HasField("prev_kv"), False)
    check("put: cluster id in header", r.header.cluster_id != 0, True)
    check("put: member id in header", r.header.member_id != 0, True)
    check("put: raft term in header", r.header.raft_term > 0, True)
    # base+2 is "new"

    # ---- get ----
    value, meta = client.get(k("a"))
    check("get: value", value, b"2")
    check("get: key", meta.key, k("a").encode())
    check("get: version", meta.version, 2)
    check("get: create_revision", meta.create_revision, base)
    check("get: mod_revision", meta.mod_revision, base + 1)
    check("get: lease", meta.lease_id, 0)
    check("get: header revision", meta.response_header.revision, base + 2)
    value, meta = client.get(k("a"), serializable=True)
    check("get serializable: value", value, b"2")
    check("get missing key", client.get(k("missing")), (None, None))
    r = client.get_response(k("missing"))
    check("get missing key: count", r.count, 0)
    check("get missing key: no kvs", len(r.kvs), 0)
    check("get missing key: more", r.more, False)
    check("get missing key: header revision", r.header.revision, base + 2)

    # ---- fixtures for ranges: s/1..s/5, values and versions chosen so every sort target differs ----
    # key:   s/1  s/2  s/3  s/4  s/5
    # value: e    c    a    d    b
    # version (puts): 1  3  2  1  1
    for key, value in [("s/1", "e"), ("s/2", "x"), ("s/3", "y"), ("s/4", "d"), ("s/5", "b"),
                       ("s/2", "z"), ("s/3", "a"), ("s/2", "c")]:
        client.put(k(key), value)
    # revisions: s/1 c=base+3; s/2 c=base+4 m=base+10; s/3 c=base+5 m=base+9; s/4 base+6; s/5 base+7
    rev_after_fixtures = base + 10
    value, meta = client.get(k("s/2"))
    check("fixture s/2", (value, meta.version, meta.create_revision, meta.mod_revision),
          (b"c", 3, base + 4, base + 10))

    # ---- get_prefix ----
    got = [(m.key, v) for v, m in client.get_prefix(k("s/"))]
    check("get_prefix: keys and values in key order", got,
          [(k("s/%d" % i).encode(), v) for i, v in zip(range(1, 6), [b"e", b"c", b"a", b"d", b"b"])])
    got = [(m.key, v) for v, m in client.get_prefix(k("s/"), keys_only=True)]
    check("get_prefix keys_only: no values", got, [(k("s/%d" % i).encode(), b"") for i in range(1, 6)])
    got = [m.key for _, m in client.get_prefix(k("s/"), sort_order="descend")]
    check("get_prefix descend", got, [k("s/%d" % i).encode() for i in range(5, 0, -1)])
    got = [v for v, _ in client.get_prefix(k("s/"), sort_order="ascend", sort_target="value")]
    check("get_prefix sort value ascend", got, [b"a", b"b", b"c", b"d", b"e"])
    r = client.get_prefix_response(k("s/"))
    check("get_prefix: count", r.count, 5)
    check("get_prefix: header revision", r.header.revision, rev_after_fixtures)
    check("get_prefix of nothing", list(client.get_prefix(k("nothing/"))), [])

    # ---- get_range with sort ----
    def range_keys(**kw):
        return [m.key.decode()[len(p):] for _, m in client.get_range(k("s/1"), k("s/6"), **kw)]

    check("get_range default order", range_keys(), ["s/1", "s/2", "s/3", "s/4", "s/5"])
    check("get_range [s/2, s/4)", [m.key.decode()[len(p):] for _, m in client.get_range(k("s/2"), k("s/4"))],
          ["s/2", "s/3"])
    check("get_range key ascend", range_keys(sort_order="ascend", sort_target="key"),
          ["s/1", "s/2", "s/3", "s/4", "s/5"])
    check("get_range key descend", range_keys(sort_order="descend", sort_target="key"),
          ["s/5", "s/4", "s/3", "s/2", "s/1"])
    check("get_range value ascend", range_keys(sort_order="ascend", sort_target="value"),
          ["s/3", "s/5", "s/2", "s/4", "s/1"])
    check("get_range value descend", range_keys(sort_order="descend", sort_target="value"),
          ["s/1", "s/4", "s/2", "s/5", "s/3"])
    check("get_range create ascend", range_keys(sort_order="ascend", sort_target="create"),
          ["s/1", "s/2", "s/3", "s/4", "s/5"])
    check("get_range create descend", range_keys(sort_order="descend", sort_target="create"),
          ["s/5", "s/4", "s/3", "s/2", "s/1"])
    check("get_range mod ascend", range_keys(sort_order="ascend", sort_target="mod"),
          ["s/1", "s/4", "s/5", "s/3", "s/2"])
    check("get_range mod descend", range_keys(sort_order="descend", sort_target="mod"),
          ["s/2", "s/3", "s/5", "s/4", "s/1"])
    # versions 1,3,2,1,1: ties keep key order (etcd sorts the key-ordered result)
    check("get_range version descend", range_keys(sort_order="descend", sort_target="version")[:2],
          ["s/2", "s/3"])
    check("get_range version ascend", range_keys(sort_order="ascend", sort_target="version")[-2:],
          ["s/3", "s/2"])
    check("get_range version ascend: versions",
          [m.version for _, m in client.get_range(k("s/1"), k("s/6"), sort_order="ascend",
                                                    sort_target="version")], [1, 1, 1, 2, 3])
    check("get_range of an empty range", list(client.get_range(k("s/6"), k("s/7"))), [])

    # ---- limit and revision: the library drops them, so build the request ourselves ----
    def raw_range(**fields):
        return client.kvstub.Range(etcdrpc.RangeRequest(**fields), 10)

    r = raw_range(key=k("s/").encode(), range_end=k("s0").encode(), limit=2)
    check("range limit 2: kvs", [kv.key for kv in r.kvs], [k("s/1").encode(), k("s/2").encode()])
    check("range limit 2: more", r.more, True)
    check("range limit 2: count is the total", r.count, 5)
    r = raw_range(key=k("s/").encode(), range_end=k("s0").encode(), limit=2,
                  sort_order=etcdrpc.RangeRequest.DESCEND, sort_target=etcdrpc.RangeRequest.VALUE)
    check("range limit 2 sort value descend", [kv.value for kv in r.kvs], [b"e", b"d"])
    r = raw_range(key=k("s/").encode(), range_end=k("s0").encode(), count_only=True)
    check("range count_only: count", r.count, 5)
    check("range count_only: no kvs", len(r.kvs), 0)
    r = raw_range(key=k("s/2").encode(), revision=base + 4)
    check("range at revision: value then", [(kv.value, kv.version) for kv in r.kvs], [(b"x", 1)])
    check("range at revision: header is current", r.header.revision, rev_after_fixtures)
    r = raw_range(key=k("s/2").encode(), revision=base + 3)
    check("range at a revision before the key existed", len(r.kvs), 0)
    r = raw_range(key=k("s/").encode(), range_end=k("s0").encode(), min_mod_revision=base + 9)
    check("range min_mod_revision", [kv.key for kv in r.kvs], [k("s/2").encode(), k("s/3").encode()])
    r = raw_range(key=k("s/").encode(), range_end=k("s0").encode(), max_create_revision=base + 4)
    check("range max_create_revision", [kv.key for kv in r.kvs], [k("s/1").encode(), k("s/2").encode()])
    check("range in the future: error",
          rpc_error(lambda: raw_range(key=k("a").encode(), revision=rev_after_fixtures + 100)),
          (grpc.StatusCode.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision"))

    # ---- transaction ----
    t = client.transactions
    ok, responses = client.transaction(
        compare=[t.value(k("a")) == "2", t.version(k("a")) == 2, t.create(k("a")) == base,
                 t.mod(k("a")) == base + 1],
        success=[t.put(k("t/1"), "one"), t.get(k("a")), t.delete(k("new"))],
        failure=[t.put(k("t/failure"), "f")])
    check("txn all-equal compares: succeeded", ok, True)
    check("txn success: 3 responses", len(responses), 3)
    check("txn success: put response", responses[0].WhichOneof("response"), "response_put")
    check("txn success: put revision", responses[0].response_put.header.revision, rev_after_fixtures + 1)
    check("txn success: get response", [(v, m.key, m.version) for v, m in responses[1]], [(b"2", k("a").encode(), 2)])
    check("txn success: delete response", responses[2].response_delete_range.deleted, 1)
    check("txn success: put applied", client.get(k("t/1"))[0], b"one")
    check("txn success: delete applied", client.get(k("new")), (None, None))
    check("txn success: failure branch not applied", client.get(k("t/failure")), (None, None))
    rev = rev_after_fixtures + 1
    check("txn: one revision for the whole txn", client.get_response(k("a")).header.revision, rev)

    ok, responses = client.transaction(
        compare=[t.value(k("a")) == "2", t.version(k("a")) > 5],
        success=[t.put(k("t/success"), "s")],
        failure=[t.put(k("t/2"), "two"), t.get(k("s/"), k("s0")), t.delete(k("s/5"), prev_kv=True)])
    check("txn one compare false: failed", ok, False)
    check("txn failure: 3 responses", len(responses), 3)
    check("txn failure: range", [v for v, _ in responses[1]], [b"e", b"c", b"a", b"d", b"b"])
    check("txn failure: delete prev_kv", [(kv.key, kv.value) for kv in responses[2].response_delete_range.prev_kvs],
          [(k("s/5").encode(), b"b")])
    check("txn failure: success branch not applied", client.get(k("t/success")), (None, None))
    check("txn failure: failure branch applied", client.get(k("t/2"))[0], b"two")
    rev += 1

    cases = [
        ("value !=", t.value(k("a")) != "2", False),
        ("value <", t.value(k("a")) < "3", True),
        ("value >", t.value(k("a")) > "10", True),   # bytes compare: "2" > "10"
        ("version <", t.version(k("a")) < 3, True),
        ("version !=", t.version(k("a")) != 2, False),
        ("create >", t.create(k("a")) > base, False),
        ("create <", t.create(k("a")) < base + 1, True),
        ("mod >", t.mod(k("a")) > base, True),
        ("mod !=", t.mod(k("a")) != base + 1, False),
        ("version of a missing key == 0", t.version(k("missing")) == 0, True),
        ("create of a missing key == 0", t.create(k("missing")) == 0, True),
        ("mod of a missing key < 1", t.mod(k("missing")) < 1, True),
        ("value of a missing key ==", t.value(k("missing")) == "", False),
        ("value of a missing key !=", t.value(k("missing")) != "x", False),
    ]
    for name, compare, expected in cases:
        ok, responses = client.transaction(compare=[compare], success=[], failure=[])
        check("txn compare %s" % name, ok, expected)
        check("txn compare %s: no responses" % name, responses, [])
    check("txn without writes: revision unchanged", client.get_response(k("a")).header.revision, rev)

    ok, responses = client.transaction(
        compare=[],
        success=[t.txn(compare=[t.value(k("a")) == "nope"],
                       success=[t.put(k("t/nested-success"), "x")],
                       failure=[t.put(k("t/nested-failure"), "y"), t.get(k("t/nested-failure"))])],
        failure=[])
    check("nested txn: outer succeeded", ok, True)
    inner = responses[0].response_txn
    check("nested txn: inner failed", inner.succeeded, False)
    check("nested txn: inner range sees the inner put", [kv.value for kv in inner.responses[1].response_range.kvs], [b"y"])
    rev += 1

    check("txn duplicate key: error",
          rpc_error(lambda: client.transaction(compare=[], success=[t.put(k("d"), "1"), t.put(k("d"), "2")],
                                               failure=[])),
          (grpc.StatusCode.INVALID_ARGUMENT, "etcdserver: duplicate key given in txn request"))

    # ---- replace / put_if_not_exists ----
    check("replace with the wrong old value", client.replace(k("a"), "1", "3"), False)
    check("replace with the wrong old value: unchanged", client.get(k("a"))[0], b"2")
    check("replace with the right old value", client.replace(k("a"), "2", "3"), True)
    rev += 1
    value, meta = client.get(k("a"))
    check("replace: new value, version, mod_revision", (value, meta.version, meta.mod_revision), (b"3", 3, rev))
    check("replace a missing key", client.replace(k("missing"), "", "x"), False)
    check("put_if_not_exists new", client.put_if_not_exists(k("once"), "1"), True)
    check("put_if_not_exists existing", client.put_if_not_exists(k("once"), "2"), False)
    check("put_if_not_exists: first value kept", client.get(k("once"))[0], b"1")
    rev += 1

    # ---- delete / delete_prefix ----
    check("delete existing", client.delete(k("once")), True)
    check("delete missing", client.delete(k("once")), False)
    rev += 1
    r = client.delete(k("t/1"), prev_kv=True, return_response=True)
    rev += 1
    check("delete prev_kv: deleted", r.deleted, 1)
    check("delete prev_kv: prev_kvs", [(kv.key, kv.value, kv.version) for kv in r.prev_kvs], [(k("t/1").encode(), b"one", 1)])
    check("delete: header revision", r.header.revision, rev)
    r = client.delete(k("t/1"), prev_kv=True, return_response=True)
    check("delete missing: deleted 0 and no prev_kvs", (r.deleted, len(r.prev_kvs), r.header.revision), (0, 0, rev))
    r = client.delete_prefix(k("s/"))
    rev += 1
    check("delete_prefix: deleted", r.deleted, 4)
    check("delete_prefix: header revision", r.header.revision, rev)
    check("delete_prefix: nothing left", list(client.get_prefix(k("s/"))), [])
    r = client.delete_prefix(k("s/"))
    check("delete_prefix of nothing", (r.deleted, r.header.revision), (0, rev))
    client.put(k("s/2"), "again")
    rev += 1
    value, meta = client.get(k("s/2"))
    check("recreated key: version and create_revision", (value, meta.version, meta.create_revision), (b"again", 1, rev))

    # ---- errors ----
    check("put with an empty key: error", rpc_error(lambda: client.put("", "v")),
          (grpc.StatusCode.INVALID_ARGUMENT, "etcdserver: key is not provided"))

    # ---- members / status ----
    members = list(client.members)
    check("members: one member", len(members), 1)
    m = members[0]
    check_true("members: id is set", m.id != 0, m.id)
    check_true("members: name is set", m.name != "", m.name)
    check_true("members: peer urls", len(m.peer_urls) >= 1 and all(u.startswith("http") for u in m.peer_urls),
               list(m.peer_urls))
    check_true("members: client urls include the endpoint", "http://" + endpoint in list(m.client_urls),
               list(m.client_urls))
    s = client.status()
    check_true("status: version is x.y.z", re.fullmatch(r"3\.\d+\.\d+", s.version), s.version)
    check_true("status: leader is the member", s.leader is not None and s.leader.id == m.id,
               s.leader and s.leader.id)
    check_true("status: raft term", s.raft_term >= 1, s.raft_term)
    check_true("status: raft index", s.raft_index >= 1, s.raft_index)
    check_true("status: db size", s.db_size >= 0, s.db_size)
    sr = client.maintenancestub.Status(etcdrpc.StatusRequest(), 10)
    check("status: header member id is the member", sr.header.member_id, m.id)
    check("status: header revision", sr.header.revision, rev)
    check("status: leader", sr.leader, m.id)
    check("status: raft term in header", sr.header.raft_term, sr.raftTerm)

    # ---- compaction ----
    check("compact in the future: error", rpc_error(lambda: client.compact(rev + 1)),
          (grpc.StatusCode.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision"))
    client.compact(base + 4, physical=True)
    check("read at the compacted revision: error",
          rpc_error(lambda: raw_range(key=k("a").encode(), revision=base + 3)),
          (grpc.StatusCode.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted"))
    r = raw_range(key=k("a").encode(), revision=base + 4)
    check("read at the compaction revision itself", [kv.value for kv in r.kvs], [b"2"])
    check("compact again at the same revision: error", rpc_error(lambda: client.compact(base + 4)),
          (grpc.StatusCode.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted"))
    check("compact at the current revision", rpc_error(lambda: client.compact(rev)), None)
    check("after compaction: latest still readable", client.get(k("a"))[0], b"3")

    client.delete_prefix(p)


if __name__ == "__main__":
    etcd3_checks.run_script("etcd3_client_test", __doc__, run, "/etcd3-client-test/")
