#!/usr/bin/env bash
# Watch figures of vetcd and etcd 3.4 (both with their data dir on tmpfs), same load tool, same
# machine, alternating, ROUNDS times each:
#   fan-out  10 streams x 1000 watchers (10k watchers) on 10 keys, PUTS puts at 1000/s: events/s received
#   latency  100 watchers, 5000 puts at 1000/s: put acknowledged -> event received (p50/p99, full precision:
#            both servers are often within 0.1 ms of each other)
# After each run: the server's CPU time for it, since on a 2-core machine the load tool decoding millions
# of events/s is often the bottleneck, not the server.
#
# The fan-out is measured twice per round, with the load tool warm and cold. The tool shares the 2 cores
# with the server and needs more CPU per event than vetcd, so its JIT is part of the figure:
#   warm  C2, after 8 unreported runs of the same fan-out in its JVM (--warmup-runs 8): the tool's CPU
#         per 20M events falls from ~4 s to ~2.3 s (run after run in one JVM, 2026-12-03: 7.9, 4.8, 4.3,
#         3.5, 3.0, 2.7, 2.7, 2.5, 2.4 s). What the servers deliver.
#   cold  C1 only, a fresh JVM per run: the figure of every section before 2026-12-03's fifth.
# The latency run is not CPU-bound (~100k events/s) and keeps the cold tool.
#
#   bench/scripts/watch-side-by-side.sh [ROUNDS=3] [PUTS=1000]      (after: mvn -q -B package -DskipTests)
set -euo pipefail
source "$(dirname "$0")/lib-side-by-side.sh"
ROUNDS=${1:-3}; PUTS=${2:-1000}
start_servers

FANOUT=(--conns 10 --clients 10 watch --streams 10 --watch-per-stream 1000 --watched-key-total 10
        --put-total "$PUTS" --put-rate 1000)
LATENCY=(--precise --conns 1 --clients 100 watch-latency --total 5000 --put-rate 1000)
# Warm-up, not reported: 9 fan-outs and a latency run on each server. vetcd's JIT keeps compiling
# through its first ~10 fan-outs (server CPU per 20M-event run, 2026-12-03: 20.9, 13.6, 10.7, 10.6, 8.8,
# 6.5, 6.0, 5.2, 3.7, 3.8 s; at f7b8335, without this, round 1 was the slow one). etcd gets the same.
for name in vetcd etcd; do
  TOOL_JVM=-XX:+UseParallelGC measure "$name" "^$" "${FANOUT[@]}" --warmup-runs 8 >/dev/null || true
  measure "$name" "^$" "${LATENCY[@]}" >/dev/null || true
done
for r in $(seq "$ROUNDS"); do
  for name in vetcd etcd; do
    echo "== round $r $name fan-out, tool warm: ${FANOUT[*]} --warmup-runs 8"
    TOOL_JVM=-XX:+UseParallelGC measure "$name" "summary|Requests/sec|error" "${FANOUT[@]}" --warmup-runs 8
    echo "== round $r $name fan-out, tool cold: ${FANOUT[*]}"
    measure "$name" "summary|Requests/sec|error" "${FANOUT[@]}"
    echo "== round $r $name latency: ${LATENCY[*]}"
    measure "$name" "Requests/sec|Average|Slowest| 50%| 90%| 99%| 99.9%|error" "${LATENCY[@]}"
  done
done
