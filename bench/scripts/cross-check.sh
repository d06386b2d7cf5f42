#!/usr/bin/env bash
# Cross-check of the load tool: vetcd-bench and etcd's own benchmark tool (Go, built from Debian's etcd
# source package: ../shared/tools/build-etcd-benchmark.sh) against the same servers, alternating, ROUNDS
# times: vetcd (--in-memory), the floor, etcd 3.4 on tmpfs. Prints one Markdown row per run.
#
#   bench/scripts/cross-check.sh ETCD_BENCHMARK_BINARY [ROUNDS=2] [TOTAL=60000]
set -euo pipefail
cd "$(dirname "$0")/../.."
GO_TOOL=$1; ROUNDS=${2:-2}; TOTAL=${3:-60000}
BENCH=bench/target/vetcd-bench.jar
VETCD=server-vertx/target/vetcd.jar
ARGS="--conns 10 --clients 100 put --total $TOTAL --key-size 8 --val-size 256 --key-space-size 100000"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
rps() { grep -o 'Requests/sec:[[:space:]]*[0-9.]*' | awk '{printf "%.0f", $2}'; }

V=$(free_port); F=$(free_port); C=$(free_port); Q=$(free_port)
D=$(mktemp -d /dev/shm/vetcd-xcheck-etcd-XXXX)
java -jar "$VETCD" --listen-client-urls "http://127.0.0.1:$V" --in-memory >/dev/null 2>&1 & P1=$!
java -jar "$BENCH" floor --listen-client-urls "http://127.0.0.1:$F" >/dev/null 2>&1 & P2=$!
etcd --name x --data-dir "$D/data" --listen-client-urls "http://127.0.0.1:$C" \
  --advertise-client-urls "http://127.0.0.1:$C" --listen-peer-urls "http://127.0.0.1:$Q" \
  --initial-advertise-peer-urls "http://127.0.0.1:$Q" --initial-cluster "x=http://127.0.0.1:$Q" \
  --log-level error >/dev/null 2>&1 & P3=$!
trap 'kill $P1 $P2 $P3 2>/dev/null || true; rm -rf "$D"' EXIT
wait_port "$V"; wait_port "$F"; wait_port "$C"; sleep 2
echo "| server | round | etcd benchmark (Go) req/s | vetcd-bench req/s | ours / theirs |"
echo "|---|---|---:|---:|---:|"
for name_port in "vetcd:$V" "floor:$F" "etcd:$C"; do  # one unmeasured warm-up run each
  "$GO_TOOL" --endpoints "127.0.0.1:${name_port#*:}" $ARGS >/dev/null 2>&1
done
for r in $(seq "$ROUNDS"); do
  for name_port in "vetcd:$V" "floor:$F" "etcd:$C"; do
    name=${name_port%%:*}; port=${name_port#*:}
    go=$("$GO_TOOL" --endpoints "127.0.0.1:$port" $ARGS 2>/dev/null | rps)
    java=$(java -XX:TieredStopAtLevel=1 -XX:+UseParallelGC -jar "$BENCH" --endpoints "127.0.0.1:$port" \
      --no-progress $ARGS 2>/dev/null | rps)
    echo "| $name | $r | $go | $java | $(echo "scale=2; $java/$go" | bc) |"
  done
done
