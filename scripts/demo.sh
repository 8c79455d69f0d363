#!/usr/bin/env bash
# The main job, end to end: a bundle from the busybox rootfs the project builds
# itself, run by berth-runc (the daemons above it come with issues #3 and #4).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d /tmp/berth-demo.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bundle"
cp -a "$root/images/busybox/rootfs" "$work/bundle/rootfs"
cd "$work/bundle"
"$root/bin/berth-runc" spec
# Not a terminal: the demo may run without one. Show what the container sees.
sed -i 's/"terminal": true/"terminal": false/; s/^\(\s*\)"sh"$/\1"sh", "-c", "echo hello from a berth container; echo hostname: $(hostname); echo pid: $$; id"/' config.json
id="demo-$$"
"$root/bin/berth-runc" --root "$work/state" run "$id"
