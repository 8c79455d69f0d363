#!/usr/bin/env bash
# The main job, end to end: berth-containerd and berthd started on private roots
# and sockets, the busybox image the project builds from Debian's busybox-static
# loaded with the berth CLI, and `berth run --rm busybox echo hello` (berth ->
# berthd -> berth-containerd -> berth-shim -> berth-runc).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d /tmp/berth-demo.XXXXXX)"
containerd="" berthd=""
stop() { # stop PID: SIGTERM, then wait for it
  [ -n "$1" ] || return 0
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() {
  if [ -n "$berthd" ]; then
    ids="$("$root/bin/berth" ps -aq 2>/dev/null || true)"
    [ -z "$ids" ] || "$root/bin/berth" rm -f $ids >/dev/null 2>&1 || true
  fi
  stop "$berthd"
  stop "$containerd"
  rmdir /sys/fs/cgroup/*/berth-demo-$$ 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
bash "$root/scripts/make-busybox-image.sh" "$root/images/busybox/rootfs" "$root/images/busybox.oci.tar"
export BERTH_HOST="unix://$work/berthd.sock"
"$root/bin/berth-containerd" --root "$work/containerd" --state "$work/containerd-state" --address "$work/containerd.sock" 2>"$work/containerd.log" &
containerd=$!
# berthd waits for its containerd, as dockerd does
PATH="$root/bin:$PATH" "$root/bin/berthd" -H "$BERTH_HOST" --containerd "$work/containerd.sock" \
  --data-root "$work/data" --exec-root "$work/exec" --pidfile "$work/berthd.pid" \
  --cgroup-parent "/berth-demo-$$" --bridge berth-demo0 --bip 172.31.254.1/24 2>"$work/berthd.log" &
berthd=$!
for _ in $(seq 100); do "$root/bin/berth" version >/dev/null 2>&1 && break; sleep 0.1; done
"$root/bin/berth" version --format 'berth {{.Client.Version}} -> berthd {{.Server.Version}} (API {{.Server.APIVersion}})'
"$root/bin/berth" load -i "$root/images/busybox.oci.tar"
"$root/bin/berth" images
"$root/bin/berth" run --rm busybox echo hello
"$root/bin/berth" run --rm busybox sh -c 'echo "pid $$ in $(hostname)"; id; ip -4 -o addr show eth0'
