#!/usr/bin/env bash
# Profiles llm-proxy under one kind of load, after a warm-up, and prints the hottest methods: self time (top
# frame) and the proxy's own methods inclusive. With ASYNC_PROFILER=<path of libasyncProfiler.so> (from the
# Maven Central artifact tools.profiler:async-profiler:4.0:jar:linux-x64, unzipped) it samples CPU time, native
# and kernel frames included (JFR's execution samples see only threads running Java code); else JFR.
#
#   bench/profile.sh nonstream        # c=64 small chat completions
#   bench/profile.sh big              # c=8, 1 MiB prompts
#   bench/profile.sh stream           # c=32 streams of 20 chunks (bench/overhead.lua)
#   bench/profile.sh streams          # many paced streams at once (bench/StreamLoad.java; STREAMS="3000 5 30 200")
# Same placement as bench/compare.sh (servers on CPU 0, wrk on CPU 1). The recording stays in
# bench/results/profile.<kind>.jfr (open it in JDK Mission Control, or `jfr print`).
set -euo pipefail
cd "$(dirname "$0")/.."

KIND=${1:-nonstream}
WARMUP=${WARMUP:-40}
SECONDS_RECORDED=${SECONDS_RECORDED:-30}
MOCK_PORT=${MOCK_PORT:-18910}
PROXY_PORT=${PROXY_PORT:-18911}
OUT=bench/results
mkdir -p "$OUT/profile-proxy"
cp -p dist/llm-proxy.jar "$OUT/profile.jar"
JAR=$OUT/profile.jar

PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true' EXIT
taskset -c 0 java -Xms256m -Xmx256m -cp "$JAR" bench/MockUpstreamServer.java "$MOCK_PORT" 20 > "$OUT/profile.mock.log" 2>&1 &
PIDS+=($!)
ulimit -n "$(ulimit -Hn)"
cat > "$OUT/profile-proxy/config.yaml" <<YAML
listen: "127.0.0.1:$PROXY_PORT"
proxy: {watch_interval: 0}
server: {max_connections: 20000}
backends: [{name: mock, url: "http://127.0.0.1:$MOCK_PORT/v1", api_key: bench-key}]
models: {echo: [{backend: mock, model: bench}]}
YAML
LLM_PROXY_JAR=$JAR taskset -c 0 dist/llm-proxy -config "$OUT/profile-proxy/config.yaml" > "$OUT/profile.proxy.log" 2>&1 &
PROXY=$!
PIDS+=("$PROXY")
for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$PROXY_PORT/health" && break; sleep 0.1; done

URL="http://127.0.0.1:$PROXY_PORT/v1/chat/completions"
drive() {  # $1 = seconds
  case $KIND in
    nonstream) taskset -c 1 wrk -t1 -c64 -d"$1s" -s bench/compare.lua "$URL" ;;
    big) KB=1024 taskset -c 1 wrk -t1 -c8 -d"$1s" -s bench/compare.lua "$URL" ;;
    stream) STREAM=1 taskset -c 1 wrk -t1 -c32 -d"$1s" -s bench/overhead.lua "$URL" ;;
    streams)  # one round of STREAMS (streams, ramp s, chunks, ms apart); $1 is ignored
      # shellcheck disable=SC2086
      taskset -c 1 java -cp "$JAR" bench/StreamLoad.java "$URL" ${STREAMS:-3000 5 30 200} | grep '^streams=' ;;
  esac
}
drive "$WARMUP" > /dev/null
if [ -n "${ASYNC_PROFILER:-}" ]; then
  jcmd "$PROXY" JVMTI.agent_load "$ASYNC_PROFILER" "\"start,event=cpu,interval=1ms\"" > /dev/null
  drive "$SECONDS_RECORDED" | grep -E "Requests/sec|RESULT|streams="
  jcmd "$PROXY" JVMTI.agent_load "$ASYNC_PROFILER" "\"stop,file=$PWD/$OUT/profile.$KIND.collapsed,collapsed\"" > /dev/null
  python3 bench/jfr-top.py --collapsed "$OUT/profile.$KIND.collapsed"
  exit 0
fi
jcmd "$PROXY" JFR.start name=bench settings=profile filename="$PWD/$OUT/profile.$KIND.jfr" > /dev/null
drive "$SECONDS_RECORDED" | grep -E "Requests/sec|RESULT"
jcmd "$PROXY" JFR.stop name=bench > /dev/null
jfr print --events jdk.ExecutionSample --stack-depth 40 "$OUT/profile.$KIND.jfr" > "$OUT/profile.$KIND.samples.txt"
python3 bench/jfr-top.py "$OUT/profile.$KIND.samples.txt"
