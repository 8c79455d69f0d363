#!/usr/bin/env bash
# The main job, end to end: berth-containerd started on a private root and
# socket, the busybox image the project builds from Debian's busybox-static
# imported, and a container run from it by berth-shim and berth-runc, driven
# by the real `ctr` (the berth CLI and berthd come with issue #4).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d /tmp/berth-demo.XXXXXX)"
daemon=""
cleanup() {
  if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
bash "$root/scripts/make-busybox-image.sh" "$root/images/busybox/rootfs" "$root/images/busybox.oci.tar"
sock="$work/containerd.sock"
"$root/bin/berth-containerd" --root "$work/root" --state "$work/state" --address "$sock" 2>"$work/containerd.log" &
daemon=$!
for _ in $(seq 100); do ctr --address "$sock" version >/dev/null 2>&1 && break; sleep 0.1; done
ctr --address "$sock" version
ctr --address "$sock" -n demo images import "$root/images/busybox.oci.tar"
ctr --address "$sock" -n demo images ls
ctr --address "$sock" -n demo run --rm docker.io/library/busybox:latest "demo-$$" \
  sh -c 'echo hello from a berth container; echo pid: $$; id; ls /'
