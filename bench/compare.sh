#!/usr/bin/env bash
# llm-proxy side by side with nginx, the practical ceiling of an L7 proxy on this machine. One command:
#
#   mvn -B package -DskipTests && bench/compare.sh            # ~6 min
#   PARTS="nonstream streams" bench/compare.sh                 # only some parts (warmup nonstream big streams)
#
# What runs (all on 127.0.0.1): the mock upstream (bench/MockUpstreamServer.java), nginx as a plain reverse proxy
# (one worker, upstream keepalive, no response buffering so streams pass chunk by chunk, access log on as nginx
# ships it) and llm-proxy (dist/llm-proxy.jar started by the launcher dist/llm-proxy with its JVM flags and its
# class-data-sharing archive, made by the first run of a jar; logging as configured by default: JSON files in
# logs/ plus the console). The servers share CPU $SERVER_CPU; the load
# generators (wrk, bench/StreamLoad.java) run on CPU $LOAD_CPU. CPU time per request is read from
# /proc/<pid>/stat of each server (nginx: master + worker; direct: the mock's own), RSS from /proc/<pid>/status.
#
# Parts, in order:
#   warmup     the proxy starts cold: req/s per second for WARMUP_CURVE s of c=64 load, and the second at which it
#              first reaches 80 % of its steady rate (the median of the last 10 s); then the rest of the warm-up
#              (WARMUP s in all, streams and large prompts included) so the later parts measure a warm JVM
#   nonstream  c=CONNS and c=1, DURATION s each: direct to the mock, through nginx, through llm-proxy
#   big        1 KiB and 1 MiB prompts (c=BIG_CONNS) through nginx and llm-proxy: CPU per request
#   streams    STREAMS_SMALL and STREAMS_LARGE concurrent streams (StreamLoad): time to first chunk, total time,
#              how late each chunk arrived (the mock stamps it when written), lost streams, peak RSS
# Installs wrk and nginx from Debian if they are missing. Raw outputs: bench/results/compare.*.
set -euo pipefail
cd "$(dirname "$0")/.."

PARTS=${PARTS:-"warmup nonstream big streams"}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-60}
WARMUP_CURVE=${WARMUP_CURVE:-30}
CONNS=${CONNS:-64}
BIG_CONNS=${BIG_CONNS:-8}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
# Small: the issue's shape (20 chunks 50 ms apart, opened over 1 s). Large: all held at once for 5 s. Each
# proxied stream takes two file descriptors in the proxy (client and upstream socket): with this machine's hard
# limit of 20,000 open files per process (`ulimit -Hn`, not raisable here) no proxy, nginx included, can hold
# 10,000 (nginx: "20000 worker_connections are not enough"), so the large shape defaults to 9,500.
STREAMS_SMALL=${STREAMS_SMALL:-"1000 1 20 50"}     # streams, ramp seconds, chunks, ms between chunks
STREAMS_LARGE=${STREAMS_LARGE:-"9500 10 30 500"}
MOCK_PORT=${MOCK_PORT:-18900}
NGINX_PORT=${NGINX_PORT:-18901}
PROXY_PORT=${PROXY_PORT:-18902}
OUT=bench/results
mkdir -p "$OUT"

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
[ -f dist/llm-proxy.jar ] || { echo "dist/llm-proxy.jar not found: mvn -B package -DskipTests" >&2; exit 1; }
cp -p dist/llm-proxy.jar "$OUT/compare.jar"  # -p: the same jar keeps its class-data-sharing archive
JAR=$OUT/compare.jar
ulimit -n "$(ulimit -Hn)"
TICK=$(getconf CLK_TCK)

PIDS=()
cleanup() {
  [ -f "$OUT/nginx/nginx.pid" ] && kill "$(cat "$OUT/nginx/nginx.pid")" 2>/dev/null
  kill "${PIDS[@]}" 2>/dev/null || true
  # The proxy writes its class-data-sharing archive as it exits (first run of a jar): wait, so the next run's ports
  # and archive are free.
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  done
}
trap cleanup EXIT

