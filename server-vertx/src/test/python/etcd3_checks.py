"""What the etcd3_*_test.py scripts share: the checks they count, and how a script runs and reports.

A script defines run(client, prefix) and ends with

    if __name__ == "__main__":
        etcd3_checks.run_script("etcd3_x_test", __doc__, run, "/etcd3-x-test/")

which takes --endpoint host:port and --prefix (the keys the script owns), connects python3-etcd3, runs
it, and prints one line per failed check, then the summary line

    etcd3_x_test: <n> checks passed, <m> failed (<endpoint>)

and exits 0 when every check passed, 1 when one failed, 2 when the script itself could not run.
"""

import argparse
import sys
import time
import traceback

try:
    import grpc
    import etcd3
except ImportError as e:  # the JUnit tests check `import etcd3` first; this is for hand runs
    print("etcd3_checks: cannot import etcd3/grpc: %s" % e, file=sys.stderr)
    sys.exit(2)

passed = 0
failures = []
# the endpoint being tested (host:port), for checks that compare with it
endpoint = "?"


def check(name, actual, expected):
    global passed
    if actual == expected:
        passed += 1
    else:
        failures.append(name)
        print("FAIL %s: expected %r, got %r" % (name, expected, actual))


def check_true(name, condition, detail=None):
    check(name + ("" if detail is None else " (%s)" % (detail,)), bool(condition), True)


def rpc_error(call):
    """Runs call and returns (code, details) of the grpc error it raised, or None if it succeeded."""
    try:
        call()
    except grpc.RpcError as e:
        return e.code(), e.details()
    return None


def catch(call):
    """Runs call and returns the exception it raised, or None."""
    try:
        call()
    except Exception as e:  # noqa: BLE001
        return e
    return None


def wait_until(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def run_script(name, doc, run, default_prefix, timeout=10):
    global endpoint
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--endpoint", required=True, help="host:port of the etcd v3 gRPC endpoint")
    parser.add_argument("--prefix", default=default_prefix, help="key prefix the script owns")
    args = parser.parse_args()
    endpoint = args.endpoint
    host, _, port = args.endpoint.rpartition(":")
    try:
        client = etcd3.client(host=host, port=int(port), timeout=timeout)
        try:
            run(client, args.prefix)
        finally:
            client.close()
    except Exception:  # a crash is a failure of its own, reported as such
        traceback.print_exc()
        print("%s: error after %d checks passed, %d failed (%s)" % (name, passed, len(failures), endpoint))
        sys.exit(2)
    print("%s: %d checks passed, %d failed (%s)" % (name, passed, len(failures), endpoint))
    sys.exit(1 if failures else 0)
