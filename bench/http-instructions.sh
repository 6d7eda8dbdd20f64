#!/usr/bin/env bash
# Instructions per request of the bench/http-apps variants, counted by valgrind's callgrind: a count, not
# a time, so it does not move with the other tenants of a shared VM (wall-clock ratios here swing ±20%
# between rounds). Each variant serves N1 and then, in a second run, N2 requests (`GET /users/7`,
# autocannon, 10 connections); (I(N2) − I(N1)) / (N2 − N1) is the steady-state cost of one request, with
# start-up and the JIT's warm-up left out. Slow: valgrind runs the server ~50× slower (≈ 4 min per 40,000
# requests).
#
# Usage: npm run build && bench/http-instructions.sh [N1 N2 [variant ...]]   (default 22000 62000 bare obs-metrics prom-client-hand)
set -euo pipefail
cd "$(dirname "$0")/.."
N1=${1:-22000}
N2=${2:-62000}
if [ $# -ge 2 ]; then shift 2; else set --; fi
if [ $# -gt 0 ]; then VARIANTS=("$@"); else VARIANTS=(bare obs-metrics prom-client-hand); fi
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 2; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# instructions collected over one server run that answers $2 requests
count() {
  local app=$1 n=$2 err="$OUT/$1.$2.err"
  taskset -c 0 valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file="$OUT/$1.$2.out" \
    node_modules/.bin/node "bench/http-apps/$app.mjs" 2> "$err" &
  local vpid=$!
  for _ in $(seq 1 600); do grep -q '"ready":true' "$err" 2>/dev/null && break; sleep 0.5; done
  local port pid
  port=$(grep -o '"port":[0-9]*' "$err" | head -1 | cut -d: -f2)
  pid=$(grep -o '"pid":[0-9]*' "$err" | head -1 | cut -d: -f2)
  taskset -c 1 node_modules/.bin/autocannon -q -c 10 -a "$n" "http://127.0.0.1:$port/users/7" > /dev/null 2>&1
  kill -TERM "$pid"
  wait "$vpid" || true
  grep -o 'Collected : [0-9]*' "$err" | awk '{print $3}'
}

echo "| variant | instructions per request | ratio to bare |"
echo "|---|---|---|"
base=""
for v in "${VARIANTS[@]}"; do
  a=$(count "$v" "$N1")
  b=$(count "$v" "$N2")
  per=$(( (b - a) / (N2 - N1) ))
  [ "$v" = bare ] && base=$per
  ratio=$([ -n "$base" ] && awk -v b="$base" -v p="$per" 'BEGIN { printf "%.3f", b / p }' || echo "–")
  echo "| $v | $per | $ratio |"
done
