#!/usr/bin/env bash
# Runs the network benchmark with the project's Node (see bench.mjs):
#   bench/network/run.sh [--rounds=5] [--mib=512] [--conns=500] [--runs=15] [--concurrency=8]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="$root/.toolchain/bin:$PATH"
exec node "$root/bench/network/bench.mjs" "$@"
