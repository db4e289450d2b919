#!/usr/bin/env bash
# Cluster benchmark: what Redis-backed (fleet-shared) rate limits add to each request, and how long requests
# wait while Redis is frozen. Runs dist/llm-proxy.jar (build it first: mvn -B package -DskipTests) with its
# built-in echo backend and a private redis-server, all on 127.0.0.1, driven by wrk (bench/install-wrk.sh).
#
#   bench/cluster-bench.sh                  # ~3 min
#   ROUNDS=8 SLICE=10 bench/cluster-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-4}          # alternating slices per comparison
SLICE=${SLICE:-5}            # seconds per slice
WARMUP=${WARMUP:-10}
PORT=${PORT:-18865}
REDIS_PORT=${REDIS_PORT:-16379}
JAR=dist/llm-proxy.jar
OUT=bench/results/cluster
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk not found: run bench/install-wrk.sh" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server not found: apt-get install redis-server" >&2; exit 1; }
[ -f "$JAR" ] || { echo "$JAR not found: run mvn -B package -DskipTests" >&2; exit 1; }
cp "$JAR" "$OUT/gateway-under-bench.jar"
JAR="$OUT/gateway-under-bench.jar"

PIDS=()
REDIS_PID=""
cleanup() {
  [ -n "$REDIS_PID" ] && kill -CONT "$REDIS_PID" 2>/dev/null || true
  for p in "${PIDS[@]}" $REDIS_PID; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$OUT" --save "" --appendonly no \
  > "$OUT/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

# Every limit on (per-IP, per-model, global), at rates that never bind: this measures the bookkeeping.
LIMITS="rate_limit: {global_rps: 1000000, per_ip_rps: 1000000, burst_factor: 1, per_model_rps: {echo: 1000000}}"
# The cost runs allow 1 s per Redis call: on a busy machine a 50 ms timeout would send the gateway to local mode
# now and then, and those slices would measure local limits. The frozen-Redis run uses the 50 ms default.
cluster() {  # $1 = timeout
  printf 'cluster:\n  redis: {url: "redis://127.0.0.1:%s/0", timeout: %s, on_unavailable: local}\n' "$REDIS_PORT" "$1"
}

start() {  # $1 = name, $2 = extra YAML, $3 = port; echoes the pid
  cat > "$OUT/$1.yaml" <<YAML
listen: "127.0.0.1:$3"
backends:
  - {name: local, type: echo}
models:
  echo: [{backend: local, model: echo}]
logging: {level: warn}
$2
YAML
  java -Xms512m -Xmx512m -jar "$JAR" -config "$OUT/$1.yaml" > "$OUT/$1.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 150); do
    curl -fs "http://127.0.0.1:$3/health" >/dev/null 2>&1 && { echo "$pid"; return 0; }
    sleep 0.1
  done
  echo "gateway $1 did not start; see $OUT/$1.log" >&2
  exit 1
}

# Prints "<req/s> <p50 µs> <p99 µs> <max µs>" for one wrk run.
load() {  # $1 = seconds, $2 = connections, $3 = port, $4 = output file
  wrk -t1 -c"$2" -d"${1}s" --latency -s bench/post-chat.lua "http://127.0.0.1:$3/v1/chat/completions" > "$4"
  awk '
    function us(v) { if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000; if (v ~ /s$/) return v * 1000000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = us($2) }
    $1 == "99%" { p99 = us($2) }
    $1 == "Latency" && NF >= 4 { max = us($4) }
    END { printf "%.0f %.0f %.0f %.0f\n", rps, p50, p99, max }' "$4"
}

LOCAL_PID=$(start local "$LIMITS" "$PORT"); PIDS+=("$LOCAL_PID")
SHARED_PID=$(start shared "$LIMITS
$(cluster 1s)" "$((PORT + 1))"); PIDS+=("$SHARED_PID")
load "$WARMUP" 8 "$PORT" "$OUT/warm-local.txt" > /dev/null
load "$WARMUP" 8 "$((PORT + 1))" "$OUT/warm-shared.txt" > /dev/null

for conns in 1 16; do
  echo
  echo "### Rate limits in this process vs shared through Redis: $conns connection(s), $ROUNDS × ${SLICE}s slices each"
  echo
  printf '| slice | local req/s | shared req/s | local p50 / p99 | shared p50 / p99 | p50 added |\n|---|---|---|---|---|---|\n'
  adds=()
  for i in $(seq 1 "$ROUNDS"); do
    if [ $((i % 2)) = 1 ]; then
      read -r lr l50 l99 _ < <(load "$SLICE" "$conns" "$PORT" "$OUT/local.$conns.$i.txt")
      read -r sr s50 s99 _ < <(load "$SLICE" "$conns" "$((PORT + 1))" "$OUT/shared.$conns.$i.txt")
    else
      read -r sr s50 s99 _ < <(load "$SLICE" "$conns" "$((PORT + 1))" "$OUT/shared.$conns.$i.txt")
      read -r lr l50 l99 _ < <(load "$SLICE" "$conns" "$PORT" "$OUT/local.$conns.$i.txt")
    fi
    add=$((s50 - l50))
    adds+=("$add")
    printf '| %d | %s | %s | %s µs / %s µs | %s µs / %s µs | %s µs |\n' "$i" "$lr" "$sr" "$l50" "$l99" "$s50" "$s99" "$add"
  done
  median=$(printf '%s\n' "${adds[@]}" | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')
  echo
  echo "Median p50 added by Redis-backed limits ($conns connection(s)): ${median} µs"
done

errors=$(curl -fs "http://127.0.0.1:$((PORT + 1))/metrics" | awk '/^llmproxy_cluster_redis_errors_total/ {s += $2} END {print s + 0}')
echo
echo "Redis errors during the cost runs (each one would have sent the gateway local for a moment): $errors"
kill "$LOCAL_PID" "$SHARED_PID" 2>/dev/null || true

FROZEN_PID=$(start frozen "$LIMITS
$(cluster 50ms)" "$((PORT + 2))"); PIDS+=("$FROZEN_PID")
load "$WARMUP" 8 "$((PORT + 2))" "$OUT/warm-frozen.txt" > /dev/null
echo
echo "### Redis frozen (SIGSTOP) for 3 s in the middle of a 9 s run, 8 connections, timeout 50ms"
echo
redis-cli -p "$REDIS_PORT" ping > /dev/null
( sleep 3; kill -STOP "$REDIS_PID"; sleep 3; kill -CONT "$REDIS_PID" ) &
read -r fr f50 f99 fmax < <(load 9 8 "$((PORT + 2))" "$OUT/frozen.txt")
wait $! 2>/dev/null || true
echo "| req/s | p50 | p99 | slowest request |"
echo "|---|---|---|---|"
echo "| $fr | $f50 µs | $f99 µs | $fmax µs |"
echo
echo "errors counted by the gateway:"
curl -fs "http://127.0.0.1:$((PORT + 2))/metrics" | grep -E '^llmproxy_cluster_(redis_errors_total|mode)' || true
for _ in $(seq 1 50); do
  curl -fs "http://127.0.0.1:$((PORT + 2))/livez" | grep -q '"cluster_mode":"redis"' && break
  sleep 0.1
done
echo "after SIGCONT: $(curl -fs "http://127.0.0.1:$((PORT + 2))/livez")"
