#!/usr/bin/env bash
# Builds the addon against the project's Node headers (.toolchain/nodedir),
# incrementally: configure once, then `make` rebuilds only what changed, and a
# running program never sees the .node file disappear mid-build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
nodedir="$(cat ../../../.toolchain/nodedir)"
gyp="../node_modules/.bin/node-gyp"
if [ ! -f build/Makefile ] || [ binding.gyp -nt build/Makefile ] || [ ! -f build/config.gypi ] || ! grep -q "\"nodedir\": \"$nodedir\"" build/config.gypi; then
  "$gyp" configure --silent --nodedir="$nodedir"
fi
"$gyp" build --silent --nodedir="$nodedir" >/dev/null
