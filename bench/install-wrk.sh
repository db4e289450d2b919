#!/usr/bin/env bash
# Installs wrk (HTTP load generator) from Debian packages. Only the benchmarks need it; the tests do not.
set -euo pipefail
if command -v wrk >/dev/null; then
  echo "wrk already installed: $(command -v wrk)"
  exit 0
fi
apt-get update -qq
apt-get install -y -qq wrk
