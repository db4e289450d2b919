#!/usr/bin/env bash
# How much memory the proxy needs, to choose its JVM heap (-Xmx) in dist/llm-proxy and dist/llm-proxy.service.
# For each JVM setting: start the proxy in front of bench/MockUpstreamServer.java, warm it up, then run, in order,
# idle, non-stream load (32 connections), stream load (256 connections, 20 chunks each) and big-body load
# (BIG_CONNS connections, default 32, 1 MiB prompts), recording throughput, non-2xx answers and the process' peak RSS (VmHWM)
# after each phase. Loopback only. Needs dist/llm-proxy.jar and wrk.
#
#   bench/memory-bench.sh                                  # ~6 min
#   SETTINGS="-Xmx256m|-Xmx512m" DURATION=20 bench/memory-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-10}
MOCK_PORT=${MOCK_PORT:-18810}
PROXY_PORT=${PROXY_PORT:-18811}
BIG_CONNS=${BIG_CONNS:-32}
# One JVM setting per entry, separated by "|"; "default" means no heap flag (the JVM takes 1/4 of the RAM).
SETTINGS=${SETTINGS:-"-Xmx128m|-Xmx256m|-Xmx512m|default|-Xmx256m -XX:+UseSerialGC"}
OUT=bench/results
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk not found: run bench/install-wrk.sh" >&2; exit 1; }
[ -f dist/llm-proxy.jar ] || { echo "dist/llm-proxy.jar not found: mvn -B package -DskipTests" >&2; exit 1; }
cp dist/llm-proxy.jar "$OUT/memory-under-bench.jar"
JAR="$OUT/memory-under-bench.jar"

PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true' EXIT

java -Xms256m -Xmx256m -cp "$JAR" bench/MockUpstreamServer.java "$MOCK_PORT" 20 > "$OUT/memory-mock.log" 2>&1 &
PIDS+=($!)
cat > "$OUT/memory.yaml" <<YAML
listen: "127.0.0.1:$PROXY_PORT"
proxy: {watch_interval: 0}
backends: [{name: mock, url: "http://127.0.0.1:$MOCK_PORT/v1", api_key: bench-key}]
models: {echo: [{backend: mock, model: bench}]}
logging: {base_dir: "", console_level: warn}
YAML

peak_mib() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

load() {  # $1 = label, $2 = connections, $3 = script, rest = env; prints "req/s non2xx"
  local label=$1 conns=$2 script=$3
  shift 3
  env "$@" wrk -t1 -c"$conns" -d"${DURATION}s" -s "$script" "http://127.0.0.1:$PROXY_PORT/v1/chat/completions" \
    > "$OUT/memory.$label.txt" 2>&1 || true
  awk '/Requests\/sec/ {rps = $2} /Non-2xx/ {bad = $5} /Socket errors/ {err = $0}
       END {printf "%.0f %d\n", rps, bad + 0}' "$OUT/memory.$label.txt"
}

echo "### Memory: peak RSS (MiB) after each phase, and throughput (req/s); load average $(cut -d' ' -f1 /proc/loadavg) at start"
echo
echo "| JVM setting | RSS after warm-up | non-stream req/s (non-2xx) | RSS | stream req/s (non-2xx) | RSS | 1 MiB body x $BIG_CONNS req/s (non-2xx) | RSS |"
echo "|---|---|---|---|---|---|---|---|"
IFS='|' read -r -a settings <<< "$SETTINGS"
for setting in "${settings[@]}"; do
  flags=$([ "$setting" = default ] && echo "" || echo "$setting")
  label=$(echo "$setting" | tr -c 'A-Za-z0-9\n' '_')
  # shellcheck disable=SC2086  # the flags are several words on purpose
  java $flags -jar "$JAR" -config "$OUT/memory.yaml" > "$OUT/memory-proxy.$label.log" 2>&1 &
  proxy=$!
  for _ in $(seq 1 150); do
    curl -fs "http://127.0.0.1:$PROXY_PORT/health" >/dev/null 2>&1 && break
    sleep 0.2
  done
  STREAM=0 wrk -t1 -c32 -d"${WARMUP}s" -s bench/overhead.lua "http://127.0.0.1:$PROXY_PORT/v1/chat/completions" >/dev/null
  idle=$(peak_mib "$proxy")
  read -r ns_rps ns_bad < <(load "$label.nonstream" 32 bench/overhead.lua STREAM=0)
  ns_rss=$(peak_mib "$proxy")
  read -r st_rps st_bad < <(load "$label.stream" 256 bench/overhead.lua STREAM=1)
  st_rss=$(peak_mib "$proxy")
  read -r big_rps big_bad < <(load "$label.bigbody" "$BIG_CONNS" bench/big-body.lua KB=1024)
  big_rss=$(peak_mib "$proxy")
  alive=$(kill -0 "$proxy" 2>/dev/null && echo "" || echo " (proxy died)")
  printf '| `%s`%s | %s | %s (%s) | %s | %s (%s) | %s | %s (%s) | %s |\n' "$setting" "$alive" "$idle" \
    "$ns_rps" "$ns_bad" "$ns_rss" "$st_rps" "$st_bad" "$st_rss" "$big_rps" "$big_bad" "$big_rss"
  kill "$proxy" 2>/dev/null || true
  wait "$proxy" 2>/dev/null || true
done
