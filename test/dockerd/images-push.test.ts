/**
 * docker push through berthd to Debian's docker-registry on 127.0.0.1: the
 * manifest digest printed is the one the registry serves, a second push finds
 * the layer there, a push to another repository mounts it, and the real
 * dockerd 20.10 pulls and runs what berthd pushed. The docker CLI's output
 * against berthd is compared with its output against the real dockerd for the
 * same image and the same mistakes. Needs root (berth-containerd, dockerd).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, runCmd, runOnPty } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { startRealDockerd, type RealDockerd } from '../helpers/real-dockerd.js';
import { tempDir } from '../containerd/daemons.js';
import { startRegistry, type Registry } from '../containerd/storage.js';
import { dockerCli, startBerthd, type Berthd } from './berthd.js';
import { loadBusyboxImage } from './busybox-image.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli, 'docker-registry', 'dockerd') && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

/** The registry's own answer for a tag: Docker-Content-Digest of GET /v2/<repo>/manifests/<tag>. */
async function servedDigest(host: string, repo: string, tag: string): Promise<string | null> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, {
    headers: { Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' },
  });
  await res.arrayBuffer();
  return res.headers.get('docker-content-digest');
}

describe.skipIf(!available)('docker push through berthd', () => {
  let d: Berthd;
  let real: RealDockerd;
  let registry: Registry;
  let diffRegistry: Registry;
  let dir: string;

  beforeAll(async () => {
    dir = tempDir('pushreg');
    fs.mkdirSync(`${dir}/a`);
    fs.mkdirSync(`${dir}/b`);
    registry = await startRegistry(`${dir}/a`);
    diffRegistry = await startRegistry(`${dir}/b`);
    d = await startBerthd();
    loadBusyboxImage(d);
    real = await startRealDockerd();
    loadBusyboxImage(real);
  }, 240_000);

  afterAll(async () => {
    await d?.stop();
    await real?.stop();
    await registry?.stop();
    await diffRegistry?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  const lines = (s: string) => s.split('\n').filter(Boolean);

  it('pushes busybox: the digest printed is the one the registry serves', async () => {
    const ref = `${registry.host}/bb:v1`;
    expect(d.docker(['tag', 'busybox', ref]).status).toBe(0);
    const r = d.docker(['push', ref], 120_000);
    expect(r.status, r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toBe(`The push refers to repository [${registry.host}/bb]`);
    expect(out.slice(1, -1).map((l) => l.replace(/^[0-9a-f]{12}: /, ''))).toEqual(['Preparing', 'Pushed']);
    const m = /^v1: digest: (sha256:[0-9a-f]{64}) size: (\d+)$/.exec(out[out.length - 1] ?? '');
    expect(m, r.stdout).not.toBeNull();
    expect(await servedDigest(registry.host, 'bb', 'v1')).toBe(m?.[1]);
    // the layer's line is named by its diff ID, as dockerd names it
    const diffId = d.docker(['image', 'inspect', '-f', '{{index .RootFS.Layers 0}}', 'busybox']).stdout.trim();
    expect(out[1]).toBe(`${diffId.slice(7, 19)}: Preparing`);
  });

  it('a second push finds the layer there; a push to another repository mounts it', async () => {
    const again = d.docker(['push', `${registry.host}/bb:v1`], 60_000);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^[0-9a-f]{12}: Layer already exists$/m);
    const other = `${registry.host}/other:v1`;
    expect(d.docker(['tag', 'busybox', other]).status).toBe(0);
    const r = d.docker(['push', other], 60_000);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]{12}: Mounted from bb$/m);
    expect(await servedDigest(registry.host, 'other', 'v1')).toBe(await servedDigest(registry.host, 'bb', 'v1'));
  });

  it('berth push shows the same lines; -q only the reference', () => {
    const env = d.env;
    const r = runCmd(bin('berth'), ['push', `${registry.host}/bb:v1`], { env, timeoutMs: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const docker = d.docker(['push', `${registry.host}/bb:v1`], 60_000);
    expect(r.stdout).toBe(docker.stdout);
    const q = runCmd(bin('berth'), ['push', '-q', `${registry.host}/bb:v1`], { env, timeoutMs: 60_000 });
    expect(q.stdout).toBe(`${registry.host}/bb:v1\n`);
    const bad = runCmd(bin('berth'), ['push', `${registry.host}/nosuch:v1`], { env });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe(`An image does not exist locally with the tag: ${registry.host}/nosuch\n`);
  });

  it('the real dockerd 20.10 pulls and runs what berthd pushed', () => {
    const ref = `${registry.host}/other:v1`;
    const pull = real.docker(['pull', ref], 120_000);
    expect(pull.status, pull.stderr).toBe(0);
    const run = real.docker(['run', '--rm', '--network', 'none', ref, 'echo', 'pushed by berthd'], 60_000);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe('pushed by berthd\n');
  });

  it('a layer above the chunk size goes up in PATCH chunks and comes back whole', () => {
    // 12 MiB of random bytes: more than two 5 MiB chunks, and nothing gzip could shrink
    const src = `${dir}/big`;
    fs.mkdirSync(src);
    fs.writeFileSync(`${src}/blob`, crypto.randomBytes(12 * 1024 * 1024));
    const sum = crypto.createHash('sha256').update(fs.readFileSync(`${src}/blob`)).digest('hex');
    const tar = `${dir}/big.tar`;
    expect(runCmd('tar', ['-cf', tar, '-C', src, 'blob']).status).toBe(0);
    const ref = `${registry.host}/big:v1`;
    const imp = d.docker(['import', tar, ref], 120_000);
    expect(imp.status, imp.stderr).toBe(0);
    const r = d.docker(['push', ref], 120_000);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]{12}: Pushed$/m);
    const pull = real.docker(['pull', ref], 120_000);
    expect(pull.status, pull.stderr).toBe(0);
    const id = real.docker(['create', ref, 'x']).stdout.trim();
    const out = `${dir}/big-out`;
    expect(real.docker(['cp', `${id}:/blob`, out]).status).toBe(0);
    real.docker(['rm', id]);
    expect(crypto.createHash('sha256').update(fs.readFileSync(out)).digest('hex')).toBe(sum);
  });

  it('berth push on a terminal draws the progress bars as berth pull does', () => {
    const src = `${dir}/tty`;
    fs.mkdirSync(src);
    fs.writeFileSync(`${src}/blob`, crypto.randomBytes(3 * 1024 * 1024));
    const tar = `${dir}/tty.tar`;
    expect(runCmd('tar', ['-cf', tar, '-C', src, 'blob']).status).toBe(0);
    const ref = `${registry.host}/tty:v1`;
    expect(d.docker(['import', tar, ref], 120_000).status).toBe(0);
    const r = runOnPty([bin('berth'), 'push', ref], { env: d.env, timeoutMs: 120_000 });
    expect(r.status, r.stdout).toBe(0);
    // the layer's line is redrawn in place with a bar, then ends as Pushed
    expect(r.stdout).toContain('\x1b[2K\r');
    expect(r.stdout, JSON.stringify(r.stdout)).toMatch(/[0-9a-f]{12}: Pushing +[\d.]+MB\/[\d.]+MB/);
    expect(r.stdout).toMatch(/[0-9a-f]{12}: Pushed/);
    expect(r.stdout).toMatch(/v1: digest: sha256:[0-9a-f]{64} size: \d+/);
  });

  it('docker push prints the same against berthd as against the real dockerd', () => {
    // each daemon pushes to a repository of its own on a registry nobody pushed to yet
    const results = [d, real].map((daemon, i) => {
      const repo = `${diffRegistry.host}/diff${i}`;
      expect(daemon.docker(['tag', 'busybox', `${repo}:v1`]).status).toBe(0);
      const norm = (s: string) => s.replaceAll(repo, 'REPO').replace(/digest: sha256:[0-9a-f]{64} size: \d+/, 'digest: D size: N');
      return [
        ['push', `${repo}:v1`],
        ['push', `${repo}:v1`],
        ['push', `${repo}:nosuchtag`],
        ['push', `${repo}`],
        ['push', `${diffRegistry.host}/nosuch${i}:v1`],
        ['push', '-q', `${repo}:v1`],
        ['push', '-a', repo],
      ].map((args) => {
        const r = daemon.docker(args, 120_000);
        return { args: norm(args.join(' ')).replace(/nosuch\d/, 'nosuch'), status: r.status, stdout: norm(r.stdout).replace(/nosuch\d/, 'nosuch'), stderr: norm(r.stderr).replace(/nosuch\d/, 'nosuch') };
      });
    });
    expect(results[0]).toEqual(results[1]);
  });
});
