#!/usr/bin/env bash
# Packs images/busybox/rootfs into an OCI image layout tarball that `ctr images
# import` (ours or containerd's) reads: one gzipped layer, an image config with
# its diff_id and Cmd ["sh"], a manifest and an index naming it NAME. Like the
# archives `docker save` writes since docker 25, it also holds a docker
# manifest.json, so `docker load` / `berth load` read the same file.
set -euo pipefail
rootfs="${1:?usage: make-busybox-image.sh ROOTFS OUT.tar [NAME]}"
out="${2:?usage: make-busybox-image.sh ROOTFS OUT.tar [NAME]}"
name="${3:-docker.io/library/busybox:latest}"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/blobs/sha256"
blob() { # blob FILE -> prints its digest hex and stores it under blobs/sha256
  local hex; hex="$(sha256sum "$1" | cut -d' ' -f1)"
  cp "$1" "$stage/blobs/sha256/$hex"
  echo "$hex"
}
tar -C "$rootfs" --numeric-owner --owner=0 --group=0 --sort=name -cf "$stage/layer.tar" .
diff_id="$(sha256sum "$stage/layer.tar" | cut -d' ' -f1)"
gzip -n -c "$stage/layer.tar" > "$stage/layer.tar.gz"
layer="$(blob "$stage/layer.tar.gz")"
layer_size="$(stat -c %s "$stage/layer.tar.gz")"
printf '{"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"2024-01-01T00:00:00Z","created_by":"berth: busybox-static rootfs"}]}' \
  "$diff_id" > "$stage/config.json"
config="$(blob "$stage/config.json")"
config_size="$(stat -c %s "$stage/config.json")"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
  "$config" "$config_size" "$layer" "$layer_size" > "$stage/manifest.json"
manifest="$(blob "$stage/manifest.json")"
manifest_size="$(stat -c %s "$stage/manifest.json")"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
  "$manifest" "$manifest_size" "$name" "${name##*:}" > "$stage/index.json"
printf '{"imageLayoutVersion":"1.0.0"}' > "$stage/oci-layout"
short="${name#docker.io/}"; short="${short#library/}"
printf '[{"Config":"blobs/sha256/%s","RepoTags":["%s"],"Layers":["blobs/sha256/%s"]}]' "$config" "$short" "$layer" > "$stage/manifest.json"
rm "$stage/layer.tar" "$stage/layer.tar.gz" "$stage/config.json"
mkdir -p "$(dirname "$out")"
tar -C "$stage" --numeric-owner --owner=0 --group=0 -cf "$out.tmp" oci-layout index.json manifest.json blobs
mv "$out.tmp" "$out"
