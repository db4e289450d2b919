#!/usr/bin/env bash
# Throughput cost of traffic control, measured in ONE gateway process: the limits are switched on and off by
# hot reload (POST /admin/reload) between alternating wrk slices. Two JVMs side by side differ by up to ~30 %
# on a 2-core machine (see docs/benchmarks.md); one JVM compares the same heap, JIT state and event loops.
# Loopback only, against the built-in echo backend. Needs dist/llm-proxy.jar and wrk (bench/install-wrk.sh).
#
#   bench/limits-onoff-reload.sh                  # 30 s warm-up, 10 pairs of 5 s slices (~2 min)
#   PAIRS=20 SLICE=5 bench/limits-onoff-reload.sh
#   CAPTURE=1 PAIRS=8 bench/limits-onoff-reload.sh   # limits and capture together, on vs off
set -euo pipefail
cd "$(dirname "$0")/.."

PAIRS=${PAIRS:-10}
SLICE=${SLICE:-5}
WARMUP=${WARMUP:-30}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18775}
OUT=bench/results
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk not found: run bench/install-wrk.sh" >&2; exit 1; }
[ -f dist/llm-proxy.jar ] || { echo "dist/llm-proxy.jar not found: mvn -B package -DskipTests" >&2; exit 1; }
cp dist/llm-proxy.jar "$OUT/gateway-under-bench.jar"
CFG="$OUT/onoff.yaml"

config() {  # $1 = on|off
  {
    echo "listen: \"127.0.0.1:$PORT\""
    echo "proxy: {watch_interval: 0}"   # reloads only when this script asks
    echo "backends: [{name: local, type: echo}]"
    echo "models: {echo: [{backend: local, model: echo}]}"
    if [ "$1" = on ]; then
      # Every limit in the path, at rates that never bind.
      echo "rate_limit: {global_rps: 1000000, per_ip_rps: 1000000, burst_factor: 1, per_model_rps: {echo: 1000000}}"
      echo "concurrency: {max_requests: 10000, max_queue_size: 10000, queue_timeout: 30s, per_backend_limit: 10000}"
    fi
    if [ "${CAPTURE:-0}" = 1 ]; then
      # CAPTURE=1: capture too, on with the limits (the JSONL dataset and the SQLite store); off keeps the store
      # open (enabled: false), as a reload cannot open or close it.
      echo "capture: {enabled: $([ "$1" = on ] && echo true || echo false), directory: \"$PWD/$OUT/onoff-capture\","
      echo "  store: {type: sqlite, path: \"$PWD/$OUT/onoff-capture/requests.db\"}}"
    fi
  } > "$CFG.tmp" && mv "$CFG.tmp" "$CFG"
}

switch_to() {  # $1 = on|off; reload and check it applied
  config "$1"
  curl -fs -X POST "http://127.0.0.1:$PORT/admin/reload" > "$OUT/reload.json"
  grep -Eq '"outcome" *: *"(applied|unchanged)"' "$OUT/reload.json" \
    || { echo "reload to $1 failed: $(cat "$OUT/reload.json")" >&2; exit 1; }
}

rate() {  # $1 = label; prints requests/s of one slice
  wrk -t1 -c"$CONNECTIONS" -d"${SLICE}s" -s bench/post-chat.lua "http://127.0.0.1:$PORT/v1/chat/completions" \
    > "$OUT/onoff.$1.txt"
  awk '/Requests\/sec/ {printf "%.0f", $2}' "$OUT/onoff.$1.txt"
}

config off
java -Xms512m -Xmx512m -Dlogback.configurationFile=bench/logback-bench.xml -jar "$OUT/gateway-under-bench.jar" \
  -config "$CFG" > "$OUT/onoff.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done

# Warm up with both configs so both code paths are compiled before anything is measured.
WARM_SLICE=$((WARMUP / 2))
SLICE=$WARM_SLICE rate warm-off > /dev/null
switch_to on
SLICE=$WARM_SLICE rate warm-on > /dev/null

echo "### Limits on vs off in one process (hot reload between slices): $PAIRS pairs of ${SLICE}s slices, $CONNECTIONS connections"
echo
printf '| pair | off req/s | on req/s | on / off |\n|---|---|---|---|\n'
ratios=()
for i in $(seq 1 "$PAIRS"); do
  # Alternate the order within a pair so drift over time does not favour either.
  if [ $((i % 2)) = 1 ]; then
    switch_to off; off=$(rate "off.$i"); switch_to on; on=$(rate "on.$i")
  else
    switch_to on; on=$(rate "on.$i"); switch_to off; off=$(rate "off.$i")
  fi
  ratio=$(awk -v a="$on" -v b="$off" 'BEGIN {printf "%.3f", a / b}')
  ratios+=("$ratio")
  printf '| %d | %s | %s | %s |\n' "$i" "$off" "$on" "$ratio"
done
echo
printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR] = $1; s += $1; ss += $1 * $1}
  END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; mean = s / NR;
       sd = sqrt(ss / NR - mean * mean);
       printf "Median on/off: %.3f (mean %.3f, sd %.3f, min %.3f, max %.3f, n %d)\n", m, mean, sd, a[1], a[NR], NR}'
