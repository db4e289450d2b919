#!/usr/bin/env bash
# What the proxy adds: the same wrk load sent straight to a bare mock upstream, then through llm-proxy to it.
# Non-stream and stream (20 chunks + [DONE]); 1 connection (added latency, machine idle) and 32 connections
# (throughput, machine saturated: 2 cores shared by wrk, the proxy and the mock). Loopback only.
# Needs dist/llm-proxy.jar (mvn -B package -DskipTests) and wrk (bench/install-wrk.sh).
#
#   bench/proxy-overhead.sh              # ~2 min
#   DURATION=20 bench/proxy-overhead.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-15}
MOCK_PORT=${MOCK_PORT:-18800}
PROXY_PORT=${PROXY_PORT:-18801}
OUT=bench/results
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk not found: run bench/install-wrk.sh" >&2; exit 1; }
[ -f dist/llm-proxy.jar ] || { echo "dist/llm-proxy.jar not found: mvn -B package -DskipTests" >&2; exit 1; }
cp dist/llm-proxy.jar "$OUT/gateway-under-bench.jar"
JAR="$OUT/gateway-under-bench.jar"

PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true' EXIT

java -Xms256m -Xmx256m -cp "$JAR" bench/MockUpstreamServer.java "$MOCK_PORT" 20 > "$OUT/mock.log" 2>&1 &
PIDS+=($!)
cat > "$OUT/overhead.yaml" <<YAML
listen: "127.0.0.1:$PROXY_PORT"
proxy: {watch_interval: 0}
backends: [{name: mock, url: "http://127.0.0.1:$MOCK_PORT/v1", api_key: bench-key}]
models: {echo: [{backend: mock, model: bench}]}
YAML
java -Xms512m -Xmx512m -Dlogback.configurationFile=bench/logback-bench.xml -jar "$JAR" -config "$OUT/overhead.yaml" \
  > "$OUT/overhead-proxy.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PROXY_PORT/health" >/dev/null 2>&1 \
    && curl -fs -o /dev/null -X POST "http://127.0.0.1:$MOCK_PORT/v1/chat/completions" -d '{}' 2>/dev/null && break
  sleep 0.2
done

run() {  # $1 = label, $2 = port, $3 = connections, $4 = stream (0/1); prints "req/s p50 p99"
  STREAM=$4 wrk -t1 -c"$3" -d"${DURATION}s" --latency -s bench/overhead.lua \
    "http://127.0.0.1:$2/v1/chat/completions" > "$OUT/overhead.$1.txt"
  awk '/Requests\/sec/ {rps = $2} /^ +50%/ {p50 = $2} /^ +99%/ {p99 = $2} END {printf "%.0f %s %s\n", rps, p50, p99}' \
    "$OUT/overhead.$1.txt"
}

# Warm both up (JIT) with both request kinds.
STREAM=0 wrk -t1 -c32 -d"${WARMUP}s" -s bench/overhead.lua "http://127.0.0.1:$PROXY_PORT/v1/chat/completions" > /dev/null
STREAM=1 wrk -t1 -c32 -d"${WARMUP}s" -s bench/overhead.lua "http://127.0.0.1:$PROXY_PORT/v1/chat/completions" > /dev/null

echo "### Proxy overhead: ${DURATION}s wrk runs, direct to the mock upstream vs through llm-proxy"
echo
printf '| request | connections | direct req/s | proxied req/s | direct p50 / p99 | proxied p50 / p99 |\n'
printf '|---|---|---|---|---|---|\n'
for stream in 0 1; do
  for conns in 1 32; do
    read -r d_rps d_p50 d_p99 < <(run "direct.$stream.$conns" "$MOCK_PORT" "$conns" "$stream")
    read -r p_rps p_p50 p_p99 < <(run "proxied.$stream.$conns" "$PROXY_PORT" "$conns" "$stream")
    kind=$([ "$stream" = 1 ] && echo "stream (20 chunks)" || echo "non-stream")
    printf '| %s | %s | %s | %s | %s / %s | %s / %s |\n' "$kind" "$conns" "$d_rps" "$p_rps" "$d_p50" "$d_p99" "$p_p50" "$p_p99"
  done
done
