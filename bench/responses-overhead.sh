#!/usr/bin/env bash
# The routed Responses API next to chat completions: the same wrk load through llm-proxy to bench/MockUpstreamServer
# (which answers both), and straight to the mock. Streams are 20 text deltas each: chat 20 chunks + finish + [DONE]
# (22 events), Responses 4 lifecycle/announce events + 20 deltas + 4 done/completed events (28 events, the
# lifecycle ones repeating the response object). 1 connection (added latency) and 32 (throughput under
# contention). Loopback only. Needs dist/llm-proxy.jar (mvn -B package -DskipTests) and wrk (bench/install-wrk.sh).
#
#   bench/responses-overhead.sh              # ~3 min
#   DURATION=20 bench/responses-overhead.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-15}
MOCK_PORT=${MOCK_PORT:-18810}
PROXY_PORT=${PROXY_PORT:-18811}
OUT=bench/results
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk not found: run bench/install-wrk.sh" >&2; exit 1; }
[ -f dist/llm-proxy.jar ] || { echo "dist/llm-proxy.jar not found: mvn -B package -DskipTests" >&2; exit 1; }
cp dist/llm-proxy.jar "$OUT/responses-under-bench.jar"
JAR="$OUT/responses-under-bench.jar"

PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true' EXIT

java -Xms256m -Xmx256m -cp "$JAR" bench/MockUpstreamServer.java "$MOCK_PORT" 20 > "$OUT/responses-mock.log" 2>&1 &
PIDS+=($!)
cat > "$OUT/responses.yaml" <<YAML
listen: "127.0.0.1:$PROXY_PORT"
proxy: {watch_interval: 0}
backends: [{name: mock, url: "http://127.0.0.1:$MOCK_PORT/v1", api_key: bench-key}]
models: {echo: [{backend: mock, model: bench}]}
YAML
java -Xms512m -Xmx512m -Dlogback.configurationFile=bench/logback-bench.xml -jar "$JAR" -config "$OUT/responses.yaml" \
  > "$OUT/responses-proxy.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PROXY_PORT/health" >/dev/null 2>&1 \
    && curl -fs -o /dev/null -X POST "http://127.0.0.1:$MOCK_PORT/v1/responses" -d '{}' 2>/dev/null && break
  sleep 0.2
done

run() {  # $1 = label, $2 = port, $3 = connections, $4 = stream (0/1), $5 = lua, $6 = path; prints "req/s p50 p99"
  STREAM=$4 wrk -t1 -c"$3" -d"${DURATION}s" --latency -s "bench/$5" "http://127.0.0.1:$2$6" > "$OUT/responses.$1.txt"
  awk '/Requests\/sec/ {rps = $2} /^ +50%/ {p50 = $2} /^ +99%/ {p99 = $2} END {printf "%.0f %s %s\n", rps, p50, p99}' \
    "$OUT/responses.$1.txt"
}

for kind in overhead.lua:/v1/chat/completions post-responses.lua:/v1/responses; do
  for stream in 0 1; do
    STREAM=$stream wrk -t1 -c32 -d"${WARMUP}s" -s "bench/${kind%%:*}" "http://127.0.0.1:$PROXY_PORT${kind#*:}" \
      > /dev/null
  done
done

echo "### Routed Responses API vs chat completions: ${DURATION}s wrk runs, direct to the mock vs through llm-proxy"
echo
printf '| request | connections | direct req/s | proxied req/s | direct p50 / p99 | proxied p50 / p99 |\n'
printf '|---|---|---|---|---|---|\n'
for kind in "chat:overhead.lua:/v1/chat/completions" "responses:post-responses.lua:/v1/responses"; do
  name=${kind%%:*}; rest=${kind#*:}; lua=${rest%%:*}; path=${rest#*:}
  for stream in 0 1; do
    for conns in 1 32; do
      read -r d_rps d_p50 d_p99 < <(run "direct.$name.$stream.$conns" "$MOCK_PORT" "$conns" "$stream" "$lua" "$path")
      read -r p_rps p_p50 p_p99 < <(run "proxied.$name.$stream.$conns" "$PROXY_PORT" "$conns" "$stream" "$lua" "$path")
      label="$name $([ "$stream" = 1 ] && echo stream || echo non-stream)"
      printf '| %s | %s | %s | %s | %s / %s | %s / %s |\n' "$label" "$conns" "$d_rps" "$p_rps" "$d_p50" "$d_p99" \
        "$p_p50" "$p_p99"
    done
  done
done
