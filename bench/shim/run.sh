#!/usr/bin/env bash
# Runs the shim benchmark with the project's Node (see bench.mjs).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="$root/.toolchain/bin:$PATH"
exec node "$root/bench/shim/bench.mjs" "$@"
