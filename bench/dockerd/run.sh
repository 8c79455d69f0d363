#!/usr/bin/env bash
# Runs the dockerd benchmark with the project's Node (see bench.mjs):
#   bench/dockerd/run.sh [N=20] [C=50] [--no-pull | --only-pull] [--rounds=3] [--cpu-prof=DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="$root/.toolchain/bin:$PATH"
exec node "$root/bench/dockerd/bench.mjs" "$@"
