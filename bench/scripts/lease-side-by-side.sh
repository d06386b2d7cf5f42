#!/usr/bin/env bash
# etcd's lease-keepalive benchmark (every client grants a lease, then renews it with one KeepAliveOnce
# stream per request) on vetcd and etcd 3.4 (both with their data dir on tmpfs), same load tool, same
# machine, alternating, ROUNDS times each, after a warm-up of the same size; the server's CPU time
# after each run.
#
#   bench/scripts/lease-side-by-side.sh [ROUNDS=3] [TOTAL=50000]      (after: mvn -q -B package -DskipTests)
set -euo pipefail
source "$(dirname "$0")/lib-side-by-side.sh"
ROUNDS=${1:-3}; TOTAL=${2:-50000}
start_servers

KEEPALIVE=(--conns 10 --clients 100 lease-keepalive --total "$TOTAL")
for name in vetcd etcd; do   # warm-up, not reported
  measure "$name" "^$" "${KEEPALIVE[@]}" >/dev/null || true
done
for r in $(seq "$ROUNDS"); do
  for name in vetcd etcd; do
    echo "== round $r $name: ${KEEPALIVE[*]}"
    measure "$name" "Requests/sec|Average| 50%| 99%|error" "${KEEPALIVE[@]}"
  done
done
