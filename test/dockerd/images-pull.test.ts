/**
 * docker pull through berthd from a real registry (Debian's docker-registry on
 * 127.0.0.1, images pushed by skopeo): OCI and schema2 manifests and an OCI
 * index (linux/amd64 by default, linux/arm64 with --platform), dockerd's
 * progress lines, RepoDigests, "Image is up to date", docker's errors for an
 * unknown tag, an unknown repository and an unreachable registry, and no
 * leases left behind. Needs root (berth-containerd).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { ctr, tempDir } from '../containerd/daemons.js';
import { freePort, startRegistry, type Registry } from '../containerd/storage.js';
import { dockerCli, request, startBerthd, type Berthd } from './berthd.js';
import { pushTestImages, type Pushed } from './images-fixtures.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli, 'docker-registry', 'skopeo') && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

describe.skipIf(!available)('docker pull through berthd', () => {
  let d: Berthd;
  let registry: Registry;
  let dir: string;
  let images: { oci: Pushed; schema2: Pushed; index: Pushed; armConfig: string };

  beforeAll(async () => {
    dir = tempDir('pullreg');
    registry = await startRegistry(dir);
    images = await pushTestImages(dir, registry.host);
    d = await startBerthd();
  }, 180_000);

  afterAll(async () => {
    await d?.stop();
    await registry?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Non-TTY pull output without the per-layer lines, whose order depends on timing. */
  const mainLines = (out: string) => out.split('\n').filter((l) => l && !/^[0-9a-f]{12}: /.test(l));

  it('pulls an OCI image with dockerd\'s progress lines', () => {
    const r = d.docker(['pull', images.oci.ref], 120_000);
    expect(r.status, r.stderr).toBe(0);
    expect(mainLines(r.stdout)).toEqual([
      'oci: Pulling from multi',
      `Digest: ${images.oci.digest}`,
      `Status: Downloaded newer image for ${images.oci.ref}`,
      images.oci.ref,
    ]);
    const layerLines = r.stdout.split('\n').filter((l) => /^[0-9a-f]{12}: /.test(l));
    for (const status of ['Pulling fs layer', 'Verifying Checksum', 'Download complete', 'Pull complete']) {
      expect(layerLines.filter((l) => l.endsWith(`: ${status}`)), r.stdout).toHaveLength(3);
    }
    const inspect = d.docker(['image', 'inspect', '--format', '{{.Id}} {{json .RepoTags}} {{json .RepoDigests}} {{len .RootFS.Layers}}', images.oci.ref]);
    expect(inspect.stdout.trim(), inspect.stderr).toBe(
      `${images.oci.configDigest} ${JSON.stringify([images.oci.ref])} ${JSON.stringify([`${registry.host}/multi@${images.oci.digest}`])} 3`,
    );
  });

  it('a second pull is up to date', () => {
    const r = d.docker(['pull', images.oci.ref], 60_000);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      'oci: Pulling from multi',
      `Digest: ${images.oci.digest}`,
      `Status: Image is up to date for ${images.oci.ref}`,
      images.oci.ref,
    ]);
  });

  it('pulls a schema2 image of the same layers: Already exists', () => {
    const r = d.docker(['pull', images.schema2.ref], 120_000);
    expect(r.status, r.stderr).toBe(0);
    expect(mainLines(r.stdout)).toEqual([
      'schema2: Pulling from multi',
      `Digest: ${images.schema2.digest}`,
      `Status: Downloaded newer image for ${images.schema2.ref}`,
      images.schema2.ref,
    ]);
    // one image (same config) under two tags of one repository: docker shows every tag with every digest of the repo
    const digests = d.docker(['images', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}', `${registry.host}/multi`]);
    expect(digests.stdout.trim().split('\n').sort()).toEqual([
      `${registry.host}/multi oci ${images.oci.digest}`,
      `${registry.host}/multi oci ${images.schema2.digest}`,
      `${registry.host}/multi schema2 ${images.oci.digest}`,
      `${registry.host}/multi schema2 ${images.schema2.digest}`,
    ].sort());
  });

  it('pulls an index: linux/amd64 by default, -q prints only the name', () => {
    const r = d.docker(['pull', '-q', images.index.ref], 120_000);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${images.index.ref}\n`);
    const inspect = d.docker(['image', 'inspect', '--format', '{{.Id}} {{.Architecture}}', images.index.ref]);
    expect(inspect.stdout.trim()).toBe(`${images.oci.configDigest} amd64`);
    const digests = d.docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', images.index.ref]);
    expect(JSON.parse(digests.stdout)).toContain(`${registry.host}/multi@${images.index.digest}`);
  });

  it('--platform linux/arm64 picks the arm64 entry', () => {
    const ref = `${registry.host}/multi:index`;
    d.docker(['rmi', ref]);
    const r = d.docker(['pull', '--platform', 'linux/arm64', ref], 120_000);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(': Already exists');
    const inspect = d.docker(['image', 'inspect', '--format', '{{.Id}} {{.Architecture}}', ref]);
    expect(inspect.stdout.trim()).toBe(`${images.armConfig} arm64`);
  });

  it('an unknown tag: docker\'s manifest unknown error, 404', async () => {
    const r = d.docker(['pull', `${registry.host}/multi:nope`]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`Error response from daemon: manifest for ${registry.host}/multi:nope not found: manifest unknown: manifest unknown`);
    const raw = await request(d.socket, 'POST', `/v1.45/images/create?fromImage=${encodeURIComponent(`${registry.host}/multi`)}&tag=nope`);
    expect(raw.status).toBe(404);
  });

  it('an unknown repository and an unreachable registry', async () => {
    const r = d.docker(['pull', `${registry.host}/nothing/here:v1`]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(new RegExp(`^Error response from daemon: (manifest for ${registry.host}/nothing/here:v1 not found: manifest unknown|repository ${registry.host}/nothing/here not found: name unknown)`));
    const port = await freePort();
    const u = d.docker(['pull', `127.0.0.1:${port}/x:y`]);
    expect(u.status).toBe(1);
    expect(u.stderr.trim()).toBe(`Error response from daemon: Get "http://127.0.0.1:${port}/v2/": dial tcp 127.0.0.1:${port}: connect: connection refused`);
  });

  it('docker run of a missing image: create answers 404, the CLI pulls, retries and runs it', () => {
    expect(d.docker(['rmi', images.index.ref]).status).toBe(0);
    const r = d.docker(['run', '--rm', images.index.ref, 'cat', '/etc/arch', '/hello.txt'], 120_000);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('amd64\nhello\n');
    expect(r.stderr).toMatch(new RegExp(`^Unable to find image '${images.index.ref}' locally\n`));
    expect(r.stderr).toMatch(/Status: Downloaded newer image for /);
  });

  it('leaves no leases behind', () => {
    // the containers' own leases (berth-container-<id>) go with the containers
    const leases = ctr(d.containerd.address, ['-n', 'moby', 'leases', 'ls', '-q']);
    expect(leases.stdout.trim()).toBe('');
  });
});
