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
case "${1:-}" in
  --env|--status|--setup|--setup-shell|--uninstall)
    exec "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -jar "$jar" "$@" ;;
esac
exec "$java" -Xms64m -Xmx512m -XX:+ExitOnOutOfMemoryError $LLM_PROXY_JAVA_OPTS -jar "$jar" "$@"
