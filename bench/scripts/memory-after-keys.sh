#!/usr/bin/env bash
# RSS of vetcd and of etcd 3.4 (data dir on tmpfs) after writing N distinct keys (8 B keys, 256 B values)
# into each, read from each server's /metrics (process_resident_memory_bytes, what etcdctl check
# datascale reads). Servers run one after the other on free loopback ports and are stopped at the end.
#
#   bench/scripts/memory-after-keys.sh [N=1000000]      (after: mvn -q -B package -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000000}
BENCH=bench/target/vetcd-bench.jar
VETCD=server-vertx/target/vetcd.jar
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss() { curl -s "http://127.0.0.1:$1/metrics" | awk '/^process_resident_memory_bytes/ {printf "%.0f", $2}'; }
wait_healthy() { for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/health" >/dev/null && return 0; sleep 0.1; done; return 1; }
fill() {
  java -XX:TieredStopAtLevel=1 -XX:+UseParallelGC -jar "$BENCH" --endpoints "127.0.0.1:$1" --no-progress \
    --conns 10 --clients 100 put --total "$N" --key-size 8 --val-size 256 --sequential-keys \
    --key-space-size "$N" | grep -E "Requests/sec|error" || true
}
measure() { # name port pid
  local before after
  before=$(rss "$2")
  fill "$2"
  sleep 2
  after=$(rss "$2")
  printf '%-6s N=%d  rss before %6.1f MiB  after %7.1f MiB  (%.0f B/key)\n' "$1" "$N" \
    "$(echo "$before/1048576" | bc -l)" "$(echo "$after/1048576" | bc -l)" "$(echo "($after-$before)/$N" | bc -l)"
}

P=$(free_port)
java -jar "$VETCD" --listen-client-urls "http://127.0.0.1:$P" --in-memory >/dev/null 2>&1 &
VPID=$!
trap 'kill $VPID 2>/dev/null || true' EXIT
wait_healthy "$P"
measure vetcd "$P" "$VPID"
kill "$VPID"; wait "$VPID" 2>/dev/null || true

D=$(mktemp -d /dev/shm/vetcd-mem-etcd-XXXX)
C=$(free_port); Q=$(free_port)
etcd --name mem --data-dir "$D/data" --listen-client-urls "http://127.0.0.1:$C" \
  --advertise-client-urls "http://127.0.0.1:$C" --listen-peer-urls "http://127.0.0.1:$Q" \
  --initial-advertise-peer-urls "http://127.0.0.1:$Q" --initial-cluster "mem=http://127.0.0.1:$Q" \
  --log-level error >/dev/null 2>&1 &
EPID=$!
trap 'kill $EPID 2>/dev/null || true; rm -rf "$D"' EXIT
wait_healthy "$C"
measure etcd "$C" "$EPID"
