#!/usr/bin/env bash
# Traffic-control benchmark: limiter accuracy under load, and the throughput cost of limits on vs off.
# Runs dist/llm-proxy.jar (build it first: mvn -B package -DskipTests) against its built-in echo backend on
# 127.0.0.1 only, drives it with wrk (bench/install-wrk.sh), and prints a Markdown table.
#
#   bench/limits-bench.sh            # ~2 min: 6 × 2 alternating 5 s slices, then 3 accuracy runs of 10 s
#   DURATION=20 ROUNDS=10 bench/limits-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-5}   # JIT warm-up, and drains the buckets so the measured run starts from empty
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18765}
JAR=dist/llm-proxy.jar
OUT=bench/results
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk not found: run bench/install-wrk.sh" >&2; exit 1; }
[ -f "$JAR" ] || { echo "$JAR not found: run mvn -B package -DskipTests" >&2; exit 1; }
# Run a private copy, so a rebuild of dist/ during the run cannot change the code under test.
cp "$JAR" "$OUT/gateway-under-bench.jar"
JAR="$OUT/gateway-under-bench.jar"

PID=""
stop() { if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=""; fi; }
trap stop EXIT

start() {  # $1 = name, $2 = extra YAML, $3 = port (default $PORT); sets PID
  local cfg="$OUT/$1.yaml" port=${3:-$PORT}
  cat > "$cfg" <<YAML
listen: "127.0.0.1:$port"
backends:
  - {name: local, type: echo}
models:
  echo: [{backend: local, model: echo}]
$2
YAML
  java -Xms512m -Xmx512m -Dlogback.configurationFile=bench/logback-bench.xml -jar "$JAR" -config "$cfg" \
    > "$OUT/$1.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "gateway did not start; see $OUT/$1.log" >&2
  exit 1
}

# Prints "<total requests> <non-2xx> <seconds>" for one wrk run.
load() {  # $1 = duration seconds, $2 = log file, $3 = port (default $PORT)
  wrk -t1 -c"$CONNECTIONS" -d"${1}s" --latency -s bench/post-chat.lua \
    "http://127.0.0.1:${3:-$PORT}/v1/chat/completions" > "$2"
  local total non2xx secs
  total=$(awk '/requests in/ {print $1}' "$2")
  secs=$(awk '/requests in/ {gsub(/s,?/, "", $4); print $4}' "$2")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$2")
  echo "$total ${non2xx:-0} $secs"
}