load() { cut -d' ' -f1-3 /proc/loadavg; }
on_load() { taskset -c "$LOAD_CPU" "$@"; }
ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
rss_mib() { local k=0 p; for p in "$@"; do k=$((k + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status"))); done; echo $((k / 1024)); }
peak_mib() { local k=0 p; for p in "$@"; do k=$((k + $(awk '/^VmHWM/ {print $2}' "/proc/$p/status"))); done; echo $((k / 1024)); }
reset_peak() { local p; for p in "$@"; do echo 5 > "/proc/$p/clear_refs" 2>/dev/null || true; done; }
wait_http() { for _ in $(seq 1 300); do curl -fs -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }

# --- servers ------------------------------------------------------------------------------------------------
taskset -c "$SERVER_CPU" java -Xms256m -Xmx256m -cp "$JAR" bench/MockUpstreamServer.java "$MOCK_PORT" 20 > "$OUT/compare.mock.log" 2>&1 &
MOCK=$!
PIDS+=("$MOCK")

mkdir -p "$OUT/nginx"
cat > "$OUT/nginx/nginx.conf" <<NGINX
worker_processes 1;
worker_rlimit_nofile $(ulimit -Hn);
pid $PWD/$OUT/nginx/nginx.pid;
error_log $PWD/$OUT/nginx/error.log warn;
events { worker_connections $(ulimit -Hn); }
http {
  access_log $PWD/$OUT/nginx/access.log;
  client_body_temp_path $PWD/$OUT/nginx/body;
  proxy_temp_path $PWD/$OUT/nginx/proxy;
  fastcgi_temp_path $PWD/$OUT/nginx/fastcgi;
  uwsgi_temp_path $PWD/$OUT/nginx/uwsgi;
  scgi_temp_path $PWD/$OUT/nginx/scgi;
  client_max_body_size 8m;
  client_body_buffer_size 2m;
  keepalive_requests 1000000;
  upstream mock { server 127.0.0.1:$MOCK_PORT; keepalive 256; }
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 300s;
    }
  }
}
NGINX
taskset -c "$SERVER_CPU" nginx -c "$PWD/$OUT/nginx/nginx.conf" -p "$PWD/$OUT/nginx" -e "$PWD/$OUT/nginx/error.log"

rm -rf "$OUT/compare-proxy"
mkdir -p "$OUT/compare-proxy"
cat > "$OUT/compare-proxy/config.yaml" <<YAML
listen: "127.0.0.1:$PROXY_PORT"
proxy: {watch_interval: 0}
server: {max_connections: 20000}   # the default 4096 would refuse the large stream run
backends: [{name: mock, url: "http://127.0.0.1:$MOCK_PORT/v1", api_key: bench-key}]
models: {echo: [{backend: mock, model: bench}]}
YAML
LLM_PROXY_JAR=$JAR taskset -c "$SERVER_CPU" dist/llm-proxy -config "$OUT/compare-proxy/config.yaml" > "$OUT/compare.proxy.log" 2>&1 &
PROXY=$!
PIDS+=("$PROXY")

wait_http "http://127.0.0.1:$PROXY_PORT/health" || { echo "llm-proxy did not start" >&2; exit 1; }
for _ in $(seq 1 100); do
  curl -fs -o /dev/null -X POST "http://127.0.0.1:$MOCK_PORT/v1/chat/completions" -d '{}' 2>/dev/null && break
  sleep 0.1
done
wait_http "http://127.0.0.1:$NGINX_PORT/v1/models" || true
NGINX_PIDS=("$(cat "$OUT/nginx/nginx.pid")")
mapfile -t -O 1 NGINX_PIDS < <(pgrep -P "${NGINX_PIDS[0]}")

url() { echo "http://127.0.0.1:$1/v1/chat/completions"; }
pids_of() { case $1 in direct) echo "$MOCK" ;; nginx) echo "${NGINX_PIDS[*]}" ;; llm-proxy) echo "$PROXY" ;; esac; }
port_of() { case $1 in direct) echo "$MOCK_PORT" ;; nginx) echo "$NGINX_PORT" ;; llm-proxy) echo "$PROXY_PORT" ;; esac; }

# One wrk run against $1 (direct | nginx | llm-proxy) with $2 connections for $3 seconds, env after that.
# Prints: requests req/s p50 p99 p99.9 non2xx errors cpu_us_per_request
measure() {
  local target=$1 conns=$2 seconds=$3
  shift 3
  # shellcheck disable=SC2046
  local pids=($(pids_of "$target")) before after
  before=$(ticks "${pids[@]}")
  env "$@" taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d"${seconds}s" -s bench/compare.lua "$(url "$(port_of "$target")")" \
    > "$OUT/compare.wrk.txt" 2>&1
  after=$(ticks "${pids[@]}")
  awk -v cpu=$((after - before)) -v tick="$TICK" '/^RESULT/ {
      printf "%d %d %d %d %d %d %d %.1f\n", $2, $3, $4, $5, $6, $7, $8, ($2 > 0 ? cpu * 1e6 / tick / $2 : 0) }' \
    "$OUT/compare.wrk.txt"
}

