#!/usr/bin/env bash
# Start-up time of vetcd, from `java -jar` to the first 200 on /health, measured RUNS times each:
# --in-memory, a fresh data dir, and a data dir holding N distinct keys (8 B keys, 256 B values, written
# with the load tool, then a clean stop). Data dirs on /dev/shm; every server is stopped by the script.
#
#   bench/scripts/startup-time.sh [N=1000000] [RUNS=3]      (after: mvn -q -B package -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000000}; RUNS=${2:-3}
BENCH=bench/target/vetcd-bench.jar
VETCD=server-vertx/target/vetcd.jar
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }
D=$(mktemp -d /dev/shm/vetcd-startup-XXXX)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$D"' EXIT

# start FLAGS... : starts vetcd (PID, PORT); MS is the milliseconds until /health answered 200
start() {
  local t0
  PORT=$(free_port)
  t0=$(now_ms)
  java -jar "$VETCD" --listen-client-urls "http://127.0.0.1:$PORT" "$@" >"$D/log" 2>&1 &
  PID=$!
  until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; do
    kill -0 $PID 2>/dev/null || { cat "$D/log" >&2; exit 1; }
    sleep 0.005
  done
  MS=$(( $(now_ms) - t0 ))
}
stop() { kill $PID; wait $PID 2>/dev/null || true; PID=; }
median() { tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

measure() { # label flags...
  local label=$1; shift
  local times=()
  for _ in $(seq "$RUNS"); do
    start "$@"
    times+=("$MS"); stop
  done
  printf '%-28s runs %-20s median %5d ms\n' "$label" "${times[*]}" "$(echo "${times[*]}" | median)"
}

measure "--in-memory" --in-memory
measure "fresh data dir" --data-dir "$D/fresh" && rm -rf "$D/fresh"
start --data-dir "$D/full"
java -XX:TieredStopAtLevel=1 -XX:+UseParallelGC -jar "$BENCH" --endpoints "127.0.0.1:$PORT" --no-progress \
  --conns 10 --clients 100 put --total "$N" --key-size 8 --val-size 256 --sequential-keys \
  --key-space-size "$N" | grep -E "Requests/sec" || true
stop
du -sh "$D/full/member/vetcd" | awk '{print "data dir holding '"$N"' keys: " $1}'
measure "data dir with $N keys" --data-dir "$D/full"
