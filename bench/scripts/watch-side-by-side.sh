#!/usr/bin/env bash
# Watch figures of vetcd (data dir on tmpfs) and etcd 3.4 (data dir on tmpfs), same load tool, same
# machine, alternating, ROUNDS times each:
#   fan-out  10 streams x 1000 watchers (10k watchers) on 10 keys, PUTS puts at 1000/s: events/s received
#   latency  100 watchers, 5000 puts at 1000/s: put acknowledged -> event received (p50/p99)
# After each run: the server's CPU time for it (user+system, from /proc), since on a 2-core machine the
# load tool decoding ~1M events/s is often the bottleneck, not the server.
# Servers on free loopback ports, stopped at the end.
#
#   bench/scripts/watch-side-by-side.sh [ROUNDS=3] [PUTS=1000]      (after: mvn -q -B package -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}; PUTS=${2:-1000}
BENCH=bench/target/vetcd-bench.jar
VETCD=server-vertx/target/vetcd.jar
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
cpu() { awk '{printf "%.2f", ($14+$15)/100}' "/proc/$1/stat"; }
tool() { java -XX:TieredStopAtLevel=1 -XX:+UseParallelGC -jar "$BENCH" --no-progress --endpoints "127.0.0.1:$1" "${@:2}"; }

V=$(free_port); C=$(free_port); Q=$(free_port)
D=$(mktemp -d /dev/shm/vetcd-watch-XXXX)
java -jar "$VETCD" --listen-client-urls "http://127.0.0.1:$V" --data-dir "$D/vetcd" >/dev/null 2>&1 & P1=$!
etcd --name w --data-dir "$D/etcd" --listen-client-urls "http://127.0.0.1:$C" \
  --advertise-client-urls "http://127.0.0.1:$C" --listen-peer-urls "http://127.0.0.1:$Q" \
  --initial-advertise-peer-urls "http://127.0.0.1:$Q" --initial-cluster "w=http://127.0.0.1:$Q" \
  --log-level error >/dev/null 2>&1 & P2=$!
trap 'kill $P1 $P2 2>/dev/null || true; rm -rf "$D"' EXIT
wait_port "$V"; wait_port "$C"; sleep 1

FANOUT=(--conns 10 --clients 10 watch --streams 10 --watch-per-stream 1000 --watched-key-total 10
        --put-total "$PUTS" --put-rate 1000)
LATENCY=(--conns 1 --clients 100 watch-latency --total 5000 --put-rate 1000)
for name_port in "vetcd:$V" "etcd:$C"; do   # warm-up, not reported
  tool "${name_port#*:}" --conns 10 --clients 10 watch --streams 10 --watch-per-stream 100 --watched-key-total 10 \
    --put-total 500 --put-rate 1000 >/dev/null 2>&1 || true
done
for r in $(seq "$ROUNDS"); do
  for name_port in "vetcd:$V" "etcd:$C"; do
    name=${name_port%%:*}; port=${name_port#*:}
    pid=$P1; [ "$name" = etcd ] && pid=$P2
    echo "== round $r $name fan-out: ${FANOUT[*]}"
    c0=$(cpu $pid)
    tool "$port" "${FANOUT[@]}" 2>&1 | grep -E "summary|Requests/sec|error" | head -8
    echo "  server CPU seconds: $(python3 -c "print(round($(cpu $pid)-$c0,2))")"
    echo "== round $r $name latency: ${LATENCY[*]}"
    c0=$(cpu $pid)
    tool "$port" "${LATENCY[@]}" 2>&1 | grep -E "Requests/sec|Average|Slowest| 50%| 90%| 99%| 99.9%|error" | head -8
    echo "  server CPU seconds: $(python3 -c "print(round($(cpu $pid)-$c0,2))")"
  done
done
