#!/usr/bin/env bash
# Writes bin/<program>: a small launcher that runs a package's built entry with the
# project's Node (../shared/design.md: the five programs are runnable from bin/).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$root/bin"
node_bin="$(readlink -f "$root/.toolchain/bin/node")"
# NODE_COMPILE_CACHE keeps V8's compiled code between runs (Node 22+): runc-style
# programs are started once per operation, so start-up time is their latency.
launcher() {
  local name="$1" entry="$2"
  [ -f "$root/$entry" ] || return 0
  cat > "$root/bin/$name" <<SH
#!/bin/sh
NODE_COMPILE_CACHE="$root/.toolchain/compile-cache" exec "$node_bin" "$root/$entry" "\$@"
SH
  chmod +x "$root/bin/$name"
}
launcher berth-runc packages/runc/dist/berth-runc.mjs
launcher berth-containerd packages/containerd/dist/main.js
launcher berth-shim packages/shim/dist/berth-shim.mjs
launcher berth packages/cli/dist/berth.mjs
launcher berthd packages/dockerd/dist/main.js
