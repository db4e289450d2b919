#!/usr/bin/env bash
# Throughput cost of traffic capture (JSONL dataset + SQLite store), measured in ONE gateway process: capture is
# switched on and off by hot reload (capture.enabled, POST /admin/reload) between alternating wrk slices, as
# bench/limits-onoff-reload.sh does for limits (two JVMs side by side differ by more than what is measured).
# Loopback only, against the built-in echo backend. Needs dist/llm-proxy.jar and wrk (bench/install-wrk.sh).
# Also prints what capture wrote and dropped per "on" slice: a cost measured while records are dropped would
# flatter capture, so dropped must stay 0 (raise capture.queue_size or lower CONNECTIONS if it does not).
#
#   bench/capture-onoff-reload.sh                 # non-stream requests; 30 s warm-up, 10 pairs of 5 s slices
#   STREAM=1 PAIRS=20 bench/capture-onoff-reload.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PAIRS=${PAIRS:-10}
SLICE=${SLICE:-5}
WARMUP=${WARMUP:-30}
CONNECTIONS=${CONNECTIONS:-32}
STREAM=${STREAM:-0}
PORT=${PORT:-18776}
OUT=bench/results
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk not found: run bench/install-wrk.sh" >&2; exit 1; }
[ -f dist/llm-proxy.jar ] || { echo "dist/llm-proxy.jar not found: mvn -B package -DskipTests" >&2; exit 1; }
cp dist/llm-proxy.jar "$OUT/gateway-under-bench.jar"
CFG="$OUT/capture-onoff.yaml"
rm -rf "$OUT/capture-data"

config() {  # $1 = on|off
  {
    echo "listen: \"127.0.0.1:$PORT\""
    echo "proxy: {watch_interval: 0}"   # reloads only when this script asks
    echo "backends: [{name: local, type: echo}]"
    echo "models: {echo: [{backend: local, model: echo}]}"
    echo "logging: {base_dir: \"\"}"
    # The store and the queue are opened once; only capture.enabled changes between slices.
    echo "capture: {enabled: $([ "$1" = on ] && echo true || echo false), directory: capture-data,"
    echo "  store: {type: sqlite, path: capture-data/requests.db}}"
  } > "$CFG.tmp" && mv "$CFG.tmp" "$CFG"
}

switch_to() {  # $1 = on|off; reload and check it applied
  config "$1"
  curl -fs -X POST "http://127.0.0.1:$PORT/admin/reload" > "$OUT/reload.json"
  grep -Eq '"outcome" *: *"(applied|unchanged)"' "$OUT/reload.json" \
    || { echo "reload to $1 failed: $(cat "$OUT/reload.json")" >&2; exit 1; }
}

counter() {  # $1 = metric line prefix; prints its value (0 when absent)
  curl -fs "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" 'index($0, m) == 1 {v = $2} END {printf "%.0f", v + 0}'
}

rate() {  # $1 = label; prints requests/s of one slice
  STREAM=$STREAM wrk -t1 -c"$CONNECTIONS" -d"${SLICE}s" -s bench/overhead.lua \
    "http://127.0.0.1:$PORT/v1/chat/completions" > "$OUT/capture-onoff.$1.txt"
  awk '/Requests\/sec/ {printf "%.0f", $2}' "$OUT/capture-onoff.$1.txt"
}

config off
java -Xms512m -Xmx512m -Dlogback.configurationFile=bench/logback-bench.xml -jar "$OUT/gateway-under-bench.jar" \
  -config "$CFG" > "$OUT/capture-onoff.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done

WARM_SLICE=$((WARMUP / 2))
SLICE=$WARM_SLICE rate warm-off > /dev/null
switch_to on
SLICE=$WARM_SLICE rate warm-on > /dev/null

kind=$([ "$STREAM" = 1 ] && echo "stream" || echo "non-stream")
echo "### Capture on vs off in one process (hot reload between slices): $kind, $PAIRS pairs of ${SLICE}s slices, $CONNECTIONS connections"
echo
printf '| pair | off req/s | on req/s | on / off | records written in the on slice | dropped |\n|---|---|---|---|---|---|\n'
ratios=()
on_slice() {  # $1 = pair; sets on, written, dropped
  local w0 d0
  switch_to on
  w0=$(counter 'llmproxy_capture_written_total{sink="store"')
  d0=$(counter 'llmproxy_capture_dropped_total')
  on=$(rate "on.$1")
  # Let the writer catch up before counting (it is behind by at most the queue).
  for _ in $(seq 1 50); do [ "$(counter 'llmproxy_capture_queue_depth')" = 0 ] && break; sleep 0.1; done
  written=$(( $(counter 'llmproxy_capture_written_total{sink="store"') - w0 ))
  dropped=$(( $(counter 'llmproxy_capture_dropped_total') - d0 ))
}
for i in $(seq 1 "$PAIRS"); do
  if [ $((i % 2)) = 1 ]; then
    switch_to off; off=$(rate "off.$i"); on_slice "$i"
  else
    on_slice "$i"; switch_to off; off=$(rate "off.$i")
  fi
  ratio=$(awk -v a="$on" -v b="$off" 'BEGIN {printf "%.3f", a / b}')
  ratios+=("$ratio")
  printf '| %d | %s | %s | %s | %s | %s |\n' "$i" "$off" "$on" "$ratio" "$written" "$dropped"
done
echo
printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR] = $1; s += $1; ss += $1 * $1}
  END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; mean = s / NR;
       sd = sqrt(ss / NR - mean * mean);
       printf "Median on/off: %.3f (mean %.3f, sd %.3f, min %.3f, max %.3f, n %d)\n", m, mean, sd, a[1], a[NR], NR}'
du -sh "$OUT/capture-data" | awk '{print "Dataset + store on disk after the run: " $1}'