us() { awk -v u="$1" 'BEGIN { if (u >= 1000) printf "%.2f ms", u / 1000; else printf "%d µs", u }'; }

echo "## bench/compare.sh, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
echo "Servers on CPU $SERVER_CPU, load generators on CPU $LOAD_CPU; $(nproc) CPUs; load average at start: $(load)."
echo "JVM options of the launcher: $(sed -n 's/^DEFAULT_JAVA_OPTS="\(.*\)"/\1/p' dist/llm-proxy)"
echo

# --- warm-up --------------------------------------------------------------------------------------------------
warm_rest() {
  local left=$1
  env STREAM=1 taskset -c "$LOAD_CPU" wrk -t1 -c32 -d"$((left / 4 + 1))s" -s bench/overhead.lua "$(url "$PROXY_PORT")" >/dev/null
  on_load java -cp "$JAR" bench/StreamLoad.java "$(url "$PROXY_PORT")" 500 1 20 20 > /dev/null
  measure llm-proxy "$BIG_CONNS" "$((left / 8 + 1))" KB=1024 > /dev/null
  measure llm-proxy "$CONNS" "$((left / 2 + 1))" > /dev/null
  measure nginx "$CONNS" 5 > /dev/null
  measure direct "$CONNS" 5 > /dev/null
}
if [[ " $PARTS " == *" warmup "* ]]; then
  echo "### Warm-up: llm-proxy from a cold start, c=$CONNS (load average $(load))"
  echo
  env PER_SECOND=1 taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"${WARMUP_CURVE}s" -s bench/compare.lua \
    "$(url "$PROXY_PORT")" > "$OUT/compare.warmup.txt" 2>&1
  awk '/^PER_SECOND/ {
      n = NF - 2; for (i = 2; i < NF; i++) s[i - 1] = $i  # the last second is partial
      m = 0; for (i = n - 9; i <= n; i++) if (i >= 1) tail[++m] = s[i]
      for (i = 2; i <= m; i++) { v = tail[i]; for (j = i - 1; j >= 1 && tail[j] > v; j--) tail[j + 1] = tail[j]; tail[j + 1] = v }
      steady = tail[int((m + 1) / 2)]
      first = -1; for (i = 1; i <= n; i++) if (first < 0 && s[i] >= 0.8 * steady) first = i
      line = ""; for (i = 1; i <= n; i++) line = line (i > 1 ? " " : "") s[i]
      printf "req/s in each second: %s\n\nsteady (median of the last 10 s): %d req/s; 80 %% of it first reached in second %d\n", line, steady, first
    }' "$OUT/compare.warmup.txt"
  echo
  warm_rest $((WARMUP > WARMUP_CURVE ? WARMUP - WARMUP_CURVE : 10))
else
  warm_rest "$WARMUP"
fi

