#!/bin/sh
# llm-proxy launcher, installed by `llm-proxy --setup`; `llm-proxy --uninstall` removes it.
# Generated from src/main/resources/install/llm-proxy.sh: finds the jar like dist/llm-proxy does
# ($LLM_PROXY_JAR, else next to this script, else ../share/llm-proxy/llm-proxy.jar) and starts the server with
# the same JVM flags. The client commands (--env runs in every new shell) start a small, quick JVM instead.
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
jar=${LLM_PROXY_JAR:-}
if [ -z "$jar" ] && [ -f "$here/llm-proxy.jar" ]; then jar=$here/llm-proxy.jar; fi
if [ -z "$jar" ]; then jar=$here/../share/llm-proxy/llm-proxy.jar; fi
java=${JAVA:-@JAVA@}
[ -x "$java" ] || java=java
# Class data sharing (CDS): the classes a serving proxy loaded are archived when its JVM exits the first time
# (e.g. `systemctl restart`), and every later start maps them from the archive instead of loading and checking
# them again: a faster start and first requests (docs/benchmarks.md, "Warm-up"). The archive lives in the
# service's cache directory ($CACHE_DIRECTORY, systemd's CacheDirectory=), else ${XDG_CACHE_HOME:-~/.cache}/llm-proxy,
# named after the jar's and the java binary's size and time, so a new jar or JDK makes a new one (older ones are
# removed then). Not for one-shot commands (--version, --validate, --help). LLM_PROXY_CDS=0 turns it off.
cds_options() {
  [ "${LLM_PROXY_CDS:-1}" = 0 ] && return 0
  for arg in "$@"; do
    case $arg in --version|-version|--validate|-validate|--help|-help|-h) return 0 ;; esac
  done
  java_path=$(command -v "$java" 2>/dev/null) || return 0
  jar_stamp=$(stat -L -c '%s-%Y' "$jar" 2>/dev/null) || return 0
  java_stamp=$(stat -L -c '%s-%Y' "$java_path" 2>/dev/null) || return 0
  cache=${CACHE_DIRECTORY:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/llm-proxy}
  case $cache in *" "*) return 0 ;; esac  # the options are split on spaces
  mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] || return 0
  archive=$cache/llm-proxy-$jar_stamp-$java_stamp.jsa
  if [ -f "$archive" ]; then
    echo "-XX:SharedArchiveFile=$archive"
  else
    rm -f "$cache"/llm-proxy-*.jsa
    echo "-XX:ArchiveClassesAtExit=$archive"
  fi
}

case "${1:-}" in
  --env|--status|--setup|--setup-shell|--uninstall)
    exec "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -jar "$jar" "$@" ;;
esac
# The server's JVM options are dist/llm-proxy's (docs/operations.md, "JVM memory"); LLM_PROXY_JAVA_OPTS adds to them.
cds=$(cds_options "$@")
exec "$java" -Xms192m -Xmx512m -Xmn128m -XX:+UseSerialGC -Xlog:disable -Xlog:all=warning:stderr \
  -XX:+ExitOnOutOfMemoryError $cds $LLM_PROXY_JAVA_OPTS -jar "$jar" "$@"
