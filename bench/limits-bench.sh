#!/usr/bin/env bash
# Traffic-control benchmark: limiter accuracy under load, and the throughput cost of limits on vs off.
# Runs dist/llm-proxy.jar (build it first: mvn -B package -DskipTests) against its built-in echo backend on
# 127.0.0.1 only, drives it with wrk (bench/install-wrk.sh), and prints a Markdown table.
#
#   bench/limits-bench.sh            # ~1.5 min: 7 runs × (5 s warm-up + DURATION s)
#   DURATION=20 bench/limits-bench.sh
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

PID=""
stop() { if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=""; fi; }
trap stop EXIT

start() {  # $1 = name, $2 = extra YAML
  local cfg="$OUT/$1.yaml"
  cat > "$cfg" <<YAML
listen: "127.0.0.1:$PORT"
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
    curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "gateway did not start; see $OUT/$1.log" >&2
  exit 1
}

# Prints "<total requests> <non-2xx> <seconds>" for one wrk run.
load() {  # $1 = duration seconds, $2 = log file
  wrk -t1 -c"$CONNECTIONS" -d"${1}s" --latency -s bench/post-chat.lua "http://127.0.0.1:$PORT/v1/chat/completions" > "$2"
  local total non2xx secs
  total=$(awk '/requests in/ {print $1}' "$2")
  secs=$(awk '/requests in/ {gsub(/s,?/, "", $4); print $4}' "$2")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$2")
  echo "$total ${non2xx:-0} $secs"
}

printf '| scenario | configured | requests/s (all answers) | accepted/s | accepted vs configured | latency p50 / p99 |\n'
printf '|---|---|---|---|---|---|\n'

run() {  # $1 = name, $2 = YAML, $3 = configured accepted rate (or "-")
  start "$1" "$2"
  load "$WARMUP" "$OUT/$1.warmup.txt" > /dev/null
  read -r total non2xx secs < <(load "$DURATION" "$OUT/$1.txt")
  stop
  local accepted=$((total - non2xx))
  local all_rate acc_rate p50 p99 dev="-"
  all_rate=$(awk -v t="$total" -v s="$secs" 'BEGIN {printf "%.0f", t / s}')
  acc_rate=$(awk -v a="$accepted" -v s="$secs" 'BEGIN {printf "%.1f", a / s}')
  if [ "$3" != "-" ]; then
    dev=$(awk -v a="$acc_rate" -v c="$3" 'BEGIN {printf "%+.2f %%", (a - c) * 100 / c}')
  fi
  p50=$(awk '$1 == "50%" {print $2}' "$OUT/$1.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$OUT/$1.txt")
  printf '| %s | %s | %s | %s | %s | %s / %s |\n' "$1" "$3" "$all_rate" "$acc_rate" "$dev" "$p50" "$p99"
}

# The cost of the stages: the same load with limits off and with limits on that never bind. Run twice,
# interleaved, because other processes on a shared machine move single runs by several per cent.
NOT_BINDING="rate_limit: {global_rps: 1000000, per_ip_rps: 1000000, burst_factor: 1, per_model_rps: {echo: 1000000}}
concurrency: {max_requests: 10000, max_queue_size: 10000, queue_timeout: 30s, per_backend_limit: 10000}"
run "limits-off" "" "-"
run "limits-on-not-binding" "$NOT_BINDING" "-"
run "limits-off" "" "-"
run "limits-on-not-binding" "$NOT_BINDING" "-"
# Accuracy: offered load well above each limit (but below the gateway's own capacity).
run "global-500rps" "rate_limit: {global_rps: 500, per_ip_rps: 0, burst_factor: 1}" 500
run "per-ip-200rps" "rate_limit: {global_rps: 0, per_ip_rps: 200, burst_factor: 1.5}" 200
run "per-model-300rps" "rate_limit: {global_rps: 0, per_ip_rps: 0, burst_factor: 1, per_model_rps: {echo: 300}}" 300