# --- non-stream -----------------------------------------------------------------------------------------------
if [[ " $PARTS " == *" nonstream "* ]]; then
  echo "### Non-stream chat completion (~590 B answer), ${DURATION} s per run (load average $(load))"
  echo
  echo "| target | req/s c=$CONNS | × nginx | p50 / p99 / p99.9 c=$CONNS | CPU µs/req | c=1 req/s | c=1 p50 / p99 | RSS MiB |"
  echo "|---|---|---|---|---|---|---|---|"
  declare -A rps row
  for target in direct nginx llm-proxy; do
    read -r _ r p50 p99 p999 bad err cpu < <(measure "$target" "$CONNS" "$DURATION")
    read -r _ r1 q50 q99 _ bad1 err1 _ < <(measure "$target" 1 "$DURATION")
    rps[$target]=$r
    # shellcheck disable=SC2046
    rss=$([ "$target" = direct ] && echo "–" || rss_mib $(pids_of "$target"))
    errs=$([ $((bad + err + bad1 + err1)) -gt 0 ] && echo " ($((bad + err + bad1 + err1)) errors)" || echo "")
    row[$target]="| $target$errs | $r | RATIO | $(us "$p50") / $(us "$p99") / $(us "$p999") | $cpu | $r1 | $(us "$q50") / $(us "$q99") | $rss |"
  done
  for target in direct nginx llm-proxy; do
    ratio=$(awk -v a="${rps[$target]}" -v b="${rps[nginx]}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "–" }')
    echo "${row[$target]/RATIO/$ratio}"
  done
  echo
  echo "(direct: \"CPU µs/req\" is the mock's own; the mock shares CPU $SERVER_CPU with the proxy under test. Load average after: $(load).)"
  echo
fi

# --- large prompts --------------------------------------------------------------------------------------------
if [[ " $PARTS " == *" big "* ]]; then
  echo "### Large prompts: CPU per request, c=$BIG_CONNS, ${DURATION} s per run (load average $(load))"
  echo
  echo "| target | 1 KiB prompt: req/s | CPU µs/req | 1 MiB prompt: req/s | CPU µs/req |"
  echo "|---|---|---|---|---|"
  declare -A small large
  for target in nginx llm-proxy; do
    read -r _ r1 _ _ _ bad1 err1 c1 < <(measure "$target" "$BIG_CONNS" "$DURATION" KB=1)
    read -r _ r2 _ _ _ bad2 err2 c2 < <(measure "$target" "$BIG_CONNS" "$DURATION" KB=1024)
    small[$target]=$c1
    large[$target]=$c2
    errs=$([ $((bad1 + err1 + bad2 + err2)) -gt 0 ] && echo " ($((bad1 + err1 + bad2 + err2)) errors)" || echo "")
    echo "| $target$errs | $r1 | $c1 | $r2 | $c2 |"
  done
  echo
  awk -v ns="${small[nginx]}" -v nl="${large[nginx]}" -v ps="${small[llm-proxy]}" -v pl="${large[llm-proxy]}" 'BEGIN {
      copy = nl - ns
      printf "The byte copy of 1 MiB (what nginx pays for it): %.0f µs. llm-proxy beyond that copy: %.0f µs for a 1 MiB\n", copy, pl - copy
      printf "prompt against %.0f µs for a 1 KiB one: %.2f ×.\n", ps, (pl - copy) / ps }'
  echo
fi

# --- streams --------------------------------------------------------------------------------------------------
stream_run() {  # $1 = target, rest = StreamLoad arguments; prints the result line with peak_rss_mib appended
  local target=$1
  shift
  # shellcheck disable=SC2046
  local pids=($(pids_of "$target"))
  reset_peak "${pids[@]}"
  local line
  line=$(on_load java -Xmx1g -cp "$JAR" bench/StreamLoad.java "$(url "$(port_of "$target")")" "$@" 2>&1 | grep '^streams=' | tail -n 1)
  echo "$line peak_rss_mib=$([ "$target" = direct ] && echo "–" || peak_mib "${pids[@]}")"
}
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<< "$2"; }

if [[ " $PARTS " == *" streams "* ]]; then
  echo "### Streams (load average $(load))"
  echo
  echo "| streams | target | TTFC p50 / p99 ms | total p50 / p99 ms | total p99 vs direct | chunk delay p50 / p99 / max ms | lost | peak RSS MiB |"
  echo "|---|---|---|---|---|---|---|---|"
  for shape in "$STREAMS_SMALL" "$STREAMS_LARGE"; do
    read -r n ramp chunks gap <<< "$shape"
    direct_p99=
    for target in direct nginx llm-proxy; do
      line=$(stream_run "$target" "$n" "$ramp" "$chunks" "$gap")
      echo "$target $shape $line" >> "$OUT/compare.streams.txt"
      p99=$(field total_p99 "$line")
      [ "$target" = direct ] && direct_p99=$p99
      vs=$(awk -v a="$p99" -v b="$direct_p99" 'BEGIN { if (a == "-" || b == "") print "–"; else printf "%+.0f ms", a - b }')
      lost=$(field lost "$line")
      [ "$(field unfinished "$line")" != 0 ] && lost="$lost (unfinished)"
      echo "| $n ($chunks × ${gap} ms, opened over ${ramp} s) | $target | $(field ttfc_p50 "$line") / $(field ttfc_p99 "$line") |" \
        "$(field total_p50 "$line") / $p99 | $vs | $(field chunk_delay_p50 "$line") / $(field chunk_delay_p99 "$line") /" \
        "$(field chunk_delay_max "$line") | $lost | $(field peak_rss_mib "$line") |"
      sleep 2
    done
  done
  echo
  echo "(Load average after: $(load). Raw lines: $OUT/compare.streams.txt.)"
fi
