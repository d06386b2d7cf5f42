#!/usr/bin/env bash
# Watch figures of vetcd and etcd 3.4 (both with their data dir on tmpfs), same load tool, same
# machine, alternating, ROUNDS times each:
#   fan-out  10 streams x 1000 watchers (10k watchers) on 10 keys, PUTS puts at 1000/s: events/s received
#   latency  100 watchers, 5000 puts at 1000/s: put acknowledged -> event received (p50/p99, full precision:
#            both servers are often within 0.1 ms of each other)
# After each run: the server's CPU time for it, since on a 2-core machine the load tool decoding ~1M
# events/s is often the bottleneck, not the server.
#
#   bench/scripts/watch-side-by-side.sh [ROUNDS=3] [PUTS=1000]      (after: mvn -q -B package -DskipTests)
set -euo pipefail
source "$(dirname "$0")/lib-side-by-side.sh"
ROUNDS=${1:-3}; PUTS=${2:-1000}
start_servers

FANOUT=(--conns 10 --clients 10 watch --streams 10 --watch-per-stream 1000 --watched-key-total 10
        --put-total "$PUTS" --put-rate 1000)
LATENCY=(--precise --conns 1 --clients 100 watch-latency --total 5000 --put-rate 1000)
# Warm-up, not reported: the fan-out 6 times and the latency run once on each server. vetcd's JIT keeps
# compiling through the first fan-out runs: C2 compilation time per 20M-event run of one server (JFR's
# jdk.Compilation durations, 2026-12-03), 9.8, 7.7, 7.0, 5.5, 2.2, 1.1, 2.1, 0.9 s (first compilations of
# large inlined methods, few recompilations); with 3 warm-up runs the first measured rounds still carried
# 2-5 s of it. etcd (Go, compiled ahead) gets the same warm-up.
for name in vetcd etcd; do
  for _ in 1 2 3 4 5 6; do measure "$name" "^$" "${FANOUT[@]}" >/dev/null || true; done
  measure "$name" "^$" "${LATENCY[@]}" >/dev/null || true
done
for r in $(seq "$ROUNDS"); do
  for name in vetcd etcd; do
    echo "== round $r $name fan-out: ${FANOUT[*]}"
    measure "$name" "summary|Requests/sec|error" "${FANOUT[@]}"
    echo "== round $r $name latency: ${LATENCY[*]}"
    measure "$name" "Requests/sec|Average|Slowest| 50%| 90%| 99%| 99.9%|error" "${LATENCY[@]}"
  done
done
