#!/usr/bin/python3
"""Drives the Watch service of an etcd v3 server with python3-etcd3 (Debian's 0.12) and checks what it gets.

Usage: /usr/bin/python3 etcd3_watch_test.py --endpoint 127.0.0.1:2379 [--prefix /etcd3-watch-test/]

Covers watch, watch_prefix, watch_once, add_watch_callback, add_watch_prefix_callback and cancel_watch,
with range_end, start_revision (history), prev_kv, filters and a compacted start revision. The client
multiplexes every watch of one client over one gRPC stream, so several watches share a stream here.
Revisions are checked relative to the script's own writes; the JUnit test runs the script against a
real etcd too, so these expectations are etcd's. Prints one line per failed check, then

    etcd3_watch_test: <n> checks passed, <m> failed (<endpoint>)

and exits 0 when every check passed, 1 when one failed, 2 when the script itself could not run.
"""

import queue
import sys
import threading
import time

try:
    import etcd3
    from etcd3 import etcdrpc
    from etcd3 import events as etcd3_events
    from etcd3 import exceptions as etcd3_exceptions
    import etcd3_checks
    from etcd3_checks import check
except ImportError as e:
    print("etcd3_watch_test: cannot import etcd3: %s" % e, file=sys.stderr)
    sys.exit(2)

TIMEOUT = 10



def render(ev):
    """PUT key=value c<create> m<mod> v<version> [prev=...] / DELETE key m<mod> [prev=...]"""
    key = ev.key.decode()
    if isinstance(ev, etcd3_events.PutEvent):
        s = "PUT %s=%s c%d m%d v%d" % (key, ev.value.decode(), ev.create_revision, ev.mod_revision, ev.version)
    elif isinstance(ev, etcd3_events.DeleteEvent):
        s = "DELETE %s m%d" % (key, ev.mod_revision)
        if ev.value or ev.create_revision or ev.version:
            s += " [unexpected c%d v%d %r]" % (ev.create_revision, ev.version, ev.value)
    else:
        s = "?? %r" % (ev,)
    if ev._event.HasField("prev_kv"):
        s += " prev=%s m%d" % (ev.prev_value.decode(), ev.prev_mod_revision)
    return s


class Drain(object):
    """Reads an events iterator on a thread into a queue, so the checks can wait with a timeout."""

    def __init__(self, iterator):
        self.q = queue.Queue()

        def run():
            try:
                for ev in iterator:
                    self.q.put(ev)
                self.q.put("end")
            except Exception as err:  # noqa: BLE001 - handed to the checks
                self.q.put(err)

        t = threading.Thread(target=run)
        t.daemon = True
        t.start()

    def take(self, n):
        out = []
        for _ in range(n):
            try:
                item = self.q.get(timeout=TIMEOUT)
            except queue.Empty:
                out.append("<nothing within %ds>" % TIMEOUT)
                break
            out.append(render(item) if isinstance(item, etcd3_events.Event) else item)
        return out

    def next_item(self, timeout=TIMEOUT):
        try:
            return self.q.get(timeout=timeout)
        except queue.Empty:
            return None


def callback_queue():
    q = queue.Queue()
    return q, q.put


def responses(q, n):
    """n callback deliveries as (header revision, [rendered events]) or the exception."""
    out = []
    for _ in range(n):
        try:
            r = q.get(timeout=TIMEOUT)
        except queue.Empty:
            out.append("<nothing within %ds>" % TIMEOUT)
            break
        if isinstance(r, Exception):
            out.append(r)
        else:
            out.append((r.header.revision, [render(e) for e in r.events]))
    return out


def quiet(q, seconds=0.5):
    try:
        return q.get(timeout=seconds)
    except queue.Empty:
        return None



def watch_with_filters(client, prefix, *filters):
    """client.watch_prefix(prefix, filters=[...]) as it is meant to work: the watcher's create request
    gets the filters appended instead of assigned."""
    watcher = client.watcher
    original = watcher._create_watch_request

    def create(*args, **kwargs):
        rq = original(*args, **kwargs)
        rq.create_request.filters.extend(filters)
        return rq

    watcher._create_watch_request = create
    try:
        return client.watch_prefix(prefix)
    finally:
        watcher._create_watch_request = original


def rev_of(put_or_delete_response):
    return put_or_delete_response.header.revision


