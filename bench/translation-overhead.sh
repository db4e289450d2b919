#!/usr/bin/env bash
# What translation costs through the relay: the same wrk load through llm-proxy to one mock upstream that answers
# both protocols (bench/MockUpstreamServer.java), once on a route of the client's own protocol (a byte copy) and
# once on a route of the other protocol (translated), for both client protocols, non-stream and stream (20 text
# deltas). Reports req/s and latency at 1 and 32 connections, and the proxy's CPU time per request (from
# /proc/<pid>/stat during the 32-connection runs), which the shared machine's load does not distort the way it does
# latency. Loopback only. Needs dist/llm-proxy.jar (mvn -B package -DskipTests) and wrk (bench/install-wrk.sh).
#
#   bench/translation-overhead.sh              # ~4 min
#   DURATION=20 bench/translation-overhead.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-10}
MOCK_PORT=${MOCK_PORT:-18820}
PROXY_PORT=${PROXY_PORT:-18821}
CHUNKS=20
OUT=bench/results
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk not found: run bench/install-wrk.sh" >&2; exit 1; }
[ -f dist/llm-proxy.jar ] || { echo "dist/llm-proxy.jar not found: mvn -B package -DskipTests" >&2; exit 1; }
cp dist/llm-proxy.jar "$OUT/translation-under-bench.jar"
JAR="$OUT/translation-under-bench.jar"
TICK_US=$((1000000 / $(getconf CLK_TCK)))

PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true' EXIT

java -Xms256m -Xmx256m -cp "$JAR" bench/MockUpstreamServer.java "$MOCK_PORT" "$CHUNKS" > "$OUT/translation-mock.log" 2>&1 &
PIDS+=($!)
cat > "$OUT/translation.yaml" <<YAML
listen: "127.0.0.1:$PROXY_PORT"
proxy: {watch_interval: 0}
backends:
  - {name: mock-openai, url: "http://127.0.0.1:$MOCK_PORT/v1", api_key: bench-key, protocol: openai}
  - {name: mock-anthropic, url: "http://127.0.0.1:$MOCK_PORT/v1", api_key: bench-key, protocol: anthropic}
models:
  to-openai: [{backend: mock-openai, model: bench}]
  to-anthropic: [{backend: mock-anthropic, model: bench}]
YAML
java -Xms512m -Xmx512m -Dlogback.configurationFile=bench/logback-bench.xml -jar "$JAR" -config "$OUT/translation.yaml" \
  > "$OUT/translation-proxy.log" 2>&1 &
PROXY_PID=$!
PIDS+=($PROXY_PID)
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PROXY_PORT/health" >/dev/null 2>&1 \
    && curl -fs -o /dev/null -X POST "http://127.0.0.1:$MOCK_PORT/v1/messages" -d '{}' 2>/dev/null && break
  sleep 0.2
done

cpu_ticks() {  # utime + stime of the proxy, in clock ticks
  awk '{print $14 + $15}' "/proc/$PROXY_PID/stat"
}

# $1 = label, $2 = client protocol, $3 = alias, $4 = stream, $5 = connections; prints "req/s p50 p99 cpu_us_per_req"
run() {
  local path=/v1/chat/completions
  [ "$2" = anthropic ] && path=/v1/messages
  local before after
  before=$(cpu_ticks)
  PROTO=$2 MODEL=$3 STREAM=$4 wrk -t1 -c"$5" -d"${DURATION}s" --latency -s bench/post-alias.lua \
    "http://127.0.0.1:$PROXY_PORT$path" > "$OUT/translation.$1.txt"
  after=$(cpu_ticks)
  awk -v ticks=$((after - before)) -v tick_us="$TICK_US" '
    / requests in / {requests = $1}
    /Requests\/sec/ {rps = $2} /^ +50%/ {p50 = $2} /^ +99%/ {p99 = $2}
    END {printf "%.0f %s %s %.0f\n", rps, p50, p99, ticks * tick_us / requests}' "$OUT/translation.$1.txt"
}

combos=("openai:to-openai:OpenAI client, OpenAI route (byte copy)"
        "openai:to-anthropic:OpenAI client, Anthropic route (translated)"
        "anthropic:to-anthropic:Anthropic client, Anthropic route (byte copy)"
        "anthropic:to-openai:Anthropic client, OpenAI route (translated)")

for combo in "${combos[@]}"; do  # warm up every path (JIT)
  IFS=: read -r proto alias _ <<< "$combo"
  for stream in 0 1; do
    PROTO=$proto MODEL=$alias STREAM=$stream wrk -t1 -c32 -d"${WARMUP}s" -s bench/post-alias.lua \
      "http://127.0.0.1:$PROXY_PORT/v1/$([ "$proto" = anthropic ] && echo messages || echo chat/completions)" \
      > /dev/null
  done
done

echo "### Translation through the relay: ${DURATION}s wrk runs through llm-proxy, same mock upstream"
echo
printf '| client → route | answer | 1 conn: req/s, p50 | 32 conns: req/s, p50 / p99 | proxy CPU per request |\n'
printf '|---|---|---|---|---|\n'
for combo in "${combos[@]}"; do
  IFS=: read -r proto alias label <<< "$combo"
  for stream in 0 1; do
    read -r rps1 p50_1 _ _ < <(run "$alias.$proto.$stream.1" "$proto" "$alias" "$stream" 1)
    read -r rps32 p50_32 p99_32 cpu < <(run "$alias.$proto.$stream.32" "$proto" "$alias" "$stream" 32)
    kind=$([ "$stream" = 1 ] && echo "stream ($CHUNKS deltas)" || echo non-stream)
    printf '| %s | %s | %s, %s | %s, %s / %s | %s µs |\n' "$label" "$kind" "$rps1" "$p50_1" "$rps32" "$p50_32" \
      "$p99_32" "$cpu"
  done
done