# ---- 1. Throughput cost: limits off vs on (never binding) --------------------------------------------
# Both gateways run side by side and are loaded in alternating short slices, so a neighbour's load on a shared
# machine hits both alike; the median per-slice ratio is the figure.
NOT_BINDING=${ON_YAML-"rate_limit: {global_rps: 1000000, per_ip_rps: 1000000, burst_factor: 1, per_model_rps: {echo: 1000000}}
concurrency: {max_requests: 10000, max_queue_size: 10000, queue_timeout: 30s, per_backend_limit: 10000}"}
ROUNDS=${ROUNDS:-4}
SLICE=${SLICE:-5}
ACCURACY=${ACCURACY:-1}   # 0: throughput part only
echo "### Throughput, limits off vs on (not binding): 2 phases × $ROUNDS alternating ${SLICE}s slices, $CONNECTIONS connections"
echo
# Two JVMs side by side are not equal: an A/A run (ON_YAML="") shows the one started second slower by up to
# ~30 % here. So the comparison runs twice, with the start order swapped, and the two medians are combined.
medians=()
for phase in 1 2; do
  if [ "$phase" = 1 ]; then
    start "limits-off" "" "$PORT"; OFF_PID=$PID
    start "limits-on" "$NOT_BINDING" "$((PORT + 1))"; ON_PID=$PID
  else
    start "limits-on" "$NOT_BINDING" "$((PORT + 1))"; ON_PID=$PID
    start "limits-off" "" "$PORT"; OFF_PID=$PID
  fi
  PID=""
  trap 'kill $OFF_PID $ON_PID 2>/dev/null || true' EXIT
  load "$WARMUP" "$OUT/off.warmup.txt" "$PORT" > /dev/null
  load "$WARMUP" "$OUT/on.warmup.txt" "$((PORT + 1))" > /dev/null
  echo "Phase $phase: $([ "$phase" = 1 ] && echo "off" || echo "on") started first"
  echo
  printf '| slice | off req/s | on req/s | on / off |\n|---|---|---|---|\n'
  ratios=()
  for i in $(seq 1 "$ROUNDS"); do
    # Alternate which one goes first, so neither always runs right after the other's load.
    if [ $((i % 2)) = 1 ]; then
      read -r t_off _ s_off < <(load "$SLICE" "$OUT/off.$phase.$i.txt" "$PORT")
      read -r t_on _ s_on < <(load "$SLICE" "$OUT/on.$phase.$i.txt" "$((PORT + 1))")
    else
      read -r t_on _ s_on < <(load "$SLICE" "$OUT/on.$phase.$i.txt" "$((PORT + 1))")
      read -r t_off _ s_off < <(load "$SLICE" "$OUT/off.$phase.$i.txt" "$PORT")
    fi
    r_off=$(awk -v t="$t_off" -v s="$s_off" 'BEGIN {printf "%.0f", t / s}')
    r_on=$(awk -v t="$t_on" -v s="$s_on" 'BEGIN {printf "%.0f", t / s}')
    ratio=$(awk -v a="$r_on" -v b="$r_off" 'BEGIN {printf "%.3f", a / b}')
    ratios+=("$ratio")
    printf '| %d | %s | %s | %s |\n' "$i" "$r_off" "$r_on" "$ratio"
  done
  median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')
  medians+=("$median")
  echo
  echo "Phase $phase median on/off: $median"
  echo
  kill $OFF_PID $ON_PID 2>/dev/null || true
  wait $OFF_PID $ON_PID 2>/dev/null || true
  trap stop EXIT
done
echo "On/off throughput, order bias cancelled (geometric mean of the phase medians): $(awk -v a="${medians[0]}" -v b="${medians[1]}" 'BEGIN {printf "%.3f", sqrt(a * b)}')"
echo

[ "$ACCURACY" = 1 ] || exit 0

# ---- 2. Accuracy: accepted rate vs configured, offered load well above the limit ----------------------
# Accepted/s is counted per wall-clock second by the wrk script, over the whole seconds of the run after the
# first two, so the tokens a bucket starts with do not count. Limits are kept low so that even a busy shared
# machine offers several times the limit.
echo "### Limiter accuracy: ${DURATION}s runs after a ${WARMUP}s warm-up, $CONNECTIONS connections"
echo
printf '| scenario | configured | offered req/s (all answers) | accepted/s (steady seconds) | accepted vs configured | latency p50 / p99 |\n'
printf '|---|---|---|---|---|---|\n'

run() {  # $1 = name, $2 = YAML, $3 = configured accepted rate
  start "$1" "$2"
  load "$WARMUP" "$OUT/$1.warmup.txt" > /dev/null
  read -r total non2xx secs < <(COUNT=1 load "$DURATION" "$OUT/$1.txt")
  stop
  local steady full all_rate acc_rate p50 p99 dev
  read -r steady full < <(awk '/STEADY_ACCEPTED/ {print $2, $3}' "$OUT/$1.txt")
  all_rate=$(awk -v t="$total" -v s="$secs" 'BEGIN {printf "%.0f", t / s}')
  acc_rate=$(awk -v a="$steady" -v s="$full" 'BEGIN {printf "%.1f", a / s}')
  dev=$(awk -v a="$acc_rate" -v c="$3" 'BEGIN {printf "%+.2f %%", (a - c) * 100 / c}')
  if awk -v t="$all_rate" -v c="$3" 'BEGIN {exit !(t < 1.5 * c)}'; then
    dev="$dev (invalid: offered load < 1.5 × limit)"
  fi
  p50=$(awk '$1 == "50%" {print $2}' "$OUT/$1.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$OUT/$1.txt")
  printf '| %s | %s | %s | %s (%s s) | %s | %s / %s |\n' "$1" "$3" "$all_rate" "$acc_rate" "$full" "$dev" "$p50" "$p99"
}

run "global-200rps" "rate_limit: {global_rps: 200, per_ip_rps: 0, burst_factor: 1}" 200
run "per-ip-100rps" "rate_limit: {global_rps: 0, per_ip_rps: 100, burst_factor: 1.5}" 100
run "per-model-150rps" "rate_limit: {global_rps: 0, per_ip_rps: 0, burst_factor: 1, per_model_rps: {echo: 150}}" 150