def run(client, p):
    k = lambda name: p + name  # noqa: E731
    client.delete_prefix(p)

    # ---- add_watch_callback: ids on the client's one stream, events, cancel_watch ----
    q1, cb1 = callback_queue()
    q2, cb2 = callback_queue()
    id1 = client.add_watch_callback(k("cb/a"), cb1)
    id2 = client.add_watch_callback(k("cb/b"), cb2, prev_kv=True)
    check("first watch id on the stream", id1, 0)
    check("second watch id on the stream", id2, 1)
    r1 = rev_of(client.put(k("cb/a"), "1"))
    r2 = rev_of(client.put(k("cb/b"), "2"))
    r3 = rev_of(client.put(k("cb/b"), "3"))
    check("callback a", responses(q1, 1), [(r1, ["PUT %s=1 c%d m%d v1" % (k("cb/a"), r1, r1)])])
    check("callback b", responses(q2, 2), [(r2, ["PUT %s=2 c%d m%d v1" % (k("cb/b"), r2, r2)]),
                                           (r3, ["PUT %s=3 c%d m%d v2 prev=2 m%d" % (k("cb/b"), r2, r3, r2)])])
    client.cancel_watch(id1)
    time.sleep(0.3)
    client.put(k("cb/a"), "after-cancel")
    r4 = rev_of(client.put(k("cb/b"), "4"))
    check("callback b after a was canceled", responses(q2, 1),
          [(r4, ["PUT %s=4 c%d m%d v3 prev=3 m%d" % (k("cb/b"), r2, r4, r3)])])
    check("callback a is quiet after cancel_watch", quiet(q1), None)
    # auto ids are not reused: the next one is 2
    q3, cb3 = callback_queue()
    id3 = client.add_watch_callback(k("cb/c"), cb3, range_end=k("cb/e"))
    check("third watch id", id3, 2)
    r5 = rev_of(client.put(k("cb/d"), "5"))
    client.put(k("cb/e"), "outside")
    client.delete(k("cb/d"))
    rd = r5 + 2
    r6 = rev_of(client.put(k("cb/c"), "6"))
    got = responses(q3, 2)
    check("range_end callback", got, [(r5, ["PUT %s=5 c%d m%d v1" % (k("cb/d"), r5, r5)]),
                                      (rd, ["DELETE %s m%d" % (k("cb/d"), rd)])])
    check("range_end callback 3rd", responses(q3, 1), [(r6, ["PUT %s=6 c%d m%d v1" % (k("cb/c"), r6, r6)])])
    client.cancel_watch(id2)
    client.cancel_watch(id3)

    # ---- add_watch_prefix_callback ----
    q4, cb4 = callback_queue()
    id4 = client.add_watch_prefix_callback(k("pcb/"), cb4)
    r7 = rev_of(client.put(k("pcb/x"), "7"))
    client.put(k("pcbx"), "outside")
    r8 = rev_of(client.put(k("pcb/y/z"), "8"))
    check("prefix callback", responses(q4, 2), [(r7, ["PUT %s=7 c%d m%d v1" % (k("pcb/x"), r7, r7)]),
                                                (r8, ["PUT %s=8 c%d m%d v1" % (k("pcb/y/z"), r8, r8)])])
    client.cancel_watch(id4)

    # ---- watch: events iterator and cancel ----
    it, cancel = client.watch(k("w/key"))
    d = Drain(it)
    w1 = rev_of(client.put(k("w/key"), "v1"))
    client.put(k("w/key2"), "other")
    w2 = rev_of(client.put(k("w/key"), "v2"))
    client.delete(k("w/key"))
    check("watch events", d.take(3), ["PUT %s=v1 c%d m%d v1" % (k("w/key"), w1, w1),
                                      "PUT %s=v2 c%d m%d v2" % (k("w/key"), w1, w2),
                                      "DELETE %s m%d" % (k("w/key"), w2 + 1)])
    cancel()
    check("watch iterator ends after cancel", d.next_item(), "end")

    # ---- watch with start_revision: history, then live ----
    h1 = rev_of(client.put(k("h/k"), "1"))
    h2 = rev_of(client.put(k("h/k"), "2"))
    client.delete(k("h/k"))
    h3 = h2 + 1
    it, cancel = client.watch(k("h/k"), start_revision=h1, prev_kv=True)
    d = Drain(it)
    h4 = rev_of(client.put(k("h/k"), "3"))
    check("start_revision replay then live", d.take(4), [
        "PUT %s=1 c%d m%d v1" % (k("h/k"), h1, h1),
        "PUT %s=2 c%d m%d v2 prev=1 m%d" % (k("h/k"), h1, h2, h1),
        "DELETE %s m%d prev=2 m%d" % (k("h/k"), h3, h2),
        "PUT %s=3 c%d m%d v1" % (k("h/k"), h4, h4)])
    cancel()

    # ---- watch_prefix with prev_kv and filters ----
    it, cancel = client.watch_prefix(k("f/"), prev_kv=True)
    d_all = Drain(it)
    # (python-etcd3 0.12's `filters=` cannot be used: it assigns a list to the repeated protobuf field and
    # raises AttributeError with today's protobuf, against etcd too; the filters are sent by hand here)
    it2, cancel2 = watch_with_filters(client, k("f/"), etcdrpc.WatchCreateRequest.NOPUT)
    d_noput = Drain(it2)
    it3, cancel3 = watch_with_filters(client, k("f/"), etcdrpc.WatchCreateRequest.NODELETE)
    d_nodel = Drain(it3)
    f1 = rev_of(client.put(k("f/a"), "1"))
    f2 = rev_of(client.put(k("f/a"), "2"))
    client.delete_prefix(k("f/"))
    f3 = f2 + 1
    f4 = rev_of(client.put(k("f/end"), "e"))
    check("watch_prefix prev_kv", d_all.take(4), [
        "PUT %s=1 c%d m%d v1" % (k("f/a"), f1, f1),
        "PUT %s=2 c%d m%d v2 prev=1 m%d" % (k("f/a"), f1, f2, f1),
        "DELETE %s m%d prev=2 m%d" % (k("f/a"), f3, f2),
        "PUT %s=e c%d m%d v1" % (k("f/end"), f4, f4)])
    check("NOPUT filter", d_noput.take(1), ["DELETE %s m%d" % (k("f/a"), f3)])
    check("NODELETE filter", d_nodel.take(3), [
        "PUT %s=1 c%d m%d v1" % (k("f/a"), f1, f1),
        "PUT %s=2 c%d m%d v2" % (k("f/a"), f1, f2),
        "PUT %s=e c%d m%d v1" % (k("f/end"), f4, f4)])
    check("NOPUT filter: nothing more", d_noput.next_item(0.5), None)
    for c in (cancel, cancel2, cancel3):
        c()

    # ---- several watches of one client live at once, one transaction: one response each ----
    qa, cba = callback_queue()
    qb, cbb = callback_queue()
    ida = client.add_watch_prefix_callback(k("tx/"), cba)
    idb = client.add_watch_callback(k("tx/b"), cbb)
    t = client.transaction(compare=[], success=[client.transactions.put(k("tx/a"), "1"),
                                                client.transactions.put(k("tx/b"), "2"),
                                                client.transactions.put(k("tx/c"), "3")], failure=[])
    check("transaction succeeded", t[0], True)
    tr = client.get(k("tx/a"))[1].mod_revision
    check("one revision, one response (prefix)", responses(qa, 1), [(tr, [
        "PUT %s=1 c%d m%d v1" % (k("tx/a"), tr, tr),
        "PUT %s=2 c%d m%d v1" % (k("tx/b"), tr, tr),
        "PUT %s=3 c%d m%d v1" % (k("tx/c"), tr, tr)])])
    check("one revision, one response (key)", responses(qb, 1), [(tr, ["PUT %s=2 c%d m%d v1" % (k("tx/b"), tr, tr)])])
    check("no second response (prefix)", quiet(qa, 0.3), None)
    client.cancel_watch(ida)
    client.cancel_watch(idb)

    # ---- watch_once ----
    def later():
        time.sleep(0.3)
        client.put(k("once/k"), "x")
    threading.Thread(target=later).start()
    ev = client.watch_once(k("once/k"), timeout=TIMEOUT)
    check("watch_once", (type(ev).__name__, ev.key.decode(), ev.value.decode()), ("PutEvent", k("once/k"), "x"))
    try:
        client.watch_once(k("once/never"), timeout=0.5)
        check("watch_once times out", "no timeout", "WatchTimedOut")
    except etcd3_exceptions.WatchTimedOut:
        check("watch_once times out", "WatchTimedOut", "WatchTimedOut")

    # ---- a compacted start revision ----
    c1 = rev_of(client.put(k("c/k"), "1"))
    c2 = rev_of(client.put(k("c/k"), "2"))
    client.compact(c2, physical=True)
    qc, cbc = callback_queue()
    client.add_watch_callback(k("c/k"), cbc, start_revision=c1)
    got = responses(qc, 1)
    err = got[0] if got else None
    check("compacted start revision: RevisionCompactedError",
          (type(err).__name__, getattr(err, "compacted_revision", None)), ("RevisionCompactedError", c2))
    it, cancel = client.watch(k("c/k"), start_revision=c1)
    d = Drain(it)
    item = d.next_item()
    check("compacted start revision: the iterator raises",
          (type(item).__name__, getattr(item, "compacted_revision", None)), ("RevisionCompactedError", c2))
    # the compaction point itself can be watched
    it, cancel = client.watch(k("c/k"), start_revision=c2)
    d = Drain(it)
    check("start at the compaction point", d.take(1), ["PUT %s=2 c%d m%d v2" % (k("c/k"), c1, c2)])
    cancel()


if __name__ == "__main__":
    etcd3_checks.run_script("etcd3_watch_test", __doc__, run, "/etcd3-watch-test/", timeout=TIMEOUT)
