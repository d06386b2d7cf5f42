#!/usr/bin/env bash
# etcdctl check perf --load=LOAD (default xl: 15k writes/s for 60 s from 1000 clients) against vetcd and
# against etcd 3.4 with its data dir on tmpfs, one after the other, on free loopback ports.
#
#   bench/scripts/check-perf.sh [LOAD=xl]      (after: mvn -q -B package -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/../.."
LOAD=${1:-xl}
VETCD=server-vertx/target/vetcd.jar
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_healthy() { for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/health" >/dev/null && return 0; sleep 0.1; done; return 1; }
check() { echo "== $1: etcdctl check perf --load=$LOAD"; ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$2" check perf --load="$LOAD" 2>&1 | grep -E "PASS|FAIL" || true; }

P=$(free_port)
java -jar "$VETCD" --listen-client-urls "http://127.0.0.1:$P" --in-memory >/dev/null 2>&1 &
VPID=$!
trap 'kill $VPID 2>/dev/null || true' EXIT
wait_healthy "$P"
check vetcd "$P"
kill "$VPID"; wait "$VPID" 2>/dev/null || true

D=$(mktemp -d /dev/shm/vetcd-check-etcd-XXXX)
C=$(free_port); Q=$(free_port)
etcd --name chk --data-dir "$D/data" --listen-client-urls "http://127.0.0.1:$C" \
  --advertise-client-urls "http://127.0.0.1:$C" --listen-peer-urls "http://127.0.0.1:$Q" \
  --initial-advertise-peer-urls "http://127.0.0.1:$Q" --initial-cluster "chk=http://127.0.0.1:$Q" \
  --log-level error >/dev/null 2>&1 &
EPID=$!
trap 'kill $EPID 2>/dev/null || true; rm -rf "$D"' EXIT
wait_healthy "$C"
check etcd "$C"
