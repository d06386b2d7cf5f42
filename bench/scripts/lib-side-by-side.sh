# Sourced by the *-side-by-side.sh scripts: vetcd (data dir on tmpfs) and etcd 3.4 (data dir on tmpfs)
# on free loopback ports, stopped on exit, and a runner that measures one workload on one of them with
# the server's CPU time (user+system, from /proc) printed after it.
#   start_servers [extra vetcd flags...]   sets V (vetcd port), C (etcd port), P1/P2 (their pids)
#   measure NAME PORT_PID GREP_PATTERN tool-args...
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
BENCH=bench/target/vetcd-bench.jar
VETCD=server-vertx/target/vetcd.jar
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
cpu() { awk '{printf "%.2f", ($14+$15)/100}' "/proc/$1/stat"; }
# The load tool's JVM: C1 only, since C2 would compile through a short run on the cores the server needs;
# TOOL_JVM replaces these flags (watch-side-by-side.sh: C2 with --warmup-runs for the fan-out).
tool() { java ${TOOL_JVM:--XX:TieredStopAtLevel=1 -XX:+UseParallelGC} -jar "$BENCH" --no-progress --endpoints "127.0.0.1:$1" "${@:2}"; }

start_servers() {
  V=$(free_port); C=$(free_port); Q=$(free_port)
  D=$(mktemp -d /dev/shm/vetcd-sbs-XXXX)
  java -jar "$VETCD" --listen-client-urls "http://127.0.0.1:$V" --data-dir "$D/vetcd" "$@" >/dev/null 2>&1 & P1=$!
  etcd --name w --data-dir "$D/etcd" --listen-client-urls "http://127.0.0.1:$C" \
    --advertise-client-urls "http://127.0.0.1:$C" --listen-peer-urls "http://127.0.0.1:$Q" \
    --initial-advertise-peer-urls "http://127.0.0.1:$Q" --initial-cluster "w=http://127.0.0.1:$Q" \
    --log-level error >/dev/null 2>&1 & P2=$!
  trap 'kill $P1 $P2 2>/dev/null || true; rm -rf "$D"' EXIT
  wait_port "$V"; wait_port "$C"; sleep 1
}

# measure NAME PATTERN tool-args... : NAME is vetcd or etcd; prints the first 8 lines matching PATTERN
# (an extended regex) and the server's CPU time for the measured run (after the tool's warm-up runs)
measure() {
  local name=$1 pattern=$2 port=$V pid=$P1
  shift 2
  if [ "$name" = etcd ]; then port=$C; pid=$P2; fi
  tool "$port" "$@" 2>&1 | {
    c0=$(cpu "$pid"); shown=0
    while IFS= read -r line; do
      if [[ $line == "vetcd-bench: warm-up runs done"* ]]; then c0=$(cpu "$pid"); fi
      if [[ $line =~ $pattern ]] && [ $((shown++)) -lt 8 ]; then printf '%s\n' "$line"; fi
    done
    echo "  server CPU seconds: $(python3 -c "print(round($(cpu "$pid")-$c0,2))")"
  }
}
