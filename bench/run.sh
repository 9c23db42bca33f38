#!/usr/bin/env bash
# npm run bench: installs what the benchmark needs and is missing (nginx and wrk from Debian, Portkey from the
# lockfile), then runs bench/bench.ts, which writes bench/RESULTS.md. Arguments pass through (--only aisbf,portkey).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH:/usr/sbin"

missing=()
command -v nginx > /dev/null || missing+=(nginx)
command -v wrk > /dev/null || missing+=(wrk)
command -v taskset > /dev/null || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get > /dev/null && [ "$(id -u)" = 0 ]; then
    echo "bench: installing ${missing[*]} from Debian" >&2
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" > /dev/null || true
  else
    echo "bench: ${missing[*]} missing and cannot be installed here (need root and apt-get); those peers are reported missing" >&2
  fi
fi
command -v wrk > /dev/null || { echo "bench: wrk is required" >&2; exit 1; }
command -v taskset > /dev/null || { echo "bench: taskset is required" >&2; exit 1; }
[ -f node_modules/@portkey-ai/gateway/build/start-server.js ] || npm ci --no-audit --no-fund > /dev/null || true

# wrk at 512 connections and the streaming client at 2048 streams need descriptors.
ulimit -n 65536 2> /dev/null || ulimit -n "$(ulimit -Hn)"
exec bun bench/bench.ts "$@"
