/**
 * The real `ctr images` against berth-containerd: import of an OCI tarball
 * (--no-unpack: unpacking needs snapshots and diff), ls with filters, tag,
 * label, export (and the export imports again), rm, and the content left
 * after `rm --sync`: nothing the remaining images do not reference.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctr, haveProgram, startBerthContainerd, tempDir, type Running } from './daemons.js';
import { busyboxTar, haveRootfs } from './storage.js';
import type { BuiltImage } from '../helpers/oci-image.js';

const name = 'docker.io/library/busybox:latest';

describe.skipIf(!haveProgram('ctr') || !haveRootfs)('ctr images against berth-containerd', () => {
  let dir: string;
  let d: Running;
  let image: BuiltImage;
  const run = (...args: string[]) => ctr(d.address, args);
  const rows = (out: string) => out.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));

  beforeAll(async () => {
    dir = tempDir('images');
    image = busyboxTar(dir, name);
    d = await startBerthContainerd(dir);
  });
  afterAll(async () => {
    await d?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports an OCI tarball without unpacking; content carries the gc.ref labels ctr sets', () => {
    const r = run('images', 'import', '--no-unpack', image.file);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const ls = run('images', 'ls');
    expect(ls.stdout.split('\n')[0]).toMatch(/^REF +TYPE +DIGEST +SIZE +PLATFORMS +LABELS $/);
    expect(rows(ls.stdout)).toEqual([
      [name, 'application/vnd.oci.image.manifest.v1+json', image.manifestDigest, expect.stringMatching(/^[\d.]+$/), 'MiB', 'linux/amd64', '-'],
    ]);
    expect(run('images', 'ls', '-q').stdout).toBe(`${name}\n`);
    const manifestLabels = run('content', 'ls').stdout.split('\n').find((l) => l.startsWith(image.manifestDigest)) ?? '';
    expect(manifestLabels).toContain(`containerd.io/gc.ref.content.config=${image.configDigest}`);
    expect(manifestLabels).toContain('containerd.io/gc.ref.content.l.0=sha256:');
    // the import's lease is gone
    expect(run('leases', 'ls', '-q').stdout).toBe('');
  });

  it('tags, labels, filters and refuses what containerd refuses', () => {
    expect(run('images', 'tag', name, 'docker.io/library/busybox:two').stdout).toBe('docker.io/library/busybox:two\n');
    const dup = run('images', 'tag', name, 'docker.io/library/busybox:two');
    expect(dup.stderr).toBe('ctr: image "docker.io/library/busybox:two": already exists\n');
    expect(run('images', 'tag', '--force', name, 'docker.io/library/busybox:two').status).toBe(0);
    expect(run('images', 'tag', 'nope:1', 'x:1').stderr).toBe('ctr: image "nope:1": not found\n');
    expect(run('images', 'label', 'docker.io/library/busybox:two', 'x=y', 'z=1').stdout.trim().split(',').sort()).toEqual(['x=y', 'z=1']);
    expect(run('images', 'label', 'docker.io/library/busybox:two', 'z=').stdout).toBe('x=y\n');
    expect(run('images', 'ls', '-q', 'labels.x==y').stdout).toBe('docker.io/library/busybox:two\n');
    expect(run('images', 'ls', '-q', 'name~=two$').stdout).toBe('docker.io/library/busybox:two\n');
    expect(run('images', 'ls', '-q', `target.digest==${image.manifestDigest}`).stdout.trim().split('\n')).toHaveLength(2);
    const bad = run('images', 'ls', 'name==');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^ctr: failed to list images: filters: parse error: \[name==\]: expected value or quoted: invalid argument\n$/);
  });

  it('exports an image to a tarball that imports again', () => {
    const out = path.join(dir, 'export.tar');
    const r = run('images', 'export', out, 'docker.io/library/busybox:two');
    expect(r.status).toBe(0);
    expect(fs.statSync(out).size).toBeGreaterThan(500_000);
    const back = ctr(d.address, ['-n', 'reimport', 'images', 'import', '--no-unpack', out]);
    expect(back.status).toBe(0);
    expect(ctr(d.address, ['-n', 'reimport', 'images', 'ls', '-q']).stdout).toBe('docker.io/library/busybox:two\n');
    expect(ctr(d.address, ['-n', 'reimport', 'content', 'ls', '-q']).stdout.trim().split('\n')).toContain(image.manifestDigest);
  });

  it('publishes /images/create, /images/update and /images/delete', async () => {
    const events = spawn('ctr', ['--address', d.address, 'events'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    events.stdout.on('data', (b: Buffer) => (out += b.toString()));
    try {
      for (let i = 0; !out.includes('/images/create') && i < 100; i++) {
        run('images', 'tag', name, `docker.io/library/busybox:ev${i}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      run('images', 'label', 'docker.io/library/busybox:ev0', 'k=v');
      run('images', 'rm', 'docker.io/library/busybox:ev0');
      for (let i = 0; !out.includes('/images/delete') && i < 50; i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      if (events.pid !== undefined) process.kill(events.pid, 'SIGTERM');
    }
    const line = (topic: string) => out.split('\n').find((l) => l.includes(topic));
    expect(line('/images/update')).toMatch(/ UTC default \/images\/update \{"name":"docker\.io\/library\/busybox:ev0","labels":\{"k":"v"\}\}$/);
    expect(line('/images/delete')).toMatch(/ UTC default \/images\/delete \{"name":"docker\.io\/library\/busybox:ev0"\}$/);
    for (const n of run('images', 'ls', '-q', 'name~=:ev').stdout.trim().split('\n')) if (n) run('images', 'rm', n);
  });

  it('removes images; with --sync the content nothing references is gone from the store and the disk', async () => {
    const blobs = path.join(dir, 'root', 'io.containerd.content.v1.content', 'blobs', 'sha256');
    expect(run('images', 'rm', 'nope:latest')).toMatchObject({ status: 0, stdout: '' });
    expect(run('images', 'rm', 'docker.io/library/busybox:two').stdout).toBe('docker.io/library/busybox:two\n');
    // Content earlier tests left unreferenced goes with the scheduled (background)
    // collection, which a loaded machine may run a little later.
    const contentCount = () => run('content', 'ls', '-q').stdout.trim().split('\n').length;
    for (let i = 0; i < 100 && contentCount() !== 3; i++) await new Promise((r) => setTimeout(r, 100));
    expect(contentCount()).toBe(3);
    expect(run('images', 'rm', '--sync', name).stdout).toBe(`${name}\n`);
    expect(run('images', 'ls', '-q').stdout).toBe('');
    expect(run('content', 'ls', '-q').stdout).toBe('');
    // the other namespace still holds its copy, so the bytes stay
    expect(fs.readdirSync(blobs)).toContain(image.manifestDigest.slice(7));
    expect(ctr(d.address, ['-n', 'reimport', 'images', 'rm', '--sync', 'docker.io/library/busybox:two']).status).toBe(0);
    expect(fs.readdirSync(blobs)).toEqual([]);
  });
});
