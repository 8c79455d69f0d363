#!/usr/bin/env bash
# Runs the containerd benchmark with the project's Node (see bench.mjs):
#   bench/containerd/run.sh [N=20] [C=20] [--no-pull]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="$root/.toolchain/bin:$PATH"
exec node "$root/bench/containerd/bench.mjs" "$@"
