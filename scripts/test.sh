#!/usr/bin/env bash
# Runs every test (unit and integration) with vitest and prints, as its last
# line, "N passed, N failed" computed from vitest's JSON report.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/.toolchain/bin:$PATH"
mkdir -p test-results
rm -f test-results/vitest.json
./node_modules/.bin/vitest run --reporter=default --reporter=json \
  --outputFile.json=test-results/vitest.json "$@"
node scripts/test-summary.mjs test-results/vitest.json
